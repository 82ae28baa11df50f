// The edge's own cost per request, in process (`pnpm bench edge-inprocess`): its fetch handler
// called in a loop with tinybench on an L1 route hit (a chatbot's page at its default host,
// answered by the edge itself), next to a bare Hono app answering a constant page. Run in
// Node with `cloudflare:workers` shimmed (workers-shim.mjs): through `wrangler dev` the local
// proxy caps both at about 1,100 requests per second and hides the worker's cost.
import { readFile } from "node:fs/promises";
import { register } from "node:module";
import { join } from "node:path";
import type { AppRouter, BootstrappedAccount } from "@botgate/api";
import { createTRPCClient, httpLink } from "@trpc/client";
import { Hono } from "hono";
import superjson from "superjson";
import { Bench } from "tinybench";
import type { BenchSection } from "../../../scripts/bench-types.ts";
import { startStackProcess } from "../test/node/stack-process.ts";

register("./workers-hooks.mjs", import.meta.url);

const CHAT_DIST = join(import.meta.dirname, "..", "..", "chat", "dist");

/** Rounds of the three tasks. */
const ROUNDS = 10;

const assetBytes = new Map<string, Promise<Uint8Array | null>>();

/** Read once, then served from memory, like the platform's asset server. */
async function assetResponse(path: string): Promise<Response> {
  let bytes = assetBytes.get(path);
  if (bytes === undefined) {
    bytes = readFile(join(CHAT_DIST, path)).then(
      (b) => new Uint8Array(b),
      () => null,
    );
    assetBytes.set(path, bytes);
  }
  const body = await bytes;
  return body === null ? new Response("not found", { status: 404 }) : new Response(body);
}

export async function run(): Promise<BenchSection[]> {
  const stack = await startStackProcess();
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
      name: `inproc${Date.now().toString(36)}`,
      provider: "echo",
    });
    await client.chatbot.deploy.mutate({ id: created.id });
    // The deployment job makes it ready moments later.
    let chatbot = await client.chatbot.get.query({ id: created.id });
    for (const deadline = Date.now() + 60_000; !chatbot.ready; ) {
      if (Date.now() > deadline) throw new Error(`chatbot ${created.id} never became ready`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      chatbot = await client.chatbot.get.query({ id: created.id });
    }

    // Through a variable: the Node typecheck must not follow the worker's (workerd-typed) sources.
    const workerEntry = "../src/index.ts";
    const { default: edge } = (await import(workerEntry)) as {
      default: { fetch(request: Request, env: unknown, ctx: unknown): Response | Promise<Response> };
    };
    const env = {
      ENVIRONMENT: "local",
      PLATFORM_ROOT_DOMAIN: "botgate.localhost",
      ORIGIN_URL: stack.originUrl,
      UPSTASH_REDIS_REST_URL: stack.upstashUrl,
      UPSTASH_REDIS_REST_TOKEN: stack.upstashToken,
      EDGE_SHARED_SECRET: stack.edgeSecret,
      ROUTE_CACHE_TTL_MS: "60000",
      // Workers Static Assets, as wrangler serves apps/chat's build.
      ASSETS: { fetch: async (input: string) => assetResponse(new URL(input).pathname) },
    };
    const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} };
    const url = `http://${chatbot.defaultHost}/`;
    const first = await edge.fetch(new Request(url), env, ctx);
    if (first.status !== 200) throw new Error(`edge answered ${first.status}: ${await first.text()}`);
    await first.arrayBuffer();
    const page = await (await edge.fetch(new Request(url), env, ctx)).text();

    const bare = new Hono();
    bare.get("*", (c) => c.html(page));
    // The same response, headers included (the page's security headers, Server-Timing and
    // X-Request-Id): what the edge adds beyond building the answer it must give.
    const pageHeaders = [...(await edge.fetch(new Request(url), env, ctx)).headers];
    const sameResponse = new Hono();
    sameResponse.get("*", () => new Response(page, { headers: pageHeaders }));

    const tasks: Record<string, () => Promise<Response>> = {
      bare: async () => bare.fetch(new Request(url), env, ctx),
      sameResponse: async () => sameResponse.fetch(new Request(url), env, ctx),
      edge: async () => edge.fetch(new Request(url), env, ctx),
    };
    // Short rounds, the order rotating, and the median of each round's ratio: the machine's
    // load drifts by tens of percent within a minute, and a task measured after the others
    // would bear it alone.
    const names = Object.keys(tasks);
    const means: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const bench = new Bench({ time: 400, warmup: true, warmupTime: 100 });
      for (let i = 0; i < names.length; i++) {
        const name = names[(round + i) % names.length] as string;
        const task = tasks[name] as () => Promise<Response>;
        bench.add(name, async () => {
          await (await task()).arrayBuffer();
        });
      }
      await bench.run();
      for (const name of names) {
        const result = bench.getTask(name)?.result;
        const mean = result && "latency" in result ? result.latency.mean : Number.NaN;
        means[name]?.push(mean);
      }
    }
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
    const ratioTo = (name: string, base: string) =>
      median((means[name] ?? []).map((value, round) => value / (means[base]?.[round] ?? Number.NaN)));
    const ms = (name: string) => median(means[name] ?? []) * 1000;
    const edgeRatio = ratioTo("edge", "bare");
    return [
      {
        title: "Edge in process: the worker's own cost on an L1 route hit",
        baseline: "a bare Hono app answering the same page, in the same process and run",
        rows: [
          {
            name: "mean time per request, edge L1 hit",
            value: ms("edge"),
            unit: "µs",
            baseline: ms("bare"),
            ratio: edgeRatio,
            goal: "≤ 1.3× bare Hono",
            met: edgeRatio <= 1.3,
          },
          {
            name: "bare Hono answering the edge's whole response (its 7 headers too)",
            value: ms("sameResponse"),
            unit: "µs",
            baseline: ms("bare"),
            ratio: ratioTo("sameResponse", "bare"),
          },
          {
            name: "edge L1 hit next to that app: classification, lookup, request id",
            value: ms("edge"),
            unit: "µs",
            baseline: ms("sameResponse"),
            ratio: ratioTo("edge", "sameResponse"),
          },
        ],
        notes: [
          "Node with `cloudflare:workers` shimmed (waitUntil only); the handler is the worker's default export, called with real bindings.",
          "The request is a chatbot page at its default host: classification, the L1 lookup, security headers and the constant page.",
          `${ROUNDS} rounds of 0.4 s per task, the order rotating; figures are medians of the rounds' means, ratios medians of the rounds' ratios.`,
          "In Node, Response and Headers are undici's JavaScript, which validates every header it is given: the page's security headers alone cost about what the edge's own work does (second row). In workerd they are native.",
        ],
      },
    ];
  } finally {
    await stack.stop();
  }
}
