#!/usr/bin/env node
// Node for processes that may host the embedded database (PGlite, Postgres compiled to WASM).
// Where the CPU has memory protection keys (PKU), V8 write-protects JIT and WASM code pages with
// them, and its registry of those pages can lose track of PGlite's code: the process aborts with
// "Check failed: jit_page.has_value()" (nodejs/node#64500, seen here on Node 24 in CI). Such
// processes start with that protection off; production runs on a real PostgreSQL without it.
//   node scripts/embedded-node.mjs <file.ts> [args...]   runs a TypeScript entry point (tsx)
//   node scripts/embedded-node.mjs vitest [args...]      runs a package's bin
// Plain JS: runs before anything is compiled.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The V8 flag that turns PKU code protection off; it lost its `wasm-` prefix in V8 12 (Node 22). */
export const embeddedDatabaseNodeFlags = [
  Number(process.versions.v8.split(".")[0]) >= 12
    ? "--no-memory-protection-keys"
    : "--no-wasm-memory-protection-keys",
];

function binOf(name) {
  const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), "..", "package.json"));
  const manifestPath = require.resolve(`${name}/package.json`);
  const { bin } = JSON.parse(readFileSync(manifestPath, "utf8"));
  const file = typeof bin === "string" ? bin : bin?.[name];
  if (!file) throw new Error(`embedded-node: ${name} has no bin`);
  return join(dirname(manifestPath), file);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    console.error("usage: node scripts/embedded-node.mjs <file.ts | package> [args...]");
    process.exit(2);
  }
  const target = entry.endsWith(".ts") ? ["--import", "tsx", entry] : [binOf(entry)];
  const child = spawn(process.execPath, [...embeddedDatabaseNodeFlags, ...target, ...args], {
    stdio: "inherit",
  });
  // Ctrl-C reaches the child from the terminal itself; a signal sent to this process alone is passed on.
  process.on("SIGINT", () => {});
  for (const signal of ["SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.once("exit", (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}
