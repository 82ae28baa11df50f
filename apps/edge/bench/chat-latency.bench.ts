// Chat latency benchmarks (`pnpm bench chat-latency`): what the platform adds to a provider
// call. The same /v1/chat/completions request, at a fixed request rate, one at a time, the
// ways interleaved so they share the machine's noise: straight to the fake OpenAI provider
// (the baseline), to the origin directly, and through the edge and the origin, the edge served
// twice: in workerd by Miniflare with nothing in front (the goals: production has no local proxy
// either) and under `wrangler dev`, whose proxy adds its own hop. A bare Hono worker under
// `wrangler dev` (edge.bench.ts's baseline) sizes that hop, and two bare proxy hops (a proxy
// worker in Miniflare, a proxy in Node) give the floor any edge + origin pays on this machine. Reported as added milliseconds at
// p50 and p99, and the time to the first streamed byte added. The fake provider, the API (on the
// machine's PostgreSQL) and Redis are the edge tests' stack.
import { request as httpRequest } from "node:http";
import { fileURLToPath } from "node:url";
import type { AppRouter, BootstrappedAccount } from "@botgate/api";
import { createTRPCClient, httpLink } from "@trpc/client";
import superjson from "superjson";
import type { BenchRow, BenchSection } from "../../../scripts/bench-types.ts";
import { startStackProcess } from "../test/node/stack-process.ts";
import { startWorkerdDirect, type WorkerdDirect } from "../test/node/workerd-direct.ts";
import { startWranglerDev, type WranglerDev } from "../test/node/wrangler-dev.ts";
import { closeConnections, measure, quantile, type Samples, type Target } from "./chat-timing.ts";

/** Requests per way; one every INTERVAL_MS, round-robin over the ways. */
const SAMPLES = 300;
const WARMUP = 30;
const INTERVAL_MS = 10;
/** Production's kind of database, as .ci/run defaults it. */
const DATABASE_URL = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";

type Way = "provider" | "origin" | "edge" | "edgeWranglerDev" | "bareWorker" | "floor";

/** The status of a GET, for checking that a worker serves before measuring it. */
function getStatus(url: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers: { host } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    })
      .on("error", reject)
      .end();
  });
}

function rowsFor(plain: Record<Way, Samples>, streamed: Record<Way, Samples>): BenchRow[] {
  const rows: BenchRow[] = [];
  const addedRow = (name: string, base: number, value: number, goalMs?: number) =>
    rows.push({
      name,
      value: value - base,
      unit: "ms added",
      baseline: base,
      ratio: value / base,
      ...(goalMs === undefined ? {} : { goal: `≤ ${goalMs} ms added`, met: value - base <= goalMs }),
    });
  const total = (name: string, way: Way, q: number, goalMs?: number) =>
    addedRow(name, quantile(plain.provider.total, q), quantile(plain[way].total, q), goalMs);
  const firstByte = (name: string, way: Way, goalMs?: number) =>
    addedRow(
      name,
      quantile(streamed.provider.firstByte, 0.5),
      quantile(streamed[way].firstByte, 0.5),
      goalMs,
    );

  total("edge + origin, workerd without wrangler's proxy (Miniflare), p50", "edge", 0.5, 3);
  total("edge + origin, workerd without wrangler's proxy (Miniflare), p99", "edge", 0.99, 10);
  total("two bare proxy hops (a proxy worker in Miniflare, a Hono proxy in Node), p50", "floor", 0.5);
  total("two bare proxy hops, p99", "floor", 0.99);
  const aboveFloor = (name: string, q: number) => {
    const floor = quantile(plain.floor.total, q);
    const edge = quantile(plain.edge.total, q);
    rows.push({ name, value: edge - floor, unit: "ms", baseline: floor, ratio: edge / floor });
  };
  aboveFloor("edge + origin above the two bare hops (baseline column: the hops' latency), p50", 0.5);
  aboveFloor("edge + origin above the two bare hops, p99", 0.99);
  total("edge + origin under wrangler dev, p50", "edgeWranglerDev", 0.5);
  total("edge + origin under wrangler dev, p99", "edgeWranglerDev", 0.99);
  total("origin alone, p50", "origin", 0.5);
  total("origin alone, p99", "origin", 0.99);
  total("wrangler dev's own hop (bare Hono worker), p50", "bareWorker", 0.5);
  total("wrangler dev's own hop (bare Hono worker), p99", "bareWorker", 0.99);
  firstByte("time to first streamed byte, edge + origin (Miniflare), p50", "edge", 5);
  firstByte("time to first streamed byte, two bare proxy hops, p50", "floor");
  firstByte("time to first streamed byte, edge + origin under wrangler dev, p50", "edgeWranglerDev");
  firstByte("time to first streamed byte, origin alone, p50", "origin");
  return rows;
}

