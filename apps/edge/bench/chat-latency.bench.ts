// Chat latency benchmarks (`pnpm bench chat-latency`): what the platform adds to a provider
// call. The same /v1/chat/completions request, at a fixed request rate, one at a time, the
// ways interleaved so they share the machine's noise: straight to the fake OpenAI provider
// (the baseline), to the origin directly, and through the edge (workerd, `wrangler dev`) and
// the origin. Reported as added milliseconds at p50 and p99, and the time to the first
// streamed byte added. The fake provider, the API and Redis are the edge tests' stack. A
// fourth way, a bare Hono worker under `wrangler dev` (edge.bench.ts's baseline), sizes the
// local proxy's own hop, which production does not have.
import { Agent, request as httpRequest } from "node:http";
import { fileURLToPath } from "node:url";
import type { AppRouter, BootstrappedAccount } from "@botgate/api";
import { createTRPCClient, httpLink } from "@trpc/client";
import superjson from "superjson";
import type { BenchRow, BenchSection } from "../../../scripts/bench-types.ts";
import { startStackProcess } from "../test/node/stack-process.ts";
import { startWranglerDev, type WranglerDev } from "../test/node/wrangler-dev.ts";

/** Requests per way; one every INTERVAL_MS, round-robin over the ways. */
const SAMPLES = 300;
const WARMUP = 30;
const INTERVAL_MS = 10;
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

interface Target {
  url: string;
  headers: Record<string, string>;
}

/** Total time and time to the first body byte of one POST, in ms. */
function timedPost(target: Target, body: string): Promise<{ totalMs: number; firstByteMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstByteMs = -1;
    const req = httpRequest(
      target.url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          ...target.headers,
        },
      },
      (res) => {
        if (res.statusCode !== 200) reject(new Error(`${target.url}: ${res.statusCode}`));
        res.on("data", () => {
          if (firstByteMs < 0) firstByteMs = performance.now() - started;
        });
        res.on("end", () => resolve({ totalMs: performance.now() - started, firstByteMs }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(targets: Record<string, Target>, body: string) {
  const samples: Record<string, { total: number[]; firstByte: number[] }> = {};
  for (const name of Object.keys(targets)) samples[name] = { total: [], firstByte: [] };
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    for (const [name, target] of Object.entries(targets)) {
      const { totalMs, firstByteMs } = await timedPost(target, body);
      if (i >= WARMUP) {
        samples[name]?.total.push(totalMs);
        samples[name]?.firstByte.push(firstByteMs);
      }
      await sleep(INTERVAL_MS);
    }
  }
  return samples;
}

export async function run(): Promise<BenchSection[]> {
  const stack = await startStackProcess();
  let worker: WranglerDev | undefined;
  let bareWorker: WranglerDev | undefined;
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
    worker = await startWranglerDev({
      vars: {
        ORIGIN_URL: stack.originUrl,
        UPSTASH_REDIS_REST_URL: stack.upstashUrl,
        UPSTASH_REDIS_REST_TOKEN: stack.upstashToken,
        EDGE_SHARED_SECRET: stack.edgeSecret,
        ROUTE_CACHE_TTL_MS: "60000",
      },
    });
    bareWorker = await startWranglerDev({
      config: fileURLToPath(new URL("bare.wrangler.toml", import.meta.url)),
    });
    const targets: Record<string, Target> = {
      provider: {
        url: `${stack.fakeOpenAiUrl}/chat/completions`,
        headers: { authorization: "Bearer sk-fake" },
      },
      origin: {
        url: `${stack.originUrl}/api/v1/chatbots/${chatbot.hashedId}/v1/chat/completions`,
        headers: { authorization: `Bearer ${account.token}` },
      },
      edge: { url: `${worker.url}/v1/chat/completions`, headers: { host: chatbot.defaultHost } },
      // Answers its constant JSON to any request: wrangler dev's hop and workerd, nothing else.
      bareWorker: { url: `${bareWorker.url}/v1/chat/completions`, headers: {} },
    };
    const message = { model: "gpt-test", messages: [{ role: "user", content: "how fast is this" }] };
    console.log("bench chat-latency: non-streamed calls");
    const plain = await measure(targets, JSON.stringify(message));
    console.log("bench chat-latency: streamed calls");
    const streamed = await measure(targets, JSON.stringify({ ...message, stream: true }));

    const rows: BenchRow[] = [];
    const added = (name: string, way: "origin" | "edge" | "bareWorker", q: number, goalMs?: number) => {
      const base = quantile(plain.provider?.total ?? [], q);
      const value = quantile(plain[way]?.total ?? [], q);
      rows.push({
        name,
        value: value - base,
        unit: "ms added",
        baseline: base,
        ratio: value / base,
        ...(goalMs === undefined ? {} : { goal: `≤ ${goalMs} ms added`, met: value - base <= goalMs }),
      });
    };
    added("edge + origin, p50", "edge", 0.5, 3);
    added("edge + origin, p99", "edge", 0.99, 10);
    added("origin alone, p50", "origin", 0.5);
    added("origin alone, p99", "origin", 0.99);
    added("wrangler dev's own hop (bare Hono worker), p50", "bareWorker", 0.5);
    added("wrangler dev's own hop (bare Hono worker), p99", "bareWorker", 0.99);
    const baseFirst = quantile(streamed.provider?.firstByte ?? [], 0.5);
    const edgeFirst = quantile(streamed.edge?.firstByte ?? [], 0.5);
    rows.push({
      name: "time to first streamed byte, edge + origin, p50",
      value: edgeFirst - baseFirst,
      unit: "ms added",
      baseline: baseFirst,
      ratio: edgeFirst / baseFirst,
      goal: "≤ 5 ms added",
      met: edgeFirst - baseFirst <= 5,
    });
    const originFirst = quantile(streamed.origin?.firstByte ?? [], 0.5);
    rows.push({
      name: "time to first streamed byte, origin alone, p50",
      value: originFirst - baseFirst,
      unit: "ms added",
      baseline: baseFirst,
      ratio: originFirst / baseFirst,
    });
    return [
      {
        title: "Chat latency: what the platform adds to a provider call",
        baseline:
          "the same request straight to the fake OpenAI provider (baseline column: its latency in ms)",
        rows,
        notes: [
          `${SAMPLES} requests per way after ${WARMUP} of warm-up, one at a time, the four ways interleaved, ${INTERVAL_MS} ms apart (about ${Math.round(1000 / (4 * INTERVAL_MS))} requests/s per way).`,
          "The edge runs in `wrangler dev`, whose local proxy adds its own hop; in production the edge is Cloudflare's. The hop rows size it: a bare Hono worker (edge.bench.ts's baseline) answering a constant JSON under `wrangler dev`, against the fake provider's answer from Node (slightly more work, so the hop is if anything understated). Edge + origin less that hop approximates what the platform itself adds.",
          "Origin alone: the direct /api/v1/chatbots/<id>/v1/ path with an account token (sandbox mode, one more key lookup than a public host).",
          "Each origin call also verifies a signed forward (edge) or a credential, loads the chatbot and queues the request log.",
        ],
      },
    ];
  } finally {
    await worker?.stop();
    await bareWorker?.stop();
    await stack.stop();
    agent.destroy();
  }
}
