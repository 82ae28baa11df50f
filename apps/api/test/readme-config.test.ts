// The README's configuration tables are the operator's reference: every variable either app
// reads must be in them.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { bindingsSchema } from "../../edge/src/env.ts";
import { envSchema } from "../src/env.ts";

const readme = await readFile(new URL("../../../README.md", import.meta.url), "utf8");
const configuration = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Architecture"));

describe("README configuration", () => {
  it("names every variable of the API's environment", () => {
    const missing = Object.keys(envSchema.shape).filter((name) => !configuration.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it("names every binding of the edge worker", () => {
    const missing = Object.keys(bindingsSchema.shape).filter(
      (name) => !configuration.includes(`\`${name}\``),
    );
    expect(missing).toEqual([]);
  });
});
