import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { foldHostname } from "../src/hostname.ts";
import { parseHost } from "../src/index.ts";
import { anyUnicode, anyUtf16, hostLike } from "./helpers.ts";

const label63 = "a".repeat(63);

describe("parseHost accepts and normalizes", () => {
  it.each([
    ["example.com", "example.com", null],
    ["EXAMPLE.COM", "example.com", null],
    ["Example.Com.", "example.com", null],
    ["example.com:8787", "example.com", 8787],
    ["example.com.:443", "example.com", 443],
    ["example.com:65535", "example.com", 65535],
    ["example.com:1", "example.com", 1],
    ["example.com:00080", "example.com", 80],
    ["localhost", "localhost", null],
    ["localhost:8787", "localhost", 8787],
    ["Bücher.example", "xn--bcher-kva.example", null],
    ["BÜCHER.example:8080", "xn--bcher-kva.example", 8080],
    ["xn--bcher-kva.example", "xn--bcher-kva.example", null],
    ["ｅｘａｍｐｌｅ．ｃｏｍ", "example.com", null],
    ["日本。jp", "xn--wgv71a.jp", null],
    ["bot.user.1234-5678-9012.alpha.api.example.com", "bot.user.1234-5678-9012.alpha.api.example.com", null],
    ["123.example.com", "123.example.com", null],
    [`${label63}.com`, `${label63}.com`, null],
    [`${`${label63}.`.repeat(3)}${"b".repeat(61)}`, `${`${label63}.`.repeat(3)}${"b".repeat(61)}`, null],
  ])("%j → %s (port %s)", (header, host, port) => {
    expect(parseHost(header)).toEqual({ ok: true, host, port });
  });
});

describe("parseHost rejects", () => {
  it.each([
    ["missing", "required", undefined],
    ["null", "required", null],
    ["empty", "required", ""],
    ["only a dot", "required", "."],
    ["only a port", "required", ":8787"],
    ["huge", "too_long", "a".repeat(2000)],
    ["over 253", "too_long", `${`${label63}.`.repeat(4)}com`],
    ["label over 63", "label_too_long", `${label63}a.com`],
    ["empty label", "label_empty", "a..com"],
    ["two trailing dots", "label_empty", "example.com.."],
    ["leading dot", "label_empty", ".example.com"],
    ["leading hyphen", "label_hyphen", "-a.com"],
    ["trailing hyphen", "label_hyphen", "a-.com"],
    ["underscore", "invalid_characters", "a_b.com"],
    ["percent", "invalid_characters", "a%2eb.com"],
    ["comma", "invalid_characters", "a,b.com"],
    ["NUL", "invalid_characters", "a\u0000b.com"],
    ["wildcard", "invalid_characters", "*.example.com"],
    ["space", "whitespace", "exa mple.com"],
    ["leading space", "whitespace", " example.com"],
    ["tab", "whitespace", "example.com\t"],
    ["newline", "whitespace", "example.com\r\nX-Evil: 1"],
    ["ideographic space", "whitespace", "example.com\u3000"],
    ["userinfo", "userinfo", "user@example.com"],
    ["userinfo with password", "userinfo", "user:pass@example.com"],
    ["full-width @", "userinfo", "user＠example.com"],
    ["path", "path", "example.com/path"],
    ["backslash", "path", "example.com\\x"],
    ["query", "path", "example.com?x=1"],
    ["fragment", "path", "example.com#x"],
    ["URL", "path", "http://example.com"],
    ["empty port", "port_invalid", "example.com:"],
    ["port 0", "port_invalid", "example.com:0"],
    ["port 65536", "port_invalid", "example.com:65536"],
    ["huge port", "port_invalid", "example.com:999999"],
    ["negative port", "port_invalid", "example.com:-1"],
    ["named port", "port_invalid", "example.com:http"],
    ["port with sign", "port_invalid", "example.com:+80"],
    ["two ports", "invalid_characters", "example.com:80:80"],
    ["IPv4", "ip_literal", "127.0.0.1"],
    ["IPv4 with port", "ip_literal", "10.0.0.1:8787"],
    ["decimal IPv4", "ip_literal", "2130706433"],
    ["hex IPv4", "ip_literal", "0x7f.0.0.1"],
    ["short IPv4", "ip_literal", "127.1"],
    ["numeric last label", "ip_literal", "example.123"],
    ["bracketed IPv6", "ip_literal", "[::1]"],
    ["bracketed IPv6 with port", "ip_literal", "[2001:db8::1]:443"],
    ["bare IPv6", "ip_literal", "::1"],
    ["malformed brackets", "invalid_characters", "[example.com]"],
    ["unclosed bracket", "invalid_characters", "[::1"],
  ])("%s → %s", (_label, code, header) => {
    const result = parseHost(header);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message).not.toBe("");
    }
  });
});

