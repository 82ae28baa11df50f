// Edge benchmarks (`pnpm bench edge`): the worker in workerd (`wrangler dev`) against a bare
// Hono worker returning a constant JSON in the same runtime with the same settings, measured
// with autocannon on loopback in one run, plus the deployed bundle size. The real API origin
// (fresh test database) and the real Redis (through the Upstash-compatible endpoint) serve it.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { AppRouter, BootstrappedAccount } from "@botgate/api";
import { createTRPCClient, httpLink } from "@trpc/client";
import autocannon from "autocannon";
import superjson from "superjson";
import type { BenchRow, BenchSection } from "../../../scripts/bench-types.ts";
import { startStackProcess } from "../test/node/stack-process.ts";
import { bundleWorker } from "../test/node/worker-bundle.ts";
import { startWranglerDev, type WranglerDev } from "../test/node/wrangler-dev.ts";

const DURATION_S = 5;
const WARMUP_S = 2;
const ROUNDS = 5;
// Few connections: on 2 cores shared with the load generator, more only measure queueing.
const CONNECTIONS = 4;
const NEGATIVE_TTL_MS = 2_000;
/** The unknown-host flood: this many distinct hosts, one request each, from one client. */
const FLOOD_HOSTS = 10_000;
/** The edge's defaults (wrangler.toml [vars]): lookups per client and sliding window. */
const MISS_LIMIT = 60;
const MISS_WINDOW_S = 60;

type Requests = { headers: Record<string, string>; path?: string }[];

interface Load {
  rps: number;
  p99: number;
}

async function load(url: string, requests: Requests, seconds = DURATION_S): Promise<Load> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, requests });
  if (result.errors > 0) throw new Error(`${result.errors} connection errors against ${url}`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

interface Flood {
  seconds: number;
  rps: number;
  sent: number;
  statuses: Record<string, number>;
}

/** `hosts.length` requests, each for the next host, from one client address. */
async function flood(url: string, hosts: string[], clientIp: string): Promise<Flood> {
  let next = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    amount: hosts.length,
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          headers: {
            ...request.headers,
            host: hosts[next++ % hosts.length] ?? "",
            "cf-connecting-ip": clientIp,
          },
        }),
      },
    ],
  });
  if (result.errors > 0) throw new Error(`${result.errors} connection errors against ${url}`);
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([status, { count = 0 }]) => [status, count]),
  );
  return { seconds: result.duration, rps: result.requests.average, sent: next, statuses };
}

