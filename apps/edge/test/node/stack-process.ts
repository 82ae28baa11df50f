// Runs serve-stack.ts (the API origin, Upstash endpoints and the control server) in a child
// process with tsx: for the vitest globalSetup, whose own module resolution follows workerd's
// conditions, and for the benchmark, whose load generator must not share an event loop with
// the servers it measures.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { embeddedDatabaseNodeFlags } from "../../../../scripts/embedded-node.mjs";
import type { StackInfo } from "./serve-stack.ts";

const STARTUP_TIMEOUT_MS = 90_000;

export interface StackProcess extends StackInfo {
  stop(): Promise<void>;
}

export interface StackProcessOptions {
  /** Also serve the worker with `wrangler dev` on the stack (adds a few seconds). */
  wranglerDev?: boolean;
  /** Variables set for the child over this process's environment (e.g. DATABASE_URL). */
  env?: Record<string, string>;
}

export async function startStackProcess({
  wranglerDev = false,
  env = {},
}: StackProcessOptions = {}): Promise<StackProcess> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  const child = spawn(
    process.execPath,
    [
      ...embeddedDatabaseNodeFlags,
      "--import",
      tsx,
      fileURLToPath(new URL("serve-stack.ts", import.meta.url)),
    ],
    {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: { ...process.env, ...env, BOTGATE_EDGE_STACK_WRANGLER_DEV: wranglerDev ? "1" : "0" },
    },
  );
  const info = await new Promise<StackInfo>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error("the edge test stack did not start in time"));
    }, STARTUP_TIMEOUT_MS);
    child.once("message", (message: { ready: StackInfo }) => {
      clearTimeout(timer);
      resolve(message.ready);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the edge test stack exited with ${code} before it was ready`));
    });
  });
  return {
    ...info,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.disconnect();
      await exited;
    },
  };
}
