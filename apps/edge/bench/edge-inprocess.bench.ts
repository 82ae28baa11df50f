// The edge's own cost per request, in process (`pnpm bench edge-inprocess`): its fetch handler
// called in a loop with tinybench on an L1 route hit (a chatbot's page at its default host,
// answered by the edge itself), next to a bare Hono app answering a constant page. Run twice:
// in workerd, the production runtime (workerd/worker.ts, served by Miniflare), and in Node with
// `cloudflare:workers` shimmed (workers-shim.mjs). Through `wrangler dev` the local proxy caps
// both at about 1,100 requests per second and hides the worker's cost.
import { readFile } from "node:fs/promises";
import { register } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AppRouter, BootstrappedAccount } from "@botgate/api";
import { createTRPCClient, httpLink } from "@trpc/client";
import superjson from "superjson";
import type { BenchRow, BenchSection } from "../../../scripts/bench-types.ts";
import { startStackProcess } from "../test/node/stack-process.ts";
import { startWorkerdDirect, type WorkerdDirect } from "../test/node/workerd-direct.ts";
import { type InProcessRun, l1HitTasks, measureInRounds, type RoundMeans, summarize } from "./inprocess.ts";

register("./workers-hooks.mjs", import.meta.url);

const CHAT_DIST = join(import.meta.dirname, "..", "..", "chat", "dist");

/** Rounds of the three tasks: each task runs ITERATIONS × BATCH calls per round, timed per batch. */
const ROUNDS = 100;
const ITERATIONS = 5;
/** About 6 ms of calls: workerd's clock ticks in whole milliseconds. */
const BATCH = 200;
const ROUNDS_OPTIONS = { rounds: ROUNDS, iterations: ITERATIONS, batch: BATCH };

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
      default: { fetch(request: Request, env: Record<string, unknown>, ctx: never): Promise<Response> };
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
    const nodeMeans = await measureInRounds(await l1HitTasks(edge, url, env, ctx), ROUNDS_OPTIONS);

    // The same three tasks inside workerd: the worker gets the same bindings, its own copy of
    // the edge (and so its own L1), and the same chatbot page to answer.
    let worker: WorkerdDirect | undefined;
    let workerdMeans: RoundMeans;
    try {
      worker = await startWorkerdDirect({
        config: fileURLToPath(new URL("workerd/inprocess.wrangler.toml", import.meta.url)),
        vars: {
          ENVIRONMENT: env.ENVIRONMENT,
          PLATFORM_ROOT_DOMAIN: env.PLATFORM_ROOT_DOMAIN,
          ORIGIN_URL: env.ORIGIN_URL,
          UPSTASH_REDIS_REST_URL: env.UPSTASH_REDIS_REST_URL,
          UPSTASH_REDIS_REST_TOKEN: env.UPSTASH_REDIS_REST_TOKEN,
          EDGE_SHARED_SECRET: env.EDGE_SHARED_SECRET,
          ROUTE_CACHE_TTL_MS: env.ROUTE_CACHE_TTL_MS,
        },
      });
      const run: InProcessRun = { url, ...ROUNDS_OPTIONS };
      const response = await fetch(worker.url, { method: "POST", body: JSON.stringify(run) });
      if (!response.ok)
        throw new Error(`the workerd run answered ${response.status}: ${await response.text()}`);
      workerdMeans = (await response.json()) as RoundMeans;
    } finally {
      await worker?.stop();
    }

    const rowsOf = (means: RoundMeans, goal: boolean): BenchRow[] => {
      const { us, ratio } = summarize(means);
      const edgeRatio = ratio("edge", "bare");
      return [
        {
          name: "mean time per request, edge L1 hit",
          value: us("edge"),
          unit: "µs",
          baseline: us("bare"),
          ratio: edgeRatio,
          ...(goal && { goal: "≤ 1.3× bare Hono", met: edgeRatio <= 1.3 }),
        },
        {
          name: "bare Hono answering the edge's whole response (its 7 headers too)",
          value: us("sameResponse"),
          unit: "µs",
          baseline: us("bare"),
          ratio: ratio("sameResponse", "bare"),
        },
        {
          name: "edge L1 hit next to that app: classification, lookup, request id",
          value: us("edge"),
          unit: "µs",
          baseline: us("sameResponse"),
          ratio: ratio("edge", "sameResponse"),
        },
      ];
    };
    const rounds = `${ROUNDS} rounds after a warm-up round, the order rotating; in each, each task runs ${ITERATIONS} timed batches of ${BATCH} calls (workerd's clock moves in whole milliseconds here). Figures are means over all rounds.`;
    const request =
      "The request is a chatbot page at its default host: classification, the L1 lookup, security headers and the constant page.";
    return [
      {
        title: "Edge in process, in workerd: the worker's own cost on an L1 route hit",
        baseline: "a bare Hono app answering the same page, in the same isolate and run",
        rows: rowsOf(workerdMeans, true),
        notes: [
          "workerd, the runtime the edge is deployed to: bench/workerd/worker.ts, bundled like the edge (wrangler deploy --dry-run) with its compatibility date, settings and static assets, served by Miniflare, calls the edge's fetch handler and the bare app's with the worker's real bindings.",
          request,
          rounds,
          "The goal is judged here: production runs workerd, where Request, Response and Headers are native.",
        ],
      },
      {
        title: "Edge in process, in Node: the same, with undici's Response",
        baseline: "a bare Hono app answering the same page, in the same process and run",
        rows: rowsOf(nodeMeans, false),
        notes: [
          "Node with `cloudflare:workers` shimmed (waitUntil only); the handler is the worker's default export, called with real bindings.",
          request,
          rounds,
          "Information, no goal: in Node, Request, Response and Headers are undici's JavaScript, which converts and validates every header in JavaScript; workerd does it natively, where other things cost more (reading request.url or a Response's headers costs about 2 µs each).",
        ],
      },
    ];
  } finally {
    await stack.stop();
  }
}
