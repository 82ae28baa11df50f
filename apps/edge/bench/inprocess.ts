// The in-process benchmark's tasks and rounds (edge-inprocess.bench.ts), shared by its Node half
// and its workerd half (workerd/worker.ts): plain TypeScript, it runs in both runtimes.
import { Hono } from "hono";
import { Bench } from "tinybench";

interface FetchHandler {
  fetch(request: Request, env: Record<string, unknown>, ctx: never): Response | Promise<Response>;
}

/**
 * The edge answering `url` (a chatbot page) on L1 hits, a bare Hono app answering the same page,
 * and a Hono app answering it with the edge's headers too: what the edge adds beyond building
 * the answer it must give. Each task reads the whole body.
 */
export async function l1HitTasks(
  edge: FetchHandler,
  url: string,
  env: Record<string, unknown>,
  ctx: unknown,
): Promise<Record<string, () => Promise<unknown>>> {
  const call = async (app: FetchHandler) => app.fetch(new Request(url), env, ctx as never);
  // The first call resolves the route through the origin; the others are L1 hits.
  const first = await call(edge);
  if (first.status !== 200) throw new Error(`edge answered ${first.status}: ${await first.text()}`);
  await first.arrayBuffer();
  const answer = await call(edge);
  const page = await answer.text();
  const headers = new Headers(answer.headers);

  const bare = new Hono();
  bare.get("*", (c) => c.html(page));
  const sameResponse = new Hono();
  sameResponse.get("*", () => new Response(page, { headers }));
  return {
    bare: async () => (await call(bare)).arrayBuffer(),
    sameResponse: async () => (await call(sameResponse)).arrayBuffer(),
    edge: async () => (await call(edge)).arrayBuffer(),
  };
}

export interface RoundsOptions {
  rounds: number;
  /** Timed iterations per task per round. */
  iterations: number;
  /** Calls per timed iteration: workerd's clock ticks in whole milliseconds. */
  batch: number;
}

/** What the benchmark asks of its worker in workerd (workerd/worker.ts). */
export interface InProcessRun extends RoundsOptions {
  /** A chatbot page at its default host, answered by the edge after an L1 hit. */
  url: string;
}

/** Each task's mean milliseconds per call, one entry per round. */
export type RoundMeans = Record<string, number[]>;

/**
 * Many short rounds of tinybench (tens of milliseconds per task), the order rotating, after one
 * warm-up round: the machine's load drifts by tens of percent within a second, so the tasks
 * take turns often enough to bear it alike.
 */
export async function measureInRounds(
  tasks: Record<string, () => Promise<unknown>>,
  { rounds, iterations, batch }: RoundsOptions,
): Promise<RoundMeans> {
  const names = Object.keys(tasks);
  const means: RoundMeans = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = -1; round < rounds; round++) {
    const bench = new Bench({ time: 0, iterations, warmup: false });
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + 1 + i) % names.length] as string;
      const task = tasks[name] as () => Promise<unknown>;
      bench.add(name, async () => {
        for (let call = 0; call < batch; call++) await task();
      });
    }
    await bench.run();
    if (round < 0) continue;
    for (const name of names) {
      const result = bench.getTask(name)?.result;
      const mean = result && "latency" in result ? result.latency.mean / batch : Number.NaN;
      means[name]?.push(mean);
    }
  }
  return means;
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * A task's mean time per call in µs over all rounds, and its ratio to another's. Means, not
 * medians: the clock's whole milliseconds make each round's figure coarse, but not biased, and
 * a task's garbage collection is part of its cost.
 */
export function summarize(means: RoundMeans) {
  const us = (name: string) => mean(means[name] ?? []) * 1000;
  return { us, ratio: (name: string, base: string) => us(name) / us(base) };
}
