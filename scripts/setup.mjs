// Brings a fresh clone to a runnable state: installs the workspace with the pinned pnpm
// (fetched through npx when it is not installed yet), generates the Prisma client and builds
// the chat page assets.
// Plain JS on purpose: it must run before any dependency exists.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const pnpmVersion = pkg.packageManager.replace(/^pnpm@/, "");

function run(cmd, args, env = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`setup: \`${cmd} ${args.join(" ")}\` failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

const localPnpm = join(root, "node_modules", ".bin", "pnpm");
const pnpm = existsSync(localPnpm) ? [localPnpm, []] : ["npx", ["--yes", `pnpm@${pnpmVersion}`]];
run(pnpm[0], [...pnpm[1], "install", "--frozen-lockfile", "--prefer-offline", "--reporter=silent"]);

// `prisma generate` never uses the schema engine, but Prisma insists on finding one and
// would try to download it; pointing it at any existing file keeps generation offline.
const schema = join(root, "prisma", "schema.prisma");
const stamp = join(root, "packages", "db", "src", "generated", ".schema-hash");
const hash = createHash("sha256").update(readFileSync(schema)).update(pkg.packageManager).digest("hex");
if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== hash) {
  run(join(root, "node_modules", ".bin", "prisma"), ["generate"], {
    PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
  });
  writeFileSync(stamp, hash);
}

// The chat page and widget (apps/chat) are the edge worker's static assets: built here so
// `wrangler dev`, the edge tests and `wrangler deploy` always find them, and rebuilt only
// when their sources change.
const chatDir = join(root, "apps", "chat");
const chatStamp = join(chatDir, "dist", ".source-hash");
const chatHash = createHash("sha256");
for (const file of [
  "build.ts",
  ...readdirSync(join(chatDir, "src"))
    .sort()
    .map((f) => join("src", f)),
]) {
  chatHash.update(file).update(readFileSync(join(chatDir, file)));
}
const chatDigest = chatHash.digest("hex");
if (!existsSync(chatStamp) || readFileSync(chatStamp, "utf8") !== chatDigest) {
  run(join(root, "node_modules", ".bin", "tsx"), [join(chatDir, "build.ts")]);
  writeFileSync(chatStamp, chatDigest);
}
