// vitest globalSetup for the edge project (runs in Node before any workerd test): starts the
// real API on a fresh test database, Upstash endpoints on the real Redis and the control
// server (in a child process, see stack-process.ts), and provides their URLs and the shared
// secret to vitest.config.mts (the worker's bindings) and to the tests.
import type { TestProject } from "vitest/node";
import type { StackInfo } from "./serve-stack.ts";
import { startStackProcess } from "./stack-process.ts";

export default async function setup({ provide }: TestProject) {
  const { stop, ...info } = await startStackProcess({ wranglerDev: true });
  for (const [key, value] of Object.entries(info) as [keyof StackInfo, string][]) provide(key, value);
  return stop;
}
