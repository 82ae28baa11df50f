// `wrangler dev` as a child process on a free loopback port (through scripts/wrangler.mjs,
// which runs wrangler on Node 22), for benchmarks and raw-HTTP tests of the worker in workerd.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const STARTUP_TIMEOUT_MS = 90_000;

export interface WranglerDev {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface WranglerDevOptions {
  /** A wrangler config file (default: the repository's wrangler.toml). */
  config?: string;
  /** `--var NAME:value` overrides. */
  vars?: Record<string, string>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

export async function startWranglerDev({ config, vars = {} }: WranglerDevOptions = {}): Promise<WranglerDev> {
  const port = await freePort();
  // Concurrent instances must not share wrangler's local state (its SQLite files lock).
  const state = await mkdtemp(join(tmpdir(), "botgate-wrangler-dev-"));
  const args = [
    "scripts/wrangler.mjs",
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    // The inspector port would clash between concurrent instances; nothing here uses it.
    "--inspector-port",
    String(await freePort()),
    "--log-level",
    "warn",
    "--persist-to",
    state,
    ...(config === undefined ? [] : ["--config", config]),
    ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    // Its own process group, so stop() ends wrangler's workerd children with it.
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopGroup(child);
    await rm(state, { recursive: true, force: true });
  };
  try {
    await waitUntilServing(url, child);
  } catch (error) {
    await stop();
    throw new Error(`wrangler dev did not start: ${(error as Error).message}\n${stderr}`);
  }
  return { url, port, stop };
}

async function waitUntilServing(url: string, child: ChildProcess): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < STARTUP_TIMEOUT_MS) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`no answer on ${url} within ${STARTUP_TIMEOUT_MS} ms`);
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(-child.pid, "SIGTERM");
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
  }, 5_000);
  await exited;
  clearTimeout(timer);
}
