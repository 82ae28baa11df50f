// README.md's "Using botgate" section names every procedure of the admin API.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROCEDURES } from "./procedures.ts";

async function usingSection(): Promise<string> {
  const readme = await readFile(join(import.meta.dirname, "..", "..", "..", "README.md"), "utf8");
  const start = readme.search(/^## Using botgate\s*$/m);
  if (start === -1) return "";
  const rest = readme.slice(start + 1);
  const next = rest.search(/^## /m);
  return next === -1 ? rest : rest.slice(0, next);
}

describe('README "Using botgate"', () => {
  it("exists", async () => {
    expect(await usingSection()).not.toBe("");
  });

  it("documents every procedure of the router", async () => {
    const section = await usingSection();
    const missing = PROCEDURES.filter((path) => !section.includes(`\`${path}\``));
    expect(missing, "procedures missing from README.md's Using botgate section").toEqual([]);
  });
});
