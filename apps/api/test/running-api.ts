// The real API process (`apps/api/src/main.ts`) on an embedded database in a temporary
// DATA_DIR, and the real operator CLI (`apps/api/src/cli.ts`) as child processes beside it,
// as `npm run dev` and an operator's terminal run them.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repositoryRoot } from "@botgate/db";
import { embeddedDatabaseNodeFlags } from "../../../scripts/embedded-node.mjs";

// As `npm run dev` and `npm run botgate` start them: both open the embedded database.
const NODE_ARGS = [...embeddedDatabaseNodeFlags, "--import", "tsx"];
const MAIN = join(repositoryRoot, "apps", "api", "src", "main.ts");
const CLI = join(repositoryRoot, "apps", "api", "src", "cli.ts");

export interface RunningApi {
  dataDir: string;
  operatorFile: string;
  /** What the API published: its loopback URL and operator token. */
  operator: { url: string; token: string; pid: number };
  /** SIGTERM, then waits for the process to exit; answers its exit code. */
  stop(): Promise<number | null>;
  /** Removes the data folder (after stop). */
  cleanUp(): Promise<void>;
}

/** An environment of its own: embedded database in dataDir, no Redis, nothing from the test's DATABASE_URL. */
function processEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: "",
    REDIS_URL: "",
    UPSTASH_REDIS_REST_URL: "",
    UPSTASH_REDIS_REST_TOKEN: "",
    ENVIRONMENT: "local",
    DATA_DIR: dataDir,
    HOST: "127.0.0.1",
    PORT: "0",
    ...extra,
  };
}

export async function startApiProcess(): Promise<RunningApi> {
  const dataDir = await mkdtemp(join(tmpdir(), "botgate-cli-"));
  const operatorFile = join(dataDir, "operator.json");
  const child: ChildProcess = spawn(process.execPath, [...NODE_ARGS, MAIN], {
    env: processEnv(dataDir),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let running = true;
  void exited.then(() => (running = false));

  // Until the file appears (the API listens and holds the database) or the process dies.
  const deadline = Date.now() + 120_000;
  while (!existsSync(operatorFile)) {
    if (!running) throw new Error(`the API exited before it published its operator endpoint:\n${output}`);
    if (Date.now() > deadline) throw new Error(`the API published no operator endpoint in 120 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const operator = JSON.parse(await readFile(operatorFile, "utf8")) as RunningApi["operator"];
  return {
    dataDir,
    operatorFile,
    operator,
    async stop() {
      if (running) child.kill("SIGTERM");
      return exited;
    },
    cleanUp: () => rm(dataDir, { recursive: true, force: true }),
  };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the operator CLI to completion with the API's DATA_DIR (and more environment, if given). */
export function runCli(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, CLI, ...args], {
      env: processEnv(dataDir, env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The JSON a `--json` run printed (its last line). */
export function printedJson(run: CliRun): Record<string, unknown> {
  const last = run.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(last) as Record<string, unknown>;
  } catch {
    throw new Error(`the CLI printed no JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}