/** Known-host load for as long as `during` runs. */
async function loadWhile(url: string, requests: Requests, during: Promise<unknown>): Promise<Load> {
  let instance: autocannon.Instance | undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon({ url, connections: CONNECTIONS, duration: 600, requests }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
  await during.finally(() => instance?.stop());
  // (Stopping may cut requests in flight: their errors say nothing about the edge.)
  const result = await finished;
  return { rps: result.requests.average, p99: result.latency.p99 };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/** A scenario measured in every round, right after the baseline of that round. */
interface Scenario {
  name: string;
  url: string;
  requests: Requests;
  goal?: number;
  rounds: Load[];
  /** The baseline measured right before or after each round of this scenario. */
  baselines: Load[];
}

/**
 * Medians of the per-round ratios: every round pairs the scenario with a baseline run next to
 * it (alternating which goes first), so drifts of a shared 2-core machine cancel out.
 */
function ratioRows(scenario: Scenario): BenchRow[] {
  const { rounds, baselines } = scenario;
  const throughput = median(rounds.map((r, i) => r.rps / (baselines[i]?.rps ?? Number.NaN)));
  // Lower latency is better: the ratio is baseline / value, so above 1 means faster than bare.
  const latency = median(rounds.map((r, i) => (baselines[i]?.p99 ?? Number.NaN) / r.p99));
  const goal = scenario.goal;
  const goalText = goal === undefined ? undefined : `≥ ${goal} of bare Hono`;
  return [
    {
      name: `${scenario.name}: throughput`,
      value: round(median(scenario.rounds.map((r) => r.rps)), 0),
      unit: "req/s",
      baseline: round(median(baselines.map((r) => r.rps)), 0),
      ratio: round(throughput),
      ...(goal === undefined ? {} : { goal: goalText, met: throughput >= goal }),
    },
    {
      name: `${scenario.name}: p99 latency (ratio = bare / edge)`,
      value: median(scenario.rounds.map((r) => r.p99)),
      unit: "ms",
      baseline: median(baselines.map((r) => r.p99)),
      ratio: round(latency),
      ...(goal === undefined ? {} : { goal: goalText, met: latency >= goal }),
    },
  ];
}

/** Fails the benchmark rather than measuring the wrong thing (node:http: fetch cannot set Host). */
async function expectStatus(url: string, requests: Requests, status: number): Promise<void> {
  const first = requests[0];
  const actual = await new Promise<number | undefined>((resolve, reject) => {
    const request = httpRequest(
      `${url}${first?.path ?? "/"}`,
      { headers: first?.headers ?? {} },
      (response) => {
        response.resume();
        resolve(response.statusCode);
      },
    );
    request.on("error", reject);
    request.end();
  });
  if (actual !== status) throw new Error(`expected ${status} from ${url}, got ${actual}`);
}

async function bundleSizeKiB(): Promise<number> {
  const outdir = await mkdtemp(join(tmpdir(), "botgate-edge-bundle-"));
  try {
    return gzipSync(await readFile(await bundleWorker(outdir))).length / 1024;
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchSection[]> {
  // The origin, Redis endpoint and control server run in a child process: autocannon keeps
  // this process's event loop to itself.
  const stack = await startStackProcess();
  const workers: WranglerDev[] = [];
  try {
    const control = async <T>(path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${stack.controlUrl}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!response.ok) throw new Error(`control ${path}: ${response.status}`);
      return (await response.json()) as T;
    };
    const account = await control<BootstrappedAccount>("/accounts", {});
    const client = createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: `${stack.originUrl}/trpc`,
          transformer: superjson,
          headers: { authorization: `Bearer ${account.token}` },
        }),
      ],
    });
    const deployed = async (name: string) =>
      client.chatbot.deploy.mutate({
        id: (await client.chatbot.create.mutate({ name, provider: "echo" })).id,
      });
    const chatbot = await deployed("benchBot");
    const keyed = await deployed("keyedBot");
    await client.apiKey.create.mutate({ chatbotId: keyed.id, name: "bench" });

    const edgeVars = (routeCacheTtlMs: number) => ({
      ORIGIN_URL: stack.originUrl,
      UPSTASH_REDIS_REST_URL: stack.upstashUrl,
      UPSTASH_REDIS_REST_TOKEN: stack.upstashToken,
      EDGE_SHARED_SECRET: stack.edgeSecret,
      ROUTE_CACHE_TTL_MS: String(routeCacheTtlMs),
      ROUTE_NEGATIVE_TTL_MS: String(NEGATIVE_TTL_MS),
    });
    console.log("bench edge: starting the bare worker and two edge workers (wrangler dev)");
    // One after the other, each recorded at once: a failed start must not leak the others.
    const start = async (options: Parameters<typeof startWranglerDev>[0]) => {
      const worker = await startWranglerDev(options);
      workers.push(worker);
      return worker;
    };
    const bare = await start({ config: fileURLToPath(new URL("bare.wrangler.toml", import.meta.url)) });
    const edge = await start({ vars: edgeVars(5_000) });
    const edgeNoL1 = await start({ vars: edgeVars(1) });

    const page: Requests = [{ headers: { host: chatbot.defaultHost } }];
    const keyRequired: Requests = [{ headers: { host: keyed.defaultHost }, path: "/config/" }];
    // Default-host and custom-host shapes, every one unknown and distinct.
    const floodRun = `f${Date.now().toString(36)}`;
    const floodHosts = Array.from({ length: FLOOD_HOSTS }, (_, i) =>
      i % 2 === 0
        ? `${floodRun}-${i}.${account.accountNumber}.api.local.botgate.localhost`
        : `${floodRun}-${i}.example.org`,
    );
    await expectStatus(bare.url, page, 200);
    await expectStatus(edge.url, page, 200);
    await expectStatus(edge.url, keyRequired, 401);
    await expectStatus(edgeNoL1.url, page, 200);

    const scenarios: Scenario[] = [
      {
        name: "L1 hit, chat page (HTML from static assets)",
        url: edge.url,
        requests: page,
        goal: 0.85,
        rounds: [],
        baselines: [],
      },
      {
        name: "L1 hit, edge-answered JSON (401: API key required)",
        url: edge.url,
        requests: keyRequired,
        goal: 0.85,
        rounds: [],
        baselines: [],
      },
      {
        name: "Redis hit (L1 lifetime 1 ms), chat page",
        url: edgeNoL1.url,
        requests: page,
        rounds: [],
        baselines: [],
      },
    ];
    for (const s of [{ url: bare.url, requests: page }, ...scenarios])
      await load(s.url, s.requests, WARMUP_S);
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`bench edge: round ${round} of ${ROUNDS}`);
      for (const scenario of scenarios) {
        const measureScenario = async () => scenario.rounds.push(await load(scenario.url, scenario.requests));
        const measureBaseline = async () => scenario.baselines.push(await load(bare.url, page));
        if (round % 2 === 1) await measureBaseline().then(measureScenario);
        else await measureScenario().then(measureBaseline);
      }
    }
    console.log(`bench edge: unknown-host flood (${FLOOD_HOSTS} hosts, one client)`);
    const knownBefore = await load(edge.url, page);
    const floodRunning = flood(edge.url, floodHosts, `203.0.113.${1 + Math.floor(Math.random() * 254)}`);
    const knownDuring = await loadWhile(edge.url, page, floodRunning);
    const floodResult = await floodRunning;
    const knownAfter = await load(edge.url, page);
    const { count: floodOriginCalls } = await control<{ count: number }>(
      `/resolve-calls?prefix=${encodeURIComponent(`host:${floodRun}-`)}`,
    );
    // A sliding window lets through at most the limit, plus what the window slides by meanwhile.
    const floodBound = Math.floor(MISS_LIMIT * (1 + floodResult.seconds / MISS_WINDOW_S));
    const bundle = await bundleSizeKiB();

    return [
      {
        title: "Edge gateway (workerd via wrangler dev)",
        baseline: `a bare Hono worker answering a constant JSON in the same runtime (wrangler dev, same compatibility date and settings); autocannon, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_S} s per scenario (after a ${WARMUP_S} s warm-up), each paired with a baseline run next to it; medians of the per-round ratios`,
        rows: [
          ...scenarios.flatMap((scenario) => ratioRows(scenario)),
          {
            name: `unknown-host flood: origin /internal/resolve calls for ${Math.min(floodResult.sent, FLOOD_HOSTS)} distinct unknown hosts from one client in ${round(floodResult.seconds, 1)} s (baseline: one per host)`,
            value: floodOriginCalls,
            unit: "calls",
            baseline: FLOOD_HOSTS,
            ratio: round(floodOriginCalls / FLOOD_HOSTS, 4),
            goal: `≤ ${floodBound} (RESOLVE_MISS_LIMIT ${MISS_LIMIT} × (1 + ${round(floodResult.seconds, 1)} s / ${MISS_WINDOW_S} s))`,
            met: floodOriginCalls <= floodBound && floodResult.sent >= FLOOD_HOSTS,
          },
          {
            name: `unknown-host flood: answers (${Object.entries(floodResult.statuses)
              .map(([status, count]) => `${count} × ${status}`)
              .join(", ")})`,
            value: round(floodResult.rps, 0),
            unit: "req/s",
          },
          {
            name: "known host (L1 hit, chat page) during the flood, same client address: throughput",
            value: round(knownDuring.rps, 0),
            unit: "req/s",
            baseline: round(knownBefore.rps, 0),
            ratio: round(knownDuring.rps / knownBefore.rps),
          },
          {
            name: "known host after the flood: throughput",
            value: round(knownAfter.rps, 0),
            unit: "req/s",
            baseline: round(knownBefore.rps, 0),
            ratio: round(knownAfter.rps / knownBefore.rps),
            goal: "≥ 0.85 of before the flood",
            met: knownAfter.rps / knownBefore.rps >= 0.85,
          },
          {
            name: "deployed bundle (wrangler deploy --dry-run), gzipped",
            value: round(bundle, 1),
            unit: "KiB",
            goal: "< 100 KiB",
            met: bundle < 100,
          },
        ],
        notes: [
          "Every worker runs behind wrangler dev's local proxy on the same 2 cores as autocannon, the origin and Redis: absolute figures are low and noisy (±10 % between runs); compare the ratios.",
          "The chat page run returns 4 KiB of HTML against the baseline's 11 bytes of JSON; the 401 run returns a JSON body of comparable size after the same classification and L1 lookup, so it isolates the routing overhead.",
          `The L1 and flood runs use the production lifetimes (found routes 5 s, unknown hosts ${NEGATIVE_TTL_MS / 1000} s); the Redis run sets the L1 lifetime to 1 ms, so nearly every request reads Redis (concurrent requests for one key still share a read).`,
          `The flood sends each of ${FLOOD_HOSTS} distinct unknown hosts once (${CONNECTIONS} connections, one client address) to an edge with the default RESOLVE_MISS_LIMIT ${MISS_LIMIT} per RESOLVE_MISS_WINDOW_S ${MISS_WINDOW_S}; every request still costs a Redis read, only origin lookups are limited. "Before", "during" and "after" are the known host's chat page on the same worker; "during" shares the 2 cores with the flood's own requests.`,
        ],
      },
    ];
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await stack.stop();
  }
}
