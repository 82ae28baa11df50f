import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  calculator,
  createFunctionLibrary,
  dateCalculator,
  functionsFor,
  MAX_EXPRESSION_CHARS,
  weatherFunction,
} from "../src/index.ts";

const run = async (fn: { execute(a: string): Promise<string> }, args: unknown) =>
  JSON.parse(await fn.execute(typeof args === "string" ? args : JSON.stringify(args))) as Record<
    string,
    unknown
  >;
const errorCode = (result: Record<string, unknown>) => (result.error as { code?: string } | undefined)?.code;

describe("calculator", () => {
  it.each([
    ["2+3", 5],
    ["(2+3)*4", 20],
    ["2^10", 1024],
    ["sqrt(16) + sin(pi/2)", 5],
    ["5!", 120],
    ["7 % 3", 1],
    ["ln(e)", 1],
    ["max(3, 9, 4)", 9],
  ])("evaluates %s", async (expression, result) => {
    expect(await run(calculator, { expression })).toEqual({ expression, result });
  });

  it.each([
    "import({}, {override: true})",
    "createUnit('foo')",
    "evaluate('1+1')",
    "parse('1')",
    "x = 3",
    "f(x) = x^2",
    "zeros(1000000000)",
    "1:1000000000",
    "[1, 2, 3]",
    "{a: 1}",
    "'text'",
    "10 cm",
    "2 cm to inch",
    "cos.constructor",
    "1 ? 2 : 3",
    "2 > 1",
    "(sqrt)(4)",
  ])("refuses what is not arithmetic: %s", async (expression) => {
    expect(errorCode(await run(calculator, { expression }))).toBe("evaluation_failed");
  });

  it("answers an error result for results that are not finite numbers", async () => {
    for (const expression of ["1/0", "sqrt(-1)", "1e6!"]) {
      expect(errorCode(await run(calculator, { expression }))).toBe("evaluation_failed");
    }
  });

  it("counts combinations and permutations within a double's range, and refuses larger ones before counting", async () => {
    expect(await run(calculator, { expression: "combinations(52, 5)" })).toMatchObject({ result: 2_598_960 });
    expect(await run(calculator, { expression: "permutations(10, 3)" })).toMatchObject({ result: 720 });
    expect(await run(calculator, { expression: "permutations(170)" })).toMatchObject({
      result: 7.257415615307998e306,
    });
    // mathjs would loop hundreds of billions of times on these: the test would time out.
    for (const expression of ["combinations(1e12, 5e11)", "permutations(1e12, 1e12)", "permutations(1e12)"]) {
      expect(await run(calculator, { expression })).toMatchObject({
        error: { code: "evaluation_failed", message: "The result is not a finite number." },
      });
    }
  });

  it("refuses bad arguments with invalid_arguments, never throwing", async () => {
    expect(errorCode(await run(calculator, "not json"))).toBe("invalid_arguments");
    expect(errorCode(await run(calculator, {}))).toBe("invalid_arguments");
    expect(errorCode(await run(calculator, { expression: 42 }))).toBe("invalid_arguments");
    expect(errorCode(await run(calculator, { expression: "1", extra: true }))).toBe("invalid_arguments");
    expect(errorCode(await run(calculator, { expression: "1+".repeat(MAX_EXPRESSION_CHARS) }))).toBe(
      "invalid_arguments",
    );
    expect(errorCode(await run(calculator, "x".repeat(10_000)))).toBe("invalid_arguments");
  });

  it("offers a JSON-schema tool definition", () => {
    expect(calculator.definition).toMatchObject({
      type: "function",
      function: { name: "calculator", parameters: { type: "object", required: ["expression"] } },
    });
  });
});

