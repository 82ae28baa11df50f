// `npm run dev`: the whole platform on embedded defaults, in one terminal.
//   - API (tRPC admin API, chat origin, /internal/resolve) on :8788, embedded Postgres in .data/,
//     its job worker, and the embedded DNS server of local provisioning on :5353
//   - the Upstash-compatible endpoint on :8079 in front of the machine's Redis, when one
//     answers on REDIS_URL (default redis://127.0.0.1:6379); otherwise an in-memory cache
//   - the edge worker in workerd (`wrangler dev`) on :8787
// and, the first time, a demo account with a few chatbots.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createApp } from "../apps/api/src/app.ts";
import { parseEnv } from "../apps/api/src/env.ts";
import { serveApp } from "../apps/api/src/http-server.ts";
import { dataDirectory } from "../apps/api/src/operator/endpoint-file.ts";
import { publishOperatorEndpointOf } from "../apps/api/src/operator/publish.ts";
import { createRuntime } from "../apps/api/src/runtime.ts";
import { startUpstashRest } from "../packages/upstash-rest/src/index.ts";
import { seedDemo } from "./demo-seed.ts";
import { reachable } from "./reachable.mjs";

const root = join(import.meta.dirname, "..");
const API_PORT = 8788;
const EDGE_PORT = 8787;
const UPSTASH_PORT = 8079;
const LOCAL_DNS_PORT = 5353;

// A development machine: the built-in edge secret is fine here, whatever PLATFORM_ROOT_DOMAIN says.
const DEV_FLAG = { BOTGATE_DEV: "1" };
const baseEnv = parseEnv({ ...DEV_FLAG, ...process.env });

// Fixed ports: a second `npm run dev` (or anything else on them) gets a sentence, not a stack trace.
const fixedPorts = [API_PORT, EDGE_PORT, UPSTASH_PORT, Number(process.env.LOCAL_DNS_PORT ?? LOCAL_DNS_PORT)];
const taken: number[] = [];
for (const port of fixedPorts) if (await reachable("127.0.0.1", port)) taken.push(port);
if (taken.length > 0) {
  console.error(
    `dev: 127.0.0.1 port ${taken.join(", ")} already in use: is another \`npm run dev\` running? ` +
      "Stop it (or whatever holds the port) and start again.",
  );
  process.exit(1);
}
const redisUrl = baseEnv.REDIS_URL ?? "redis://127.0.0.1:6379";
const redis = new URL(redisUrl);
let upstash: { url: string; token: string } | null = null;
if (baseEnv.UPSTASH_REDIS_REST_URL && baseEnv.UPSTASH_REDIS_REST_TOKEN) {
  upstash = { url: baseEnv.UPSTASH_REDIS_REST_URL, token: baseEnv.UPSTASH_REDIS_REST_TOKEN };
} else if (await reachable(redis.hostname, Number(redis.port || 6379))) {
  // A new token every run, handed only to the API and the edge: the endpoint fronts the machine's Redis.
  upstash = await startUpstashRest({
    redisUrl,
    token: randomBytes(24).toString("base64url"),
    port: UPSTASH_PORT,
  });
  console.log(`dev: Upstash-compatible endpoint ${upstash.url} → ${redisUrl}`);
} else {
  console.log(`dev: no Redis at ${redisUrl}; routes are cached in memory only`);
}

const env = parseEnv({
  ...DEV_FLAG,
  ...process.env,
  PORT: String(API_PORT),
  PUBLIC_PORT: process.env.PUBLIC_PORT ?? String(EDGE_PORT),
  // A fixed port, so `dig @127.0.0.1 -p 5353 <host>` works across restarts.
  LOCAL_DNS_PORT: process.env.LOCAL_DNS_PORT ?? String(LOCAL_DNS_PORT),
  ...(upstash ? { UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token } : {}),
  REDIS_URL: "",
});
// The admin app's static build, served by the API at /admin/ (rebuilt on every start).
await buildAdminApp();
const runtime = await createRuntime(env);
const api = serveApp({ fetch: createApp(runtime).fetch, hostname: "127.0.0.1", port: API_PORT });
const apiUrl = `http://127.0.0.1:${API_PORT}`;
console.log(`dev: API on ${apiUrl} (database: ${runtime.databaseKind}, health: ${apiUrl}/health)`);
console.log(
  `dev: job worker ${env.JOBS_WORKER === "inline" ? "in this process" : "off (run the worker script)"}; ` +
    (runtime.localDns
      ? `local DNS server on ${runtime.localDns.host}:${runtime.localDns.port} (dig @${runtime.localDns.host} -p ${runtime.localDns.port} <host>)`
      : `provisioning: ${env.PROVISIONING}`),
);
// The CLI runs its commands through this process while it holds the embedded database.
const unpublishOperator = await publishOperatorEndpointOf(runtime, { address: "127.0.0.1", port: API_PORT });

const demoFile = join(dataDirectory(env), "demo.json");
if (!existsSync(demoFile)) {
  await mkdir(dataDirectory(env), { recursive: true });
  await writeFile(demoFile, JSON.stringify(await seedDemo(runtime, apiUrl), null, 2));
}
const demo = JSON.parse(await readFile(demoFile, "utf8")) as Awaited<ReturnType<typeof seedDemo>>;

const edgeVars = {
  ORIGIN_URL: apiUrl,
  ENVIRONMENT: env.ENVIRONMENT,
  PLATFORM_ROOT_DOMAIN: env.PLATFORM_ROOT_DOMAIN,
  EDGE_SHARED_SECRET: runtime.edgeSecret,
  BOTGATE_DEV: env.BOTGATE_DEV ? "1" : "0",
  ...(upstash ? { UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token } : {}),
};
const edge = spawn(
  process.execPath,
  [
    join(root, "scripts", "wrangler.mjs"),
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(EDGE_PORT),
    ...Object.entries(edgeVars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ],
  { cwd: root, stdio: ["ignore", "inherit", "inherit"] },
);

console.log(`
botgate is running on embedded defaults.
  admin app:         ${apiUrl}/admin/    (sign in with the token below)
  admin API (tRPC):  ${apiUrl}/trpc      token: ${demo.token}
  account:           ${demo.accountNumber} (admin user "${demo.username}")
  edge (workerd):    http://127.0.0.1:${EDGE_PORT}
  demo chatbots:
${demo.chatbots.map((c) => `    ${c.name.padEnd(10)} ${c.url}   (try: curl ${c.url.replace(/\/?$/, "/")}config/)`).join("\n")}
  CLI:               npm run botgate -- token create --account ${demo.accountNumber} --username ${demo.username}
Press Ctrl+C to stop.`);

async function buildAdminApp(): Promise<void> {
  const admin = join(root, "apps", "admin");
  const vite = spawn(
    process.execPath,
    [join(admin, "node_modules", "vite", "bin", "vite.js"), "build", "--logLevel", "warn"],
    {
      cwd: admin,
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  const code = await new Promise<number | null>((resolve) => vite.on("exit", resolve));
  if (code !== 0)
    console.error(`dev: the admin app did not build (vite exited with ${code}); /admin/ will say so`);
}

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  edge.kill("SIGTERM");
  api.close();
  await unpublishOperator();
  await runtime.close();
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
edge.on("exit", (code) => {
  if (!stopping) console.error(`dev: the edge (wrangler dev) exited with ${code}`);
});
