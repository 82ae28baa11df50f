// Makes sure the machine's PostgreSQL (when DATABASE_URL points at it) and Redis are up
// before tests or benchmarks, starting them the way this machine kind starts them, and that
// Debian's Chromium is installed for the browser tests.
// Plain JS: runs before anything is compiled.
import { execSync } from "node:child_process";
import { existsSync } from "node:fs";
import { reachable } from "./reachable.mjs";

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";

async function ensure(name, host, port, startCommand) {
  if (await reachable(host, port)) return;
  const isLocal = ["127.0.0.1", "localhost", "::1"].includes(host);
  if (!isLocal) {
    console.error(`services: ${name} at ${host}:${port} is not reachable`);
    process.exit(1);
  }
  console.error(`services: ${name} is down; starting it: ${startCommand}`);
  try {
    execSync(startCommand, { stdio: "inherit", shell: "/bin/bash" });
  } catch {
    console.error(`services: could not start ${name}`);
    process.exit(1);
  }
  for (let i = 0; i < 50; i++) {
    if (await reachable(host, port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  console.error(`services: ${name} did not come up on ${host}:${port}`);
  process.exit(1);
}

if (databaseUrl) {
  const url = new URL(databaseUrl);
  await ensure(
    "PostgreSQL",
    url.hostname,
    Number(url.port || 5432),
    "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
  );
}
const redis = new URL(redisUrl);
await ensure(
  "Redis",
  redis.hostname,
  Number(redis.port || 6379),
  'mkdir -p /var/lib/redis /var/log/redis && redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
);

const CHROMIUM = "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) {
  console.error("services: installing Debian's chromium for the browser tests");
  try {
    execSync("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium", {
      stdio: "inherit",
      shell: "/bin/bash",
    });
  } catch {
    console.error(`services: could not install chromium; the browser tests need ${CHROMIUM}`);
    process.exit(1);
  }
}
