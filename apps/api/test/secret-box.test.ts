import { createSecretBox, parseSecretsKey, secretBoxFor } from "@botgate/api";
import { describe, expect, it } from "vitest";

const key = () => crypto.getRandomValues(new Uint8Array(32));

describe("secret box", () => {
  it("opens what it sealed, and seals the same plaintext differently each time", () => {
    const box = createSecretBox(key());
    const a = box.seal("sk-provider-key");
    const b = box.seal("sk-provider-key");
    expect(a).not.toBe(b);
    expect(a).not.toContain("sk-provider-key");
    expect(box.open(a)).toBe("sk-provider-key");
    expect(box.open(b)).toBe("sk-provider-key");
  });

  it("refuses a value sealed under another key, or tampered with, as INTERNAL", () => {
    const sealed = createSecretBox(key()).seal("secret");
    expect(() => createSecretBox(key()).open(sealed)).toThrow(expect.objectContaining({ code: "INTERNAL" }));
    const box = createSecretBox(key());
    const good = box.seal("secret");
    // One bit of the ciphertext flipped: the tag no longer matches.
    const [version, iv, body] = good.split(".");
    const bytes = Buffer.from(body ?? "", "base64url");
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    const flipped = `${version}.${iv}.${bytes.toString("base64url")}`;
    for (const bad of [flipped, "v2.x.y", "not sealed", ""]) {
      expect(() => box.open(bad)).toThrow(expect.objectContaining({ code: "INTERNAL" }));
    }
  });

  it("takes a key as 64 hex digits or base64 of 32 bytes, nothing else", () => {
    const bytes = key();
    expect(parseSecretsKey(Buffer.from(bytes).toString("hex"))).toEqual(bytes);
    expect(parseSecretsKey(Buffer.from(bytes).toString("base64"))).toEqual(bytes);
    expect(parseSecretsKey(Buffer.from(bytes).toString("base64url"))).toEqual(bytes);
    expect(parseSecretsKey("short")).toBeNull();
    expect(parseSecretsKey(Buffer.from(new Uint8Array(31)).toString("base64"))).toBeNull();
  });

  it("uses the configured key when one is set, so two processes with it agree", () => {
    const configured = Buffer.from(key()).toString("base64");
    expect(secretBoxFor(configured).open(secretBoxFor(configured).seal("x"))).toBe("x");
    expect(() => secretBoxFor(undefined).open(secretBoxFor(configured).seal("x"))).toThrow();
  });
});
