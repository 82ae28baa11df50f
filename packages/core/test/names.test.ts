import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isRfc1034Label,
  NAME_HASH_LENGTH,
  nameHash,
  RFC1034_NAME_MAX_LENGTH,
  rfc1034CompliantName,
} from "../src/index.ts";
import { anyUnicode, chatbotNameArb, usernameArb } from "./helpers.ts";
import { legacyFnv1a32, legacyFnvCollision } from "./legacy-fnv.ts";

const HASH = `[0-9a-z]{${NAME_HASH_LENGTH}}`;

const admin = (name: string, username = "adminuser") => ({ name, owner: { username, isAccountAdmin: true } });
const member = (name: string, username: string) => ({ name, owner: { username, isAccountAdmin: false } });

/** Every rule the seed lists for rfc1034_compliant_name. */
function expectSeedRules(result: string, dots: 0 | 1): void {
  expect(result.length).toBeLessThanOrEqual(63);
  expect(result).toBe(result.toLowerCase());
  expect(result).toMatch(/^[a-z0-9-]+(?:\.[a-z0-9-]+)?$/);
  expect(result.split(".").length - 1).toBe(dots);
  for (const part of result.split(".")) {
    expect(part).toMatch(/^[a-z0-9]/);
    expect(part).toMatch(/[a-z0-9]$/);
  }
  expect(result).not.toContain("--");
  expect(result).not.toMatch(/[_\s]/);
}

describe("rfc1034CompliantName: seed examples", () => {
  it.each([
    { facts: admin("example", "adminuser"), expected: "example", why: "owner IS the account admin" },
    {
      facts: member("example", "user123"),
      expected: "example.user123",
      why: "owner is NOT the account admin",
    },
  ])("$why → $expected", ({ facts, expected }) => {
    expect(rfc1034CompliantName(facts)).toBe(expected);
  });
});

describe("rfc1034CompliantName: mapping decisions", () => {
  it.each([
    [admin("myChatBot"), "mychatbot"],
    [admin("APIKey2"), "apikey2"],
    [member("apiKey", "John_Doe"), "apikey.john-doe"],
    [member("bot", "jane.doe+test@mail.example"), "bot.jane-doe-test-mail-example"],
    [member("bot", "José"), "bot.jose"],
    [member("bot", "--x__y--"), "bot.x-y"],
    [admin("Ünïcödé Bót"), "unicode-bot"],
  ])("%o → %s", (facts, expected) => {
    expect(rfc1034CompliantName(facts)).toBe(expected);
  });

  it("names differing only by case map to the same label (uniqueness is the API's job)", () => {
    expect(rfc1034CompliantName(admin("myBot"))).toBe(rfc1034CompliantName(admin("mybot")));
  });

  it("falls back to a deterministic hashed label when a part has nothing usable", () => {
    const first = rfc1034CompliantName(member("日本", "___"));
    expect(first).toMatch(new RegExp(`^chatbot-${HASH}\\.user-${HASH}$`));
    expect(rfc1034CompliantName(member("日本", "___"))).toBe(first);
    expect(rfc1034CompliantName(member("中国", "@@@"))).not.toBe(first);
    expectSeedRules(first, 1);
  });
});

describe("rfc1034CompliantName: length", () => {
  it("keeps a 63-character admin name whole", () => {
    const name = `a${"B".repeat(62)}`;
    expect(rfc1034CompliantName(admin(name))).toBe(name.toLowerCase());
  });

  it("truncates name.username to 63 characters, giving the username at least 31", () => {
    const result = rfc1034CompliantName(member("a".repeat(63), "u".repeat(150)));
    expect(result).toHaveLength(63);
    const [name, username] = result.split(".");
    expect(name).toMatch(new RegExp(`^a{9}-${HASH}$`));
    expect(username).toMatch(new RegExp(`^u{9}-${HASH}$`));
    expectSeedRules(result, 1);
  });

  it("lets a short name leave its room to a long username", () => {
    const result = rfc1034CompliantName(member("bot", "u".repeat(100)));
    expect(result).toMatch(new RegExp(`^bot\\.u{37}-${HASH}$`));
    expect(result).toHaveLength(63);
  });

  it("does not truncate what fits exactly", () => {
    const result = rfc1034CompliantName(member("b".repeat(31), "u".repeat(31)));
    expect(result).toBe(`${"b".repeat(31)}.${"u".repeat(31)}`);
  });

  it("keeps long usernames that share a prefix distinct", () => {
    const a = rfc1034CompliantName(member("bot", `${"u".repeat(80)}a`));
    const b = rfc1034CompliantName(member("bot", `${"u".repeat(80)}b`));
    expect(a).not.toBe(b);
  });

  it("never leaves a hyphen before the hash suffix", () => {
    const result = rfc1034CompliantName(member("x", `${"ab-".repeat(40)}`));
    expectSeedRules(result, 1);
  });
});

