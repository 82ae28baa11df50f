// Timing for chat-latency.bench.ts: one POST's total time and time to its first body byte, and
// the ways measured one request at a time, round-robin, so they share the machine's noise.
import { Agent, request as httpRequest } from "node:http";

export interface Target {
  url: string;
  headers: Record<string, string>;
}

export interface Samples {
  total: number[];
  firstByte: number[];
}

export interface MeasureOptions {
  /** Requests per way after the warm-up. */
  samples: number;
  warmup: number;
  /** Pause after every request. */
  intervalMs: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** Total time and time to the first body byte of one POST, in ms; anything but 200 fails. */
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

export const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function measure<Way extends string>(
  targets: Record<Way, Target>,
  body: string,
  { samples, warmup, intervalMs }: MeasureOptions,
): Promise<Record<Way, Samples>> {
  const ways = Object.keys(targets) as Way[];
  const result = Object.fromEntries(
    ways.map((way): [Way, Samples] => [way, { total: [], firstByte: [] }]),
  ) as Record<Way, Samples>;
  for (let i = 0; i < warmup + samples; i++) {
    for (const way of ways) {
      const { totalMs, firstByteMs } = await timedPost(targets[way], body);
      if (i >= warmup) {
        result[way].total.push(totalMs);
        result[way].firstByte.push(firstByteMs);
      }
      await sleep(intervalMs);
    }
  }
  return result;
}

/** Ends the keep-alive connections, so the process can exit. */
export function closeConnections(): void {
  agent.destroy();
}
