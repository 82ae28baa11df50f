// The replay guard of signed edge forwards over the API's own Redis protocol connection
// (REDIS_URL). A claim is on every forwarded chat request's path, and through the Upstash REST
// interface it costs several times a TCP round trip; the edge, which has no TCP, keeps REST.
import { RedisNonceStore } from "@botgate/cache";
import type { NonceStore } from "@botgate/forwarding";
import IORedis from "ioredis";

/** How long start-up waits for the first connection before serving anyway (claims fail until it comes). */
const FIRST_CONNECT_WAIT_MS = 2_000;

export async function openRedisNonceStore(
  redisUrl: string,
  closers: (() => Promise<void>)[],
): Promise<NonceStore> {
  const redis = new IORedis(redisUrl, {
    lazyConnect: true,
    // Fail at once while Redis is down instead of queueing; ioredis keeps reconnecting meanwhile.
    enableOfflineQueue: false,
    commandTimeout: 5_000,
  });
  // Failures surface as UNAVAILABLE claims (caller.ts decides); without a listener ioredis logs each one.
  redis.on("error", () => {});
  closers.push(async () => {
    redis.disconnect();
  });
  let waitTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    redis.connect().catch(() => {}),
    new Promise((resolve) => {
      waitTimer = setTimeout(resolve, FIRST_CONNECT_WAIT_MS);
    }),
  ]);
  clearTimeout(waitTimer);
  return new RedisNonceStore({ redis });
}
