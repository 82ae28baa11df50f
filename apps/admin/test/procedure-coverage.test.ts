// Everything the admin API can do has a place in the UI: every procedure of the router is
// called somewhere in apps/admin/src (through the typed client's options proxy or the client
// itself), unless it is listed here as operator-only, with the reason.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROCEDURES } from "./procedures.ts";

/** Procedures the admin app deliberately leaves out, and why. */
const OPERATOR_ONLY: Record<string, string> = {};

const CALLS = "queryOptions|infiniteQueryOptions|mutationOptions|subscriptionOptions|query|mutate|subscribe";

async function sources(dir: string): Promise<string> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const files = entries.filter((e) => e.isFile() && /\.tsx?$/.test(e.name));
  const texts = await Promise.all(files.map((e) => readFile(join(e.parentPath, e.name), "utf8")));
  return texts.join("\n");
}

describe("the admin app", () => {
  it("calls every procedure of the router, or says why not", async () => {
    const source = await sources(join(import.meta.dirname, "..", "src"));
    expect(PROCEDURES.length).toBeGreaterThan(0);
    const missing = PROCEDURES.filter((path) => {
      if (OPERATOR_ONLY[path]) return false;
      const call = new RegExp(`\\.${path.replaceAll(".", "\\.")}\\.(?:${CALLS})\\(`);
      return !call.test(source);
    });
    expect(missing, "procedures the UI never calls: add a page or list them in OPERATOR_ONLY").toEqual([]);
  });

  it("lists as operator-only only procedures that exist", () => {
    for (const path of Object.keys(OPERATOR_ONLY)) expect(PROCEDURES).toContain(path);
  });
});