describe("date_calculator", () => {
  it("adds and subtracts durations in the calendar", async () => {
    expect(
      await run(dateCalculator, { operation: "add", date: "2026-01-31", duration: { months: 1 } }),
    ).toEqual({
      result: "2026-02-28",
      weekday: "Saturday",
    });
    expect(
      await run(dateCalculator, { operation: "subtract", date: "2026-03-01", duration: { days: 1 } }),
    ).toEqual({
      result: "2026-02-28",
      weekday: "Saturday",
    });
    expect(
      await run(dateCalculator, { operation: "add", date: "2026-12-02T23:30", duration: { minutes: 45 } }),
    ).toMatchObject({ result: "2026-12-03T00:15:00" });
  });

  it("counts whole units between two dates", async () => {
    expect(
      await run(dateCalculator, { operation: "difference", from: "2026-01-01", to: "2026-12-25" }),
    ).toEqual({
      result: 358,
      unit: "days",
    });
    expect(
      await run(dateCalculator, {
        operation: "difference",
        from: "2000-02-29",
        to: "2026-02-28",
        unit: "years",
      }),
    ).toEqual({ result: 25, unit: "years" });
    expect(
      await run(dateCalculator, {
        operation: "difference",
        from: "2026-12-25",
        to: "2026-12-01",
        unit: "weeks",
      }),
    ).toEqual({ result: -3, unit: "weeks" });
  });

  it("names the weekday", async () => {
    expect(await run(dateCalculator, { operation: "weekday", date: "2026-12-02" })).toEqual({
      date: "2026-12-02",
      weekday: "Wednesday",
    });
  });

  it.each([
    { operation: "weekday", date: "2026-02-30" },
    { operation: "weekday", date: "2026-12-02T10:00:00Z" },
    { operation: "weekday", date: "next tuesday" },
    { operation: "add", date: "2026-12-02", duration: {} },
    { operation: "add", date: "2026-12-02", duration: { days: 1.5 } },
    { operation: "add", date: "2026-12-02", duration: { fortnights: 1 } },
    { operation: "add", date: "2026-12-02" },
    { operation: "difference", from: "2026-12-02", to: "2026-12-03", unit: "centuries" },
    { operation: "teleport", date: "2026-12-02" },
    { operation: "weekday", date: "2026-12-02", extra: 1 },
  ])("refuses %j with invalid_arguments", async (args) => {
    expect(errorCode(await run(dateCalculator, args))).toBe("invalid_arguments");
  });
});

describe("get_current_weather", () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://local");
      seen.push(url.search);
      const location = url.searchParams.get("location") ?? "";
      if (location === "Slowtown") return void setTimeout(() => res.end("{}"), 5_000).unref();
      if (location === "Brokenville") return void res.writeHead(500).end("boom");
      if (location === "Garbleburg")
        return void res.writeHead(200, { "content-type": "application/json" }).end("<html>");
      if (location === "Bigcity")
        return void res.writeHead(200).end(JSON.stringify({ pad: "x".repeat(100_000) }));
      if (location === "Endlessville") {
        // Never ends: the function must stop reading, not wait for the end.
        res.writeHead(200, { "content-type": "application/json" });
        const talk = () => {
          if (!res.destroyed) res.write(`{"pad":"${"x".repeat(8_192)}",`, () => setImmediate(talk));
        };
        return void talk();
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ temperature: 21, conditions: "sunny" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/weather`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("asks the configured service and hands its answer to the model", async () => {
    const weather = weatherFunction({ url: base, timeoutMs: 2_000 });
    expect(await run(weather, { location: "Paris, France", unit: "fahrenheit" })).toEqual({
      location: "Paris, France",
      unit: "fahrenheit",
      temperature: 21,
      conditions: "sunny",
    });
    expect(seen).toContain("?location=Paris%2C+France&unit=fahrenheit");
  });

  it("gives up after its timeout with a timeout result", async () => {
    const weather = weatherFunction({ url: base, timeoutMs: 200 });
    const started = Date.now();
    expect(errorCode(await run(weather, { location: "Slowtown" }))).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("turns service failures into upstream_failed results", async () => {
    const weather = weatherFunction({ url: base, timeoutMs: 2_000 });
    for (const location of ["Brokenville", "Garbleburg", "Bigcity"]) {
      expect(errorCode(await run(weather, { location }))).toBe("upstream_failed");
    }
    const unreachable = weatherFunction({ url: "http://127.0.0.1:1/weather", timeoutMs: 2_000 });
    expect(errorCode(await run(unreachable, { location: "Paris" }))).toBe("upstream_failed");
  });

  it("stops reading an answer past 16 KiB, even one that never ends, and says it was too large", async () => {
    const weather = weatherFunction({ url: base, timeoutMs: 10_000 });
    for (const location of ["Bigcity", "Endlessville"]) {
      const result = await run(weather, { location });
      expect(result.error).toEqual({
        code: "upstream_failed",
        message: "The weather service's answer is too large.",
      });
    }
  });

  it("answers not_configured without a service URL, and validates arguments first", async () => {
    const weather = weatherFunction({ url: null, timeoutMs: 2_000 });
    expect(errorCode(await run(weather, { location: "Paris" }))).toBe("not_configured");
    expect(errorCode(await run(weather, { location: "" }))).toBe("invalid_arguments");
    expect(errorCode(await run(weather, { location: "Paris", unit: "kelvin" }))).toBe("invalid_arguments");
  });
});

describe("the function library", () => {
  it("picks a chatbot's enabled functions by name, ignoring unknown ones", () => {
    const library = createFunctionLibrary({ weather: { url: null, timeoutMs: 1_000 } });
    expect(functionsFor(library, ["get_current_weather", "calculator", "nope"]).map((f) => f.name)).toEqual([
      "calculator",
      "get_current_weather",
    ]);
    expect(functionsFor(library, [])).toEqual([]);
  });
});
