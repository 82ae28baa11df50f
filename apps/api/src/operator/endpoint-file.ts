// The embedded database serves one connection, held by the running API; the operator CLI
// cannot open it beside the API, so it sends its command to that API instead. The API
// publishes where and with which token in DATA_DIR/operator.json (mode 0600, removed at
// shutdown); a file whose process is gone is ignored.
import { randomBytes } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { repositoryRoot } from "@botgate/db";
import type { Env } from "../env.ts";

export interface OperatorEndpoint {
  /** The API's loopback base URL. */
  url: string;
  token: string;
  pid: number;
}

export const dataDirectory = (env: Env): string => resolve(repositoryRoot, env.DATA_DIR);

export const operatorFile = (env: Env): string => resolve(dataDirectory(env), "operator.json");

/** A new secret per process start. */
export const newOperatorToken = (): string => randomBytes(32).toString("base64url");

/** The loopback URL the CLI reaches a server on, or null when it listens on another address only. */
export function loopbackUrl(address: string, port: number): string | null {
  if (address === "0.0.0.0") return `http://127.0.0.1:${port}`;
  if (address.startsWith("127.")) return `http://${address}:${port}`;
  if (address === "::" || address === "::1") return `http://[::1]:${port}`;
  return null;
}

/** Writes the file (readable by this user only) and answers how to remove it again. */
export async function publishOperatorEndpoint(
  file: string,
  endpoint: OperatorEndpoint,
): Promise<() => Promise<void>> {
  const pending = `${file}.${process.pid}.tmp`;
  await rm(pending, { force: true });
  await writeFile(pending, JSON.stringify(endpoint), { mode: 0o600, flag: "wx" });
  await rename(pending, file);
  return async () => {
    // Only our own: a newer API may have published since.
    if ((await readOperatorFile(file))?.pid === endpoint.pid) await rm(file, { force: true });
  };
}

async function readOperatorFile(file: string): Promise<OperatorEndpoint | null> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as Partial<OperatorEndpoint>;
    const { url, token, pid } = parsed;
    return typeof url === "string" && typeof token === "string" && typeof pid === "number"
      ? { url, token, pid }
      : null;
  } catch {
    return null;
  }
}

/** The endpoint of an API that is still running, or null. */
export async function findRunningOperator(file: string): Promise<OperatorEndpoint | null> {
  const endpoint = await readOperatorFile(file);
  if (endpoint === null) return null;
  try {
    process.kill(endpoint.pid, 0);
    return endpoint;
  } catch (error) {
    // EPERM: alive, but another user's process (then its 0600 file was not readable anyway).
    return (error as NodeJS.ErrnoException).code === "EPERM" ? endpoint : null;
  }
}
