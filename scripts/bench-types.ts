// The contract between `pnpm bench` (scripts/bench.ts) and each benchmark module.
// Every figure is reported next to a baseline measured in the same run, because the
// machines are noisy: ratios compare, absolute numbers only describe.

export interface BenchRow {
  name: string;
  /** The measured figure, e.g. requests/s or ms. */
  value: number;
  unit: string;
  /** The same figure for the baseline, measured in the same run. */
  baseline?: number;
  /** value / baseline (or its inverse where lower is better; say which in `goal`). */
  ratio?: number;
  /** The target, in words, e.g. "≥ 0.85 of bare Hono". */
  goal?: string;
  /** Whether the goal is met, when there is one. */
  met?: boolean;
}

export interface BenchSection {
  title: string;
  /** What the baseline is. */
  baseline: string;
  rows: BenchRow[];
  notes?: string[];
}

export type BenchModule = { run(): Promise<BenchSection[]> };
