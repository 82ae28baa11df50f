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

    const bench = new Bench({ time: 3_000, warmup: true, warmupTime: 1_000 });
    bench
      .add("bare Hono", async () => {
        await (await bare.fetch(new Request(url), env, ctx)).arrayBuffer();
      })
      .add("edge, L1 hit", async () => {
        const response = await edge.fetch(new Request(url), env, ctx);
        await response.arrayBuffer();
      });
    await bench.run();
    const mean = (name: string) => {
      const task = bench.getTask(name)?.result;
      const latency = task && "latency" in task ? task.latency.mean : Number.NaN;
      return latency;
    };
    const bareMs = mean("bare Hono");
    const edgeMs = mean("edge, L1 hit");
    return [
      {
        title: "Edge in process: the worker's own cost on an L1 route hit",
        baseline: "a bare Hono app answering the same page, in the same process and run",
        rows: [
          {
            name: "mean time per request, edge L1 hit",
            value: edgeMs * 1000,
            unit: "µs",
            baseline: bareMs * 1000,
            ratio: edgeMs / bareMs,
            goal: "≤ 1.3× bare Hono",
            met: edgeMs / bareMs <= 1.3,
          },
        ],
        notes: [
          "Node with `cloudflare:workers` shimmed (waitUntil only); the handler is the worker's default export, called with real bindings.",
          "The request is a chatbot page at its default host: classification, the L1 lookup, security headers and the constant page.",
        ],
      },
    ];
  } finally {
    await stack.stop();
  }
}
