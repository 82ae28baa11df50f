// The edge worker in the real workerd runtime without `wrangler dev`'s local proxy: the bundle
// `wrangler deploy` would upload, served by Miniflare (the library wrangler dev itself runs) in a
// child process on Node >= 22.12. Production has no such proxy either, so latency measured here
// is closer to what the edge itself costs. Same shape as wrangler-dev.ts.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { node22 } from "../../../../scripts/node22.mjs";
import { bundleWorker } from "./worker-bundle.ts";

const CONFIG = fileURLToPath(new URL("../../../../wrangler.toml", import.meta.url));
const STARTUP_TIMEOUT_MS = 90_000;

export interface WorkerdDirect {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface WorkerdDirectOptions {
  /** Overrides of the configuration's [vars]. */
  vars?: Record<string, string>;
  /** Another wrangler configuration than the root wrangler.toml (a benchmark's baseline worker). */
  config?: string;
}

export async function startWorkerdDirect({
  vars = {},
  config = CONFIG,
}: WorkerdDirectOptions = {}): Promise<WorkerdDirect> {
  const outdir = await mkdtemp(join(tmpdir(), "botgate-workerd-direct-"));
  const script = await bundleWorker(outdir, config).catch(async (error: unknown) => {
    await rm(outdir, { recursive: true, force: true });
    throw error;
  });
  const child = spawn(
    node22(),
    [
      fileURLToPath(new URL("miniflare-serve.mjs", import.meta.url)),
      JSON.stringify({ config, script, vars }),
    ],
    { stdio: ["ignore", "ignore", "pipe", "ipc"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // Disconnecting lets the child dispose of Miniflare, which ends its workerd.
      if (child.connected) child.disconnect();
      else child.kill();
      await exited;
    }
    await rm(outdir, { recursive: true, force: true });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("not ready in time")), STARTUP_TIMEOUT_MS);
      child.once("message", (message: { url: string }) => {
        clearTimeout(timer);
        resolve(message.url);
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with ${code}`));
      });
    });
    return { url, port: Number(new URL(url).port), stop };
  } catch (error) {
    await stop();
    throw new Error(`Miniflare did not start: ${(error as Error).message}\n${stderr}`);
  }
}