describe("rfc1034CompliantName: the hash that shortens long parts", () => {
  it("is 104 bits of SHA-256 in base 36", () => {
    // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5d…; its first 104 bits in base 36:
    expect(nameHash("abc")).toBe(BigInt("0xba7816bf8f01cfea414140de5d").toString(36).padStart(21, "0"));
    expect(nameHash("abc")).toMatch(new RegExp(`^${HASH}$`));
  });

  it("separates the long names a birthday search finds colliding under the old 32-bit FNV-1a", () => {
    // A member whose username takes 31 characters leaves 31 to the name: both names below
    // were cut to the same 22-character head plus the same 8-hex FNV suffix.
    const [first, second] = legacyFnvCollision("Collisionbotnamehead22");
    expect(first).not.toBe(second);
    expect(legacyFnv1a32(first)).toBe(legacyFnv1a32(second));
    const username = "u".repeat(40);
    const legacyLabel = (name: string) => `${name.toLowerCase().slice(0, 22)}-${legacyFnv1a32(name)}`;
    expect(legacyLabel(first)).toBe(legacyLabel(second));

    const a = rfc1034CompliantName(member(first, username));
    const b = rfc1034CompliantName(member(second, username));
    expect(a).not.toBe(b);
    expectSeedRules(a, 1);
    expectSeedRules(b, 1);
  });
});

describe("rfc1034CompliantName: properties", () => {
  it("satisfies every seed rule for any valid name and username", () => {
    fc.assert(
      fc.property(chatbotNameArb, usernameArb, fc.boolean(), (name, username, isAccountAdmin) => {
        const result = rfc1034CompliantName({ name, owner: { username, isAccountAdmin } });
        expectSeedRules(result, isAccountAdmin ? 0 : 1);
        for (const part of result.split(".")) expect(isRfc1034Label(part)).toBe(true);
        expect(rfc1034CompliantName({ name, owner: { username, isAccountAdmin } })).toBe(result);
      }),
      { numRuns: 500 },
    );
  });

  it("satisfies every seed rule even for arbitrary Unicode input", () => {
    fc.assert(
      fc.property(anyUnicode, anyUnicode, fc.boolean(), (name, username, isAccountAdmin) => {
        expectSeedRules(
          rfc1034CompliantName({ name, owner: { username, isAccountAdmin } }),
          isAccountAdmin ? 0 : 1,
        );
      }),
      { numRuns: 300 },
    );
  });

  it("admin names (≤ 63 letters and digits) are only lower-cased", () => {
    fc.assert(
      fc.property(chatbotNameArb, (name) => {
        expect(rfc1034CompliantName(admin(name))).toBe(name.toLowerCase());
      }),
    );
  });
});

describe("isRfc1034Label", () => {
  it.each([
    ["example", true],
    ["user123", true],
    ["a", true],
    ["a-b", true],
    ["a".repeat(RFC1034_NAME_MAX_LENGTH), true],
    ["a".repeat(RFC1034_NAME_MAX_LENGTH + 1), false],
    ["", false],
    ["-a", false],
    ["a-", false],
    ["a--b", false],
    ["xn--bcher-kva", false],
    ["A", false],
    ["a_b", false],
    ["a.b", false],
  ])("%s → %s", (label, expected) => {
    expect(isRfc1034Label(label)).toBe(expected);
  });
});