export async function run(): Promise<BenchSection[]> {
  const stack = await startStackProcess({ env: { DATABASE_URL } });
  let edge: WorkerdDirect | undefined;
  let edgeWranglerDev: WranglerDev | undefined;
  let bareWorker: WranglerDev | undefined;
  let proxyWorker: WorkerdDirect | undefined;
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
    const created = await client.chatbot.create.mutate({
      name: `latency${Date.now().toString(36)}`,
      provider: "openai",
      defaultModel: "gpt-test",
      // Far above what the run sends from its one client: every request is still counted
      // (the limiter's Redis round trips are part of what the edge adds), none refused.
      rateLimitRequests: 1_000_000,
      rateLimitClientRequests: 1_000_000,
    });
    const chatbot = await client.chatbot.deploy.mutate({ id: created.id });
    const vars = {
      ORIGIN_URL: stack.originUrl,
      UPSTASH_REDIS_REST_URL: stack.upstashUrl,
      UPSTASH_REDIS_REST_TOKEN: stack.upstashToken,
      EDGE_SHARED_SECRET: stack.edgeSecret,
      ROUTE_CACHE_TTL_MS: "60000",
    };
    edge = await startWorkerdDirect({ vars });
    edgeWranglerDev = await startWranglerDev({ vars });
    bareWorker = await startWranglerDev({
      config: fileURLToPath(new URL("bare.wrangler.toml", import.meta.url)),
    });
    proxyWorker = await startWorkerdDirect({
      config: fileURLToPath(new URL("proxy.wrangler.toml", import.meta.url)),
      vars: { TARGET: stack.bareProxyUrl },
    });
    // The chat page comes from the ASSETS binding: both edges must serve it like production.
    for (const { url } of [edge, edgeWranglerDev]) {
      const status = await getStatus(`${url}/`, chatbot.defaultHost);
      if (status !== 200) throw new Error(`the chat page through ${url}: ${status}`);
    }
    const chatHost = { host: chatbot.defaultHost };
    const targets: Record<Way, Target> = {
      provider: {
        url: `${stack.fakeOpenAiUrl}/chat/completions`,
        headers: { authorization: "Bearer sk-fake" },
      },
      origin: {
        url: `${stack.originUrl}/api/v1/chatbots/${chatbot.hashedId}/v1/chat/completions`,
        headers: { authorization: `Bearer ${account.token}` },
      },
      edge: { url: `${edge.url}/v1/chat/completions`, headers: chatHost },
      edgeWranglerDev: { url: `${edgeWranglerDev.url}/v1/chat/completions`, headers: chatHost },
      // Answers its constant JSON to any request: wrangler dev's hop and workerd, nothing else.
      bareWorker: { url: `${bareWorker.url}/v1/chat/completions`, headers: {} },
      // What two hops cost with nothing but forwarding: workerd's fetch, Node's HTTP server and
      // fetch, on this machine; the edge and the origin add their work on top of it.
      floor: { url: `${proxyWorker.url}/v1/chat/completions`, headers: {} },
    };
    const ways = Object.keys(targets).length;
    const options = { samples: SAMPLES, warmup: WARMUP, intervalMs: INTERVAL_MS };
    const message = { model: "gpt-test", messages: [{ role: "user", content: "how fast is this" }] };
    console.log("bench chat-latency: non-streamed calls");
    const plain = await measure(targets, JSON.stringify(message), options);
    console.log("bench chat-latency: streamed calls");
    const streamed = await measure(targets, JSON.stringify({ ...message, stream: true }), options);
    const database = new URL(DATABASE_URL);
    return [
      {
        title: "Chat latency: what the platform adds to a provider call",
        baseline:
          "the same request straight to the fake OpenAI provider (baseline column: its latency in ms)",
        rows: rowsFor(plain, streamed),
        notes: [
          `${SAMPLES} requests per way after ${WARMUP} of warm-up, one at a time, the ${ways} ways interleaved, ${INTERVAL_MS} ms apart (about ${Math.round(1000 / (ways * INTERVAL_MS))} requests/s per way).`,
          "The goals are on the edge in workerd without wrangler's proxy: the bundle `wrangler deploy --dry-run` writes, served by Miniflare (the library `wrangler dev` runs) with wrangler.toml's compatibility date and flags, [vars] and [assets], and nothing in front of workerd but Miniflare's entry worker; production has no local proxy either. Its chat page (ASSETS) is checked to answer 200 before measuring.",
          "The same edge under `wrangler dev` is information: its local proxy adds a hop. The hop rows size it: a bare Hono worker (edge.bench.ts's baseline) answering a constant JSON under `wrangler dev`, against the fake provider's answer from Node (slightly more work, so the hop is if anything understated).",
          "Origin alone: the direct /api/v1/chatbots/<id>/v1/ path with an account token (sandbox mode, one more key lookup than a public host).",
          "The two bare proxy hops are the floor of this architecture on this machine: the same request through a Hono worker in Miniflare (bench/proxy-worker.ts, same runtime and settings as the edge) that passes it with fetch to a Hono app on @hono/node-server (the origin's HTTP stack) that passes it with fetch to the provider, and nothing else. What the edge and the origin add on top of those hops is their own work: routing, signing and checking the forward, admission, rate limits, the provider client, the request log.",
          "Each origin call also verifies a signed forward (edge) or a credential, reads the chatbot's admission version (the chatbot itself comes from the process's cache), counts the chat rate limits and queues the request log.",
          `Database: a fresh database on the PostgreSQL server at ${database.host} (DATABASE_URL, default the machine's, as .ci/run); Redis: the machine's, through the Upstash-compatible endpoint for the edge, and for the origin's forward nonces and chat rate limits over its own TCP connection (REDIS_URL), as in production.`,
        ],
      },
    ];
  } finally {
    await edge?.stop();
    await edgeWranglerDev?.stop();
    await bareWorker?.stop();
    await proxyWorker?.stop();
    await stack.stop();
    closeConnections();
  }
}
