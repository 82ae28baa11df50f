import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MAX_CUSTOM_DOMAIN_LENGTH,
  normalizeDomainName,
  platformReservedSuffixes,
  RESERVED_TLDS,
} from "../src/index.ts";
import { alphaConfig, anyUnicode, anyUtf16, hostLike } from "./helpers.ts";

const options = { reservedSuffixes: platformReservedSuffixes(alphaConfig) };
const normalize = (input: unknown) => normalizeDomainName(input, options);
const label63 = "a".repeat(63);

describe("normalizeDomainName accepts and normalizes", () => {
  it.each([
    ["customer.org", "customer.org"],
    ["Customer.ORG", "customer.org"],
    ["  customer.org.  ", "customer.org"],
    ["bots.customer.co.uk", "bots.customer.co.uk"],
    ["Bücher.de", "xn--bcher-kva.de"],
    ["BÜCHER.DE.", "xn--bcher-kva.de"],
    ["xn--bcher-kva.de", "xn--bcher-kva.de"],
    ["XN--BCHER-KVA.de", "xn--bcher-kva.de"],
    ["bu\u0308cher.de", "xn--bcher-kva.de"],
    ["ｃｕｓｔｏｍｅｒ．ｏｒｇ", "customer.org"],
    ["日本。jp", "xn--wgv71a.jp"],
    ["пример.рф", "xn--e1afmkfd.xn--p1ai"],
    ["a-b.c-d.io", "a-b.c-d.io"],
    ["123.com", "123.com"],
    ["example.org", "example.org"],
    ["notexample.com.evil.org", "notexample.com.evil.org"],
    [`${label63}.io`, `${label63}.io`],
  ])("%j → %s", (input, expected) => {
    expect(normalize(input)).toEqual({ ok: true, value: expected });
  });

  it(`accepts up to ${MAX_CUSTOM_DOMAIN_LENGTH} characters, so <63-char name>.<domain> still fits 253`, () => {
    const longest = `${label63}.${label63}.${"b".repeat(MAX_CUSTOM_DOMAIN_LENGTH - 128 - 4)}.com`;
    expect(longest).toHaveLength(MAX_CUSTOM_DOMAIN_LENGTH);
    expect(normalize(longest).ok).toBe(true);
    expect(normalize(`c.${longest}`)).toMatchObject({ ok: false, error: { code: "too_long" } });
    expect(63 + 1 + MAX_CUSTOM_DOMAIN_LENGTH).toBe(253);
  });
});

describe("normalizeDomainName rejects", () => {
  it.each([
    ["not a string", "required", 42],
    ["empty", "required", ""],
    ["blank", "required", "   "],
    ["only a dot", "required", "."],
    ["two trailing dots", "label_empty", "customer.org.."],
    ["leading dot", "label_empty", ".customer.org"],
    ["empty label", "label_empty", "a..org"],
    ["label over 63", "label_too_long", `${label63}a.org`],
    ["over 253", "too_long", `${`${label63}.`.repeat(4)}org`],
    ["huge input", "too_long", "a".repeat(5000)],
    ["underscore", "invalid_characters", "my_site.org"],
    ["space", "invalid_characters", "my site.org"],
    ["slash", "invalid_characters", "customer.org/path"],
    ["userinfo", "invalid_characters", "user@customer.org"],
    ["scheme", "invalid_characters", "https://customer.org"],
    ["port", "invalid_characters", "customer.org:443"],
    ["lone surrogate", "invalid_characters", "a\ud800.org"],
    ["leading hyphen", "label_hyphen", "-customer.org"],
    ["trailing hyphen", "label_hyphen", "customer-.org"],
    ["reserved hyphens", "label_reserved_hyphens", "ab--cd.org"],
    ["bad punycode", "punycode_invalid", "xn--abc.org"],
    ["punycode of a non-NFC label", "punycode_invalid", "xn--bucher-xyd.de"],
    ["punycode of full-width letters", "punycode_invalid", "xn--tda5321kdae.de"],
    ["emoji", "punycode_invalid", "😀.org"],
    ["single label", "single_label", "customer"],
    ["localhost", "single_label", "localhost"],
    ["numeric TLD", "numeric_tld", "customer.123"],
    ["hex TLD", "numeric_tld", "customer.0x1f"],
    ["IPv4", "ip_literal", "192.168.0.1"],
    ["IPv4 with trailing dot", "ip_literal", "10.0.0.1."],
    ["short IPv4", "ip_literal", "127.1"],
    ["IPv6", "ip_literal", "::1"],
    ["bracketed IPv6", "ip_literal", "[2001:db8::1]"],
    ["*.localhost", "reserved_name", "app.localhost"],
    [".local", "reserved_name", "printer.local"],
    [".example", "reserved_name", "shop.example"],
    [".invalid", "reserved_name", "x.invalid"],
    [".test", "reserved_name", "my.test"],
    [".onion", "reserved_name", "abc.onion"],
    [".internal", "reserved_name", "corp.internal"],
    ["home.arpa", "reserved_name", "router.home.arpa"],
  ])("%s → %s", (_label, code, input) => {
    const result = normalize(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message).not.toBe("");
    }
  });

  it.each([
    "example.com",
    "www.example.com",
    "alpha.api.example.com",
    "bot.1234-5678-9012.alpha.api.example.com",
    "alpha.platform.example.com",
    "Deep.Alpha.Platform.Example.Com.",
  ])("the platform's own domain %s", (input) => {
    expect(normalize(input)).toMatchObject({ ok: false, error: { code: "platform_domain" } });
  });

  it("treats reserved suffixes case- and trailing-dot-insensitively", () => {
    expect(normalizeDomainName("x.botgate.dev", { reservedSuffixes: ["BotGate.Dev."] })).toMatchObject({
      ok: false,
      error: { code: "platform_domain" },
    });
  });

  it("lists the documented reserved TLDs", () => {
    expect([...RESERVED_TLDS].sort()).toEqual(
      ["alt", "arpa", "example", "internal", "invalid", "local", "localhost", "onion", "test"].sort(),
    );
  });
});

describe("normalizeDomainName properties", () => {
  it("never throws, and what it accepts is normalized, valid and stable", () => {
    fc.assert(
      fc.property(fc.oneof(anyUnicode, anyUtf16, hostLike), (input) => {
        const result = normalize(input);
        if (!result.ok) return;
        const name = result.value;
        expect(name).toMatch(/^[a-z0-9.-]+$/);
        expect(name.length).toBeLessThanOrEqual(MAX_CUSTOM_DOMAIN_LENGTH);
        expect(name.split(".").length).toBeGreaterThanOrEqual(2);
        for (const label of name.split(".")) {
          expect(label.length).toBeGreaterThan(0);
          expect(label.length).toBeLessThanOrEqual(63);
        }
        expect(normalize(name)).toEqual(result);
      }),
      { numRuns: 2000 },
    );
  });

  it("is case-insensitive and ignores one trailing dot", () => {
    fc.assert(
      fc.property(fc.domain(), fc.boolean(), (domain, dot) => {
        const plain = normalize(domain);
        const mixed = normalize(`${domain.toUpperCase()}${dot ? "." : ""}`);
        expect(mixed).toEqual(plain);
      }),
    );
  });
});
