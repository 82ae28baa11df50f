import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  NEGATIVE_ROUTE,
  parseRouteEntry,
  ROUTE_KEY_VERSION,
  type RouteRecord,
  routeKey,
} from "../src/index.ts";
import { alphaConfig, chatbotIdArb, routeRecordFor, scenarioArb, seedFacts } from "./helpers.ts";

const record: RouteRecord = routeRecordFor(seedFacts, alphaConfig);

describe("routeKey", () => {
  it("builds versioned keys for hosts and ids", () => {
    expect(routeKey({ kind: "host", host: "example.example.com" })).toBe(
      `route:v${ROUTE_KEY_VERSION}:host:example.example.com`,
    );
    expect(routeKey({ kind: "id", id: 5174 })).toBe(`route:v${ROUTE_KEY_VERSION}:id:5174`);
  });

  it("never lets a host key collide with an id key", () => {
    fc.assert(
      fc.property(chatbotIdArb, (id) => {
        expect(routeKey({ kind: "host", host: String(id) })).not.toBe(routeKey({ kind: "id", id }));
      }),
    );
  });

  it("gives distinct chatbots' hosts distinct keys", () => {
    fc.assert(
      fc.property(scenarioArb, scenarioArb, (a, b) => {
        const hostA = routeRecordFor(a.facts, alphaConfig).defaultHost;
        const hostB = routeRecordFor(b.facts, alphaConfig).defaultHost;
        expect(routeKey({ kind: "host", host: hostA }) === routeKey({ kind: "host", host: hostB })).toBe(
          hostA === hostB,
        );
      }),
    );
  });
});

describe("parseRouteEntry", () => {
  it("round-trips a record through JSON", () => {
    expect(parseRouteEntry(JSON.parse(JSON.stringify(record)))).toEqual(record);
  });

  it("round-trips any derived record through JSON", () => {
    fc.assert(
      fc.property(scenarioArb, ({ config, facts }) => {
        const built = routeRecordFor(facts, config);
        expect(parseRouteEntry(JSON.parse(JSON.stringify(built)))).toEqual(built);
      }),
      { numRuns: 200 },
    );
  });

  it("round-trips the negative entry", () => {
    expect(parseRouteEntry(JSON.parse(JSON.stringify(NEGATIVE_ROUTE)))).toBe(NEGATIVE_ROUTE);
  });

  it("reads a record written before embedOrigins existed as embeddable nowhere", () => {
    const { embedOrigins: _, ...older } = record;
    expect(parseRouteEntry(older)).toEqual({ ...record, embedOrigins: [] });
  });

  it("reads a record cached when it still carried rate limits (now the origin's) without them", () => {
    const older = { ...record, rateLimit: { requests: 100, clientRequests: null, windowSeconds: 60 } };
    expect(parseRouteEntry(older)).toEqual(record);
  });

  it("drops unknown fields", () => {
    expect(parseRouteEntry({ ...record, injected: "<script>" })).toEqual(record);
  });

  it.each<[string, unknown]>([
    ["null", null],
    ["a string", JSON.stringify(record)],
    ["an array", [record]],
    ["no found flag", { ...record, found: undefined }],
    ["found as a string", { ...record, found: "true" }],
    ["chatbotId 0", { ...record, chatbotId: 0 }],
    ["chatbotId as a string", { ...record, chatbotId: "5174" }],
    ["fractional chatbotId", { ...record, chatbotId: 1.5 }],
    ["unsafe chatbotId", { ...record, chatbotId: 2 ** 60 }],
    ["empty hashedId", { ...record, hashedId: "" }],
    ["missing accountNumber", { ...record, accountNumber: undefined }],
    ["empty defaultHost", { ...record, defaultHost: "" }],
    ["customHost undefined", { ...record, customHost: undefined }],
    ["empty customHost", { ...record, customHost: "" }],
    ["deployed as a string", { ...record, deployed: "yes" }],
    ["ready missing", { ...record, ready: undefined }],
    ["unknown DNS status", { ...record, dnsVerificationStatus: "verified" }],
    ["unknown TLS status", { ...record, tlsCertificateIssuanceStatus: "ISSUED" }],
    ["apiKeyRequired as a number", { ...record, apiKeyRequired: 1 }],
    ["version NaN", { ...record, version: Number.NaN }],
    ["version as a string", { ...record, version: "1" }],
    ["embedOrigins as a string", { ...record, embedOrigins: "https://a.example" }],
    [
      "an embed origin that could break out of a CSP header",
      { ...record, embedOrigins: ["https://a.example; script-src *"] },
    ],
  ])("rejects %s", (_label, value) => {
    expect(parseRouteEntry(value)).toBeNull();
  });

  it("never throws on arbitrary JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const entry = parseRouteEntry(value);
        expect(entry === null || typeof entry.found === "boolean").toBe(true);
      }),
    );
  });
});
