import { describe, expect, it } from "vitest";
import { checkEndpointUrl, isPrivateAddress, privateDestinationReason } from "../src/destination.ts";

const production = { development: false };
const development = { development: true };

describe("endpoint URLs", () => {
  it("accepts a public https URL", () => {
    const check = checkEndpointUrl("https://hooks.example.com/botgate?x=1", production);
    expect(check.ok).toBe(true);
  });

  it("requires https outside development", () => {
    expect(checkEndpointUrl("http://hooks.example.com/", production)).toMatchObject({ ok: false });
    expect(checkEndpointUrl("http://127.0.0.1:9999/hook", development)).toMatchObject({ ok: true });
  });

  it("refuses other schemes, relative URLs, fragments and overlong URLs everywhere", () => {
    for (const url of [
      "ftp://example.com/",
      "file:///etc/passwd",
      "javascript:alert(1)",
      "/relative",
      "https://example.com/#frag",
      `https://example.com/${"a".repeat(2_100)}`,
    ]) {
      expect(checkEndpointUrl(url, development), url).toMatchObject({ ok: false });
    }
  });

  it("refuses credentials in the URL everywhere", () => {
    expect(checkEndpointUrl("https://user:pw@example.com/", production)).toMatchObject({ ok: false });
    expect(checkEndpointUrl("https://user@example.com/", development)).toMatchObject({ ok: false });
  });

  it("refuses loopback, private, link-local and metadata addresses outside development", () => {
    for (const url of [
      "https://127.0.0.1/",
      "https://2130706433/", // 127.0.0.1 as one number
      "https://0x7f.1/",
      "https://10.1.2.3/",
      "https://172.16.0.1/",
      "https://192.168.1.1/",
      "https://169.254.169.254/latest/meta-data",
      "https://100.64.0.1/",
      "https://0.0.0.0/",
      "https://[::1]/",
      "https://[::ffff:127.0.0.1]/",
      "https://[fd00::1]/",
      "https://[fe80::1]/",
      "https://localhost/",
      "https://api.localhost/",
      "https://intranet/",
    ]) {
      expect(checkEndpointUrl(url, production), url).toMatchObject({ ok: false });
    }
  });

  it("tells public from private addresses", () => {
    expect(isPrivateAddress("8.8.8.8")).toBe(false);
    expect(isPrivateAddress("2606:4700::1111")).toBe(false);
    expect(isPrivateAddress("172.32.0.1")).toBe(false);
    expect(isPrivateAddress("172.31.255.255")).toBe(true);
    expect(isPrivateAddress("not an ip")).toBe(false);
  });

  it("refuses a host name that resolves to a loopback address", async () => {
    expect(await privateDestinationReason(new URL("https://localhost/hook"))).toMatch(/private address/);
    expect(await privateDestinationReason(new URL("https://[::1]/hook"))).toMatch(/private address/);
    expect(await privateDestinationReason(new URL("https://8.8.8.8/hook"))).toBeNull();
  });
});
