import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { AllowedCommand } from "./allowed.ts";
import { createUpstashRestApp } from "./app.ts";
import { openRedisConnection } from "./connection.ts";

export interface StartUpstashRestOptions {
  /** e.g. redis://127.0.0.1:6379 */
  redisUrl: string;
  token: string;
  /** The commands it runs (default: the product's; test harnesses add TEST_COMMANDS' inspection). */
  commands?: readonly AllowedCommand[];
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
}

export interface RunningUpstashRest {
  /** Base URL for `new Redis({ url, token })` from @upstash/redis. */
  url: string;
  token: string;
  close(): Promise<void>;
}

export async function startUpstashRest({
  redisUrl,
  token,
  commands,
  port = 0,
  host = "127.0.0.1",
}: StartUpstashRestOptions): Promise<RunningUpstashRest> {
  // Connection failures surface as 503 answers.
  const redis = await openRedisConnection(redisUrl);

  const app = createUpstashRestApp({ redis, token, ...(commands === undefined ? {} : { commands }) });
  const { server, address } = await new Promise<{ server: ReturnType<typeof serve>; address: AddressInfo }>(
    (resolve) => {
      const s = serve({ fetch: app.fetch, port, hostname: host }, (info) =>
        resolve({ server: s, address: info }),
      );
    },
  );
  const urlHost = address.address.includes(":") ? `[${address.address}]` : address.address;

  return {
    url: `http://${urlHost}:${address.port}`,
    token,
    async close() {
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // The client keeps connections alive; close them so close() does not wait for their timeout.
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
      redis.disconnect();
    },
  };
}