describe("parseHost with allowIpLiterals", () => {
  const allow = { allowIpLiterals: true };
  it.each([
    ["127.0.0.1", "127.0.0.1", null],
    ["10.0.0.1:8787", "10.0.0.1", 8787],
    ["[::1]", "[::1]", null],
    ["[::1]:8787", "[::1]", 8787],
    ["[2001:DB8::1]", "[2001:db8::1]", null],
    ["[::ffff:192.0.2.1]", "[::ffff:192.0.2.1]", null],
    ["[1:2:3:4:5:6:7:8]", "[1:2:3:4:5:6:7:8]", null],
  ])("accepts %j", (header, host, port) => {
    expect(parseHost(header, allow)).toEqual({ ok: true, host, port });
  });

  it.each([
    ["127.1", "ip_literal"],
    ["0x7f.0.0.1", "ip_literal"],
    ["256.0.0.1", "ip_literal"],
    ["01.2.3.4", "ip_literal"],
    ["[1:2:3:4:5:6:7:8:9]", "invalid_characters"],
    ["[1::2::3]", "invalid_characters"],
    ["[12345::]", "invalid_characters"],
    ["[::1]:0", "port_invalid"],
    ["[::1]x", "invalid_characters"],
    ["::1", "ip_literal"],
  ])("still rejects %j with %s", (header, code) => {
    expect(parseHost(header, allow)).toMatchObject({ ok: false, error: { code } });
  });
});

describe("parseHost properties", () => {
  it("never throws on arbitrary input, and what it accepts is a normalized, valid hostname", () => {
    fc.assert(
      fc.property(fc.oneof(anyUnicode, anyUtf16, hostLike), fc.boolean(), (header, allowIpLiterals) => {
        const result = parseHost(header, { allowIpLiterals });
        if (!result.ok) return;
        if (!result.host.startsWith("[")) {
          expect(result.host).toMatch(/^[a-z0-9.-]+$/);
          expect(result.host.length).toBeLessThanOrEqual(253);
          for (const label of result.host.split(".")) {
            expect(label.length).toBeGreaterThanOrEqual(1);
            expect(label.length).toBeLessThanOrEqual(63);
          }
        }
        expect(parseHost(result.host, { allowIpLiterals })).toEqual({
          ok: true,
          host: result.host,
          port: null,
        });
      }),
      { numRuns: 3000 },
    );
  });

  it("ignores case, one trailing dot and the port of any valid domain", () => {
    fc.assert(
      fc.property(
        fc.domain(),
        fc.boolean(),
        fc.option(fc.integer({ min: 1, max: 65535 })),
        (domain, dot, port) => {
          const header = `${domain.toUpperCase()}${dot ? "." : ""}${port === null ? "" : `:${port}`}`;
          const result = parseHost(header);
          if (/^\d+$/.test(domain.slice(domain.lastIndexOf(".") + 1))) {
            expect(result.ok).toBe(false);
          } else {
            expect(result).toEqual({ ok: true, host: domain.toLowerCase(), port });
          }
        },
      ),
    );
  });
});

describe("foldHostname", () => {
  it("takes printable ASCII the short way, to the same result as Unicode folding", () => {
    const printableAscii = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    });
    fc.assert(
      fc.property(printableAscii, (input) => {
        expect(foldHostname(input)).toBe(input.normalize("NFKC").toLowerCase().normalize("NFKC"));
      }),
    );
  });

  it("still folds what is not ASCII", () => {
    expect(foldHostname("ＥＸＡＭＰＬＥ．com")).toBe("example.com");
    expect(foldHostname("Bücher.Example")).toBe("bücher.example");
  });
});
