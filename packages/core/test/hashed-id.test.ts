import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BotgateError,
  hashedId,
  isChatbotId,
  MAX_CHATBOT_ID,
  parseChatbotIdSegment,
  parseHashedId,
} from "../src/index.ts";
import { anyUtf16, chatbotIdArb } from "./helpers.ts";

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Reference base64url (no padding) for ASCII text, written independently of the implementation. */
function b64url(text: string): string {
  const bits = [...text].map((c) => c.charCodeAt(0).toString(2).padStart(8, "0")).join("");
  const padded = bits.padEnd(Math.ceil(bits.length / 6) * 6, "0");
  return (padded.match(/.{6}/g) ?? []).map((six) => B64[Number.parseInt(six, 2)]).join("");
}
const wrap = (digits: string) => `r${b64url(digits)}x`;

describe("hashedId", () => {
  it.each([
    [5174, "rMTAwNTE3NAx"],
    [1, "rMTAwMDAwMQx"],
    [42, wrap("1000042")],
    [MAX_CHATBOT_ID, wrap(String(Number.MAX_SAFE_INTEGER))],
  ])("%i → %s", (id, expected) => {
    expect(hashedId(id)).toBe(expected);
    expect(parseHashedId(expected)).toBe(id);
  });

  it("is r + base64url(String(id + 1000000)) + x for every id, without padding", () => {
    fc.assert(
      fc.property(chatbotIdArb, (id) => {
        const hashed = hashedId(id);
        expect(hashed).toBe(wrap(String(id + 1_000_000)));
        expect(hashed).toMatch(/^r[A-Za-z0-9_-]+x$/);
      }),
    );
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_CHATBOT_ID + 1])("refuses id %s", (id) => {
    expect(() => hashedId(id)).toThrow(BotgateError);
    expect(isChatbotId(id)).toBe(false);
  });
});

describe("parseHashedId", () => {
  it("round-trips every valid id", () => {
    fc.assert(
      fc.property(chatbotIdArb, (id) => {
        expect(parseHashedId(hashedId(id))).toBe(id);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ["empty", ""],
    ["prefix and suffix only", "rx"],
    ["no prefix", "MTAwNTE3NAx"],
    ["no suffix", "rMTAwNTE3NA"],
    ["upper-case prefix", "RMTAwNTE3NAx"],
    ["upper-case suffix", "rMTAwNTE3NAX"],
    ["padding", "rMTAwNTE3NA==x"],
    ["non-canonical trailing bits", "rMTAwNTE3NBx"],
    ["impossible length", "rMTAwNTE3NAAx"],
    ["standard base64 '+' and '/'", "rMTAw+TE3/Ax"],
    ["whitespace", " rMTAwNTE3NAx"],
    ["percent-encoded", "rMTAwNTE3NA%3Dx"],
    ["leading zero", wrap("01005174")],
    ["id 0", wrap("1000000")],
    ["negative id", wrap("999999")],
    ["not digits", wrap("10a5174")],
    ["sign", wrap("+1005174")],
    ["exponent", wrap("1e7")],
    ["unsafe integer", wrap("9007199254740993")],
    ["id above MAX_CHATBOT_ID", wrap("9007199254740992")],
    ["plain numeric id", "5174"],
    ["very long", `r${"A".repeat(10_000)}x`],
  ])("rejects %s", (_label, text) => {
    expect(parseHashedId(text)).toBeNull();
  });

  it("returns null or exactly the id whose hashedId is the input, for any string", () => {
    fc.assert(
      fc.property(fc.oneof(anyUtf16, fc.stringMatching(/^r[A-Za-z0-9_-]{0,14}x$/)), (text) => {
        const id = parseHashedId(text);
        if (id !== null) expect(hashedId(id)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("parseChatbotIdSegment", () => {
  it.each([
    ["5174", 5174],
    ["1", 1],
    ["rMTAwNTE3NAx", 5174],
    [String(MAX_CHATBOT_ID), MAX_CHATBOT_ID],
  ])("%s → %i", (segment, expected) => {
    expect(parseChatbotIdSegment(segment)).toBe(expected);
  });

  it.each([
    "",
    "0",
    "05174",
    "-1",
    "+1",
    "1e3",
    "1.0",
    " 1",
    "1 ",
    "0x10",
    String(MAX_CHATBOT_ID + 1),
    "99999999999999999999",
    "rMTAwNTE3NBx",
  ])("rejects %j", (segment) => {
    expect(parseChatbotIdSegment(segment)).toBeNull();
  });

  it("accepts both forms of every id", () => {
    fc.assert(
      fc.property(chatbotIdArb, (id) => {
        expect(parseChatbotIdSegment(String(id))).toBe(id);
        expect(parseChatbotIdSegment(hashedId(id))).toBe(id);
      }),
    );
  });
});
