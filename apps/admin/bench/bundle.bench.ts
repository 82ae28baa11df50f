// The admin app's first-load JavaScript, gzipped, next to an empty React app built the same
// way in the same run.
import type { BenchModule, BenchSection } from "../../../scripts/bench-types.ts";
import { EMPTY_REACT_APP, gzippedViteScripts } from "./vite-build-size.ts";

const GOAL_KB = 150;

export const run: BenchModule["run"] = async (): Promise<BenchSection[]> => {
  const baseline = await gzippedViteScripts("empty-react-app");
  const admin = await gzippedViteScripts("admin");
  const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
  return [
    {
      title: "Admin app first load",
      baseline: EMPTY_REACT_APP,
      rows: [
        {
          name: "first-load JavaScript, gzipped",
          value: kb(admin),
          unit: "KiB",
          baseline: kb(baseline),
          ratio: Math.round((admin / baseline) * 100) / 100,
          goal: `≤ ${GOAL_KB} KiB`,
          met: admin <= GOAL_KB * 1024,
        },
      ],
      notes: ["Everything in the build loads on the first page: the app has no lazy chunks."],
    },
  ];
};
