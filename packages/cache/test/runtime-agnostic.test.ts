// The edge imports this package in workerd: its sources must not reach for Node-only modules.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const srcDir = new URL("../src/", import.meta.url);
const sources = readdirSync(srcDir).filter((name) => name.endsWith(".ts"));

describe("package sources", () => {
  it.each(sources)("%s imports no node:* module, ioredis or the local REST endpoint", (name) => {
    const text = readFileSync(new URL(name, srcDir), "utf8");
    const imports = [...text.matchAll(/\bfrom\s+"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)/g)].map(
      (m) => m[1] ?? m[2],
    );
    expect(imports.filter((spec) => /^(node:|ioredis$|@botgate\/upstash-rest$)/.test(spec ?? ""))).toEqual(
      [],
    );
    expect(text).not.toMatch(/\bprocess\.|\bBuffer\b/);
  });
});
