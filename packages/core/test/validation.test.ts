import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BotgateError,
  generateAccountNumber,
  validateAccountNumber,
  validateChatbotName,
  validateSemver,
  validateUsername,
} from "../src/index.ts";

describe("validateChatbotName", () => {
  it.each(["example", "weather", "apiKey", "myChatBot2", "Stackademy", "a", `a${"B".repeat(62)}`])(
    "accepts %s",
    (name) => {
      expect(validateChatbotName(name)).toEqual({ ok: true, value: name });
    },
  );

  it.each([
    ["", "required"],
    [undefined, "required"],
    [42, "required"],
    [`a${"b".repeat(63)}`, "too_long"],
    ["2fast", "invalid_start"],
    ["_private", "invalid_start"],
    [" example", "invalid_start"],
    ["my-bot", "invalid_characters"],
    ["my_bot", "invalid_characters"],
    ["my bot", "invalid_characters"],
    ["my.bot", "invalid_characters"],
    ["café", "invalid_characters"],
    ["example\n", "invalid_characters"],
  ])("rejects %j with %s", (name, code) => {
    const result = validateChatbotName(name);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message.length).toBeGreaterThan(10);
    }
  });
});

describe("validateUsername", () => {
  it.each(["user123", "adminuser", "John_Doe", "jane.doe+test@mail.example", "a", "x".repeat(150)])(
    "accepts %s",
    (u) => {
      expect(validateUsername(u)).toEqual({ ok: true, value: u });
    },
  );

  it.each([
    ["", "required"],
    [null, "required"],
    ["x".repeat(151), "too_long"],
    ["john doe", "invalid_characters"],
    ["josé", "invalid_characters"],
    ["a/b", "invalid_characters"],
    ["___", "invalid_format"],
    ["@.+-_", "invalid_format"],
  ])("rejects %j with %s", (u, code) => {
    const result = validateUsername(u);
    expect(result.ok ? null : result.error.code).toBe(code);
  });
});

describe("validateSemver", () => {
  it.each(["1.0.0", "0.0.0", "0.1.2", "10.20.30", "1.0.12345"])("accepts %s", (v) => {
    expect(validateSemver(v)).toEqual({ ok: true, value: v });
  });

  it.each([
    ["", "required"],
    [1, "required"],
    ["1", "invalid_format"],
    ["1.0", "invalid_format"],
    ["1.0.0.0", "invalid_format"],
    ["01.0.0", "invalid_format"],
    ["1.00.0", "invalid_format"],
    ["v1.0.0", "invalid_format"],
    ["1.0.0-beta", "invalid_format"],
    ["1.0.0+build", "invalid_format"],
    [" 1.0.0", "invalid_format"],
    ["1.0.-1", "invalid_format"],
    [`1.0.${"1".repeat(70)}`, "too_long"],
  ])("rejects %j with %s", (v, code) => {
    const result = validateSemver(v);
    expect(result.ok ? null : result.error.code).toBe(code);
  });
});

describe("validateAccountNumber", () => {
  it.each(["1234-5678-9012", "0000-0000-0000"])("accepts %s", (n) => {
    expect(validateAccountNumber(n)).toEqual({ ok: true, value: n });
  });

  it.each([
    "",
    "123456789012",
    "1234-5678-901",
    "1234-5678-90123",
    "1234_5678_9012",
    "abcd-efgh-ijkl",
    "1234-5678-9012 ",
    "１２３４-5678-9012",
  ])("rejects %j", (n) => {
    const result = validateAccountNumber(n);
    expect(result.ok).toBe(false);
  });
});

describe("generateAccountNumber", () => {
  it("formats twelve injected digits as dddd-dddd-dddd", () => {
    const digits = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2];
    let i = 0;
    expect(generateAccountNumber(() => digits[i++] ?? 0)).toBe("1234-5678-9012");
    expect(i).toBe(12);
  });

  it("asks for digits in [0, 10)", () => {
    const bounds: number[] = [];
    generateAccountNumber((max) => {
      bounds.push(max);
      return 0;
    });
    expect(bounds).toEqual(Array(12).fill(10));
  });

  it("always produces a valid account number", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 12 }), (digits) => {
        let i = 0;
        const number = generateAccountNumber(() => digits[i++] ?? 0);
        expect(validateAccountNumber(number).ok).toBe(true);
        expect(number.replace(/-/g, "")).toBe(digits.join(""));
      }),
    );
  });

  it.each([10, -1, 1.5, Number.NaN])("throws INTERNAL when randomInt returns %s", (bad) => {
    expect(() => generateAccountNumber(() => bad)).toThrow(BotgateError);
  });
});
