// `pnpm bench`: runs every benchmark module in turn and writes BENCHMARKS.md.
import { writeFile } from "node:fs/promises";
import { availableParallelism, cpus, totalmem } from "node:os";
import { join } from "node:path";
import type { BenchModule, BenchSection } from "./bench-types.ts";

const root = join(import.meta.dirname, "..");

/** Benchmark modules, in the order they run. */
const MODULES = [
  "packages/core/bench/bundle-size.bench.ts",
  "apps/chat/bench/size.bench.ts",
  "packages/api/bench/chatbot-list.bench.ts",
  "apps/api/bench/chat-config.bench.ts",
  "apps/api/bench/jobs.bench.ts",
  "apps/edge/bench/edge.bench.ts",
  "apps/edge/bench/chat-latency.bench.ts",
  "apps/edge/bench/edge-inprocess.bench.ts",
  "apps/admin/bench/bundle.bench.ts",
];

const only = process.argv.slice(2);
const sections: BenchSection[] = [];
for (const path of MODULES) {
  if (only.length > 0 && !only.some((o) => path.includes(o))) continue;
  console.log(`bench: ${path}`);
  const mod = (await import(join(root, path))) as BenchModule;
  sections.push(...(await mod.run()));
}

const fmt = (n: number | undefined) =>
  n === undefined ? "" : Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 3 : 1);

const lines = [
  "# Benchmarks",
  "",
  `Written by \`pnpm bench\` (\`npm run bench\`) on ${new Date().toISOString()}.`,
  `Machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? "unknown"}), ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.`,
  "Every figure sits next to a baseline measured in the same run; compare the ratios, not the absolute numbers.",
  "",
];
for (const s of sections) {
  lines.push(`## ${s.title}`, "", `Baseline: ${s.baseline}`, "");
  lines.push("| measure | value | unit | baseline | ratio | goal | met |", "|---|---|---|---|---|---|---|");
  for (const r of s.rows) {
    const met = r.met === undefined ? "" : r.met ? "yes" : "**no**";
    lines.push(
      `| ${r.name} | ${fmt(r.value)} | ${r.unit} | ${fmt(r.baseline)} | ${fmt(r.ratio)} | ${r.goal ?? ""} | ${met} |`,
    );
  }
  if (s.notes?.length) lines.push("", ...s.notes.map((n) => `- ${n}`));
  lines.push("");
}
if (only.length === 0) {
  await writeFile(join(root, "BENCHMARKS.md"), lines.join("\n"));
  console.log("bench: wrote BENCHMARKS.md");
} else {
  console.log(lines.join("\n"));
}
