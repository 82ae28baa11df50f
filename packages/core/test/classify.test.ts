import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CHATBOT_MODES,
  classifyRequest,
  deriveChatbot,
  modeFor,
  platformConfig,
  type RequestClassification,
  routeKey,
  routeTargetFor,
} from "../src/index.ts";
import {
  accountNumberArb,
  alphaConfig,
  anyUnicode,
  anyUtf16,
  hostLike,
  routeRecordFor,
  scenarioArb,
  seedFacts,
  splitUrl,
} from "./helpers.ts";

const HASHED = "rMTAwNTE3NAx"; // chatbot 5174
const PLATFORM = "alpha.platform.example.com";
const API = "alpha.api.example.com";
const classify = (host: string, path = "/") => classifyRequest(host, path, alphaConfig);

describe("classifyRequest: sandbox (platform host + /workbench/chatbots/<hashed_id>/...)", () => {
  it.each([
    [`/workbench/chatbots/${HASHED}/`, "/"],
    [`/workbench/chatbots/${HASHED}`, "/"],
    [`//workbench///chatbots//${HASHED}//`, "/"],
    [`/workbench/chatbots/${HASHED}/chat/`, "/chat/"],
    [`/workbench/chatbots/${HASHED}/chat`, "/chat"],
    [`/workbench/chatbots/${HASHED}/config/?session=1`, "/config/"],
    [`/workbench/chatbots/${HASHED}/v1/chat/completions#frag`, "/v1/chat/completions"],
  ])("%s → rest %s", (path, rest) => {
    expect(classify(PLATFORM, path)).toEqual({ kind: "sandbox", chatbotId: 5174, hashedId: HASHED, rest });
  });

  it("normalizes the platform host first (case, trailing dot, port)", () => {
    expect(classify("ALPHA.Platform.Example.COM.:8787", `/workbench/chatbots/${HASHED}/`)).toMatchObject({
      kind: "sandbox",
      chatbotId: 5174,
    });
  });

  it.each([
    "/workbench/chatbots/5174/",
    "/workbench/chatbots/rMTAwNTE3NBx/",
    "/workbench/chatbots/garbage/",
    `/workbench/chatbots/${HASHED.toUpperCase()}/`,
  ])("%s is not a chatbot (NOT_FOUND)", (path) => {
    expect(classify(PLATFORM, path)).toMatchObject({ kind: "invalid", errorCode: "NOT_FOUND" });
  });

  it.each([
    "/",
    "/workbench",
    "/workbench/chatbots",
    "/workbench/chatbots/",
    "/Workbench/chatbots/x/",
    "/login",
  ])("%s names no chatbot → platform", (path) => {
    expect(classify(PLATFORM, path)).toMatchObject({ kind: "platform", surface: "platform" });
  });
});

describe("classifyRequest: api (API host + /api/v1/chatbots/<id|hashed_id>/(chat|config)/)", () => {
  it.each([
    [`/api/v1/chatbots/${HASHED}/chat/`, "chat", "/"],
    [`/api/v1/chatbots/${HASHED}/config/`, "config", "/"],
    ["/api/v1/chatbots/5174/chat/", "chat", "/"],
    ["/api/v1/chatbots/5174/config", "config", "/"],
    ["//api//v1/chatbots/5174/chat//", "chat", "/"],
    ["/api/v1/chatbots/5174/chat/stream/", "chat", "/stream/"],
  ])("%s → %s", (path, action, rest) => {
    expect(classify(API, path)).toEqual({ kind: "api", chatbotId: 5174, action, rest });
  });

  it.each([
    "/api/v1/chatbots/5174/",
    "/api/v1/chatbots/5174",
    "/api/v1/chatbots/5174/delete/",
    "/api/v1/chatbots/05174/chat/",
    "/api/v1/chatbots/0/chat/",
    "/api/v1/chatbots/-1/chat/",
    "/api/v1/chatbots/rMTAwNTE3NBx/chat/",
    "/api/v1/chatbots/5174/CHAT/",
  ])("%s is not a chatbot endpoint (NOT_FOUND)", (path) => {
    expect(classify(API, path)).toMatchObject({ kind: "invalid", errorCode: "NOT_FOUND" });
  });

  it.each(["/", "/trpc/chatbot.get", "/health", "/api/v1/chatbots", "/api/v2/chatbots/5174/chat/"])(
    "%s names no chatbot → platform (api surface)",
    (path) => {
      expect(classify(API, path)).toEqual({ kind: "platform", surface: "api", rest: expect.any(String) });
    },
  );
});

describe("classifyRequest: default (<name>[.<username>].<account_number>.<api domain>)", () => {
  it.each<[string, RequestClassification]>([
    [
      "example.1234-5678-9012.alpha.api.example.com",
      {
        kind: "default",
        host: "example.1234-5678-9012.alpha.api.example.com",
        name: "example",
        accountNumber: "1234-5678-9012",
        rest: "/",
      },
    ],
    [
      "Example.User123.1234-5678-9012.Alpha.Api.Example.Com.:443",
      {
        kind: "default",
        host: "example.user123.1234-5678-9012.alpha.api.example.com",
        name: "example",
        username: "user123",
        accountNumber: "1234-5678-9012",
        rest: "/",
      },
    ],
  ])("%s", (host, expected) => {
    expect(classify(host)).toEqual(expected);
  });

  it("keeps the path as rest", () => {
    expect(classify("bot.1234-5678-9012.alpha.api.example.com", "/v1/chat/completions")).toMatchObject({
      kind: "default",
      rest: "/v1/chat/completions",
    });
  });

  it("omits username for an admin's chatbot", () => {
    expect(classify("example.1234-5678-9012.alpha.api.example.com")).not.toHaveProperty("username");
  });

  it.each([
    "1234-5678-9012.alpha.api.example.com",
    "example.alpha.api.example.com",
    "example.12345678-9012.alpha.api.example.com",
    "a.b.c.1234-5678-9012.alpha.api.example.com",
    "ex--ample.1234-5678-9012.alpha.api.example.com",
    "xn--bcher-kva.1234-5678-9012.alpha.api.example.com",
    "example.1234-5678-9012.extra.alpha.api.example.com",
    `${"a".repeat(40)}.${"b".repeat(40)}.1234-5678-9012.alpha.api.example.com`,
  ])("%s is not a chatbot host (NOT_FOUND)", (host) => {
    expect(classify(host)).toMatchObject({
      kind: "invalid",
      errorCode: "NOT_FOUND",
      error: { code: "not_a_chatbot_host" },
    });
  });
});

describe("classifyRequest: custom and the platform's own names", () => {
  it.each([
    ["example.customer.org", "/"],
    ["bot.user.customer.co.uk", "/chat/"],
    ["Bücher.de", "/"],
    ["localhost", "/"],
    ["api.example.org", "/"],
    ["examplexcom.org", "/"],
  ])("%s → custom", (host, path) => {
    const result = classify(host, path);
    expect(result.kind).toBe("custom");
  });

  it("returns the normalized host", () => {
    expect(classify("Bücher.DE.:8443", "/chat")).toEqual({
      kind: "custom",
      host: "xn--bcher-kva.de",
      rest: "/chat",
    });
  });

  it.each(["example.com", "www.example.com", "beta.platform.example.com", "x.alpha.platform.example.com"])(
    "%s belongs to the platform → NOT_FOUND without a lookup",
    (host) => {
      const result = classify(host);
      expect(result).toMatchObject({ kind: "invalid", errorCode: "NOT_FOUND" });
      expect(routeTargetFor(result)).toBeNull();
    },
  );
});

describe("classifyRequest: bad hosts and paths", () => {
  it.each([
    ["", "required"],
    ["127.0.0.1", "ip_literal"],
    ["[::1]:8787", "ip_literal"],
    ["user@example.customer.org", "userinfo"],
    ["exa mple.org", "whitespace"],
    ["example.org:99999", "port_invalid"],
    ["a_b.org", "invalid_characters"],
  ])("host %j → INVALID_HOST (%s)", (host, code) => {
    expect(classify(host)).toEqual({
      kind: "invalid",
      errorCode: "INVALID_HOST",
      error: expect.objectContaining({ code }),
    });
  });

  it("treats a missing Host header as INVALID_HOST", () => {
    expect(classifyRequest(undefined, "/", alphaConfig)).toMatchObject({
      kind: "invalid",
      errorCode: "INVALID_HOST",
    });
  });

  it.each([
    "/a%2Fb",
    "/a%2fb",
    "/a%5Cb",
    "/a\\b",
    "/../chat/",
    "/a/./b",
    "/%2e%2e/chat/",
    "/.%2E/",
    "/%2e/",
    "/a%00b",
    "/%E0%A4%A",
    "chat/",
    "http://evil.example/chat/",
    `/workbench/chatbots/${HASHED}/..%2F..%2Fadmin`,
    `/workbench/chatbots/${HASHED}%2F/chat/`,
  ])("path %j → BAD_REQUEST", (path) => {
    expect(classify(PLATFORM, path)).toMatchObject({
      kind: "invalid",
      errorCode: "BAD_REQUEST",
      error: { code: "invalid_path" },
    });
    expect(classify("bot.customer.org", path)).toMatchObject({ kind: "invalid", errorCode: "BAD_REQUEST" });
  });

  it("accepts an empty path as /", () => {
    expect(classify("bot.customer.org", "")).toEqual({ kind: "custom", host: "bot.customer.org", rest: "/" });
  });

  it("keeps harmless percent-encoding as received (never decoded twice)", () => {
    expect(classify("bot.customer.org", "/a%20b/%252F/")).toMatchObject({ rest: "/a%20b/%252F/" });
  });

  it("never throws on arbitrary hosts and paths, including full Unicode", () => {
    const arbitrary = fc.oneof(anyUnicode, anyUtf16, hostLike);
    fc.assert(
      fc.property(arbitrary, arbitrary, (host, path) => {
        const result = classifyRequest(host, path, alphaConfig);
        expect(["sandbox", "api", "default", "custom", "platform", "invalid"]).toContain(result.kind);
        if ("rest" in result) {
          expect(result.rest.startsWith("/")).toBe(true);
          expect(result.rest).not.toMatch(/[?#]/);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe("routeTargetFor", () => {
  it.each<[RequestClassification, ReturnType<typeof routeTargetFor>]>([
    [
      { kind: "sandbox", chatbotId: 7, hashedId: "h", rest: "/" },
      { kind: "id", id: 7 },
    ],
    [
      { kind: "api", chatbotId: 7, action: "chat", rest: "/" },
      { kind: "id", id: 7 },
    ],
    [
      { kind: "default", host: "a.1234-5678-9012.d", name: "a", accountNumber: "1234-5678-9012", rest: "/" },
      { kind: "host", host: "a.1234-5678-9012.d" },
    ],
    [
      { kind: "custom", host: "a.customer.org", rest: "/" },
      { kind: "host", host: "a.customer.org" },
    ],
    [{ kind: "platform", surface: "api", rest: "/" }, null],
    [{ kind: "invalid", errorCode: "NOT_FOUND", error: { code: "x", message: "x" } }, null],
  ])("%o → %o", (classification, target) => {
    expect(routeTargetFor(classification)).toEqual(target);
  });
});

describe("modeFor", () => {
  const member = { ...seedFacts, owner: { username: "user123", isAccountAdmin: false } };
  const record = routeRecordFor(member, alphaConfig);

  it.each<[string, string, string]>([
    ["its default host", "example.user123.1234-5678-9012.alpha.api.example.com", "default"],
    ["someone else's custom host", "example.user123.customer.org", "unknown"],
    ["its sandbox path", `${PLATFORM}${"\u0000"}/workbench/chatbots/${HASHED}/`, "sandbox"],
    [
      "its API path (by id: sandbox, needs an owner token)",
      `${API}${"\u0000"}/api/v1/chatbots/5174/chat/`,
      "sandbox",
    ],
    ["another chatbot's sandbox path", `${PLATFORM}${"\u0000"}/workbench/chatbots/rMTAwNTE3NQx/`, "unknown"],
    ["another chatbot's API path", `${API}${"\u0000"}/api/v1/chatbots/5175/chat/`, "unknown"],
    [
      "the same name under another account",
      "example.user123.9999-9999-9999.alpha.api.example.com",
      "unknown",
    ],
    ["the admin-form host of a member's chatbot", "example.1234-5678-9012.alpha.api.example.com", "unknown"],
    ["a platform page", `${PLATFORM}${"\u0000"}/login`, "unknown"],
  ])("%s → %s", (_label, hostAndPath, expected) => {
    const [host = "", path = "/"] = hostAndPath.split("\u0000");
    expect(modeFor(classifyRequest(host, path, alphaConfig), record)).toBe(expected);
  });

  it("a custom host hit counts only while it is the record's (verified) custom host", () => {
    const verified = { ...seedFacts, customDomain: { domainName: "customer.org", isVerified: true } };
    const classification = classify("example.customer.org");
    expect(modeFor(classification, routeRecordFor(verified, alphaConfig))).toBe("custom");
    const unverified = { ...verified, customDomain: { domainName: "customer.org", isVerified: false } };
    expect(modeFor(classification, routeRecordFor(unverified, alphaConfig))).toBe("unknown");
  });

  it("a default host is never reachable under another account's number, even if the record's host matched", () => {
    const forged = { ...record, accountNumber: "9999-9999-9999" };
    expect(modeFor(classify(record.defaultHost), forged)).toBe("unknown");
  });

  it("always answers one of the four modes", () => {
    fc.assert(
      fc.property(fc.oneof(anyUnicode, hostLike), fc.oneof(anyUnicode, hostLike), (host, path) => {
        expect(CHATBOT_MODES).toContain(modeFor(classifyRequest(host, path, alphaConfig), record));
      }),
      { numRuns: 500 },
    );
  });
});

describe("classifying a chatbot's own URLs returns that chatbot in the right mode", () => {
  it("for any valid chatbot on any platform configuration", () => {
    fc.assert(
      fc.property(scenarioArb, ({ config, facts }) => {
        const derived = deriveChatbot(facts, config);
        const record = routeRecordFor(facts, config);
        const [name, username] = derived.rfc1034CompliantName.split(".");

        const viaDefault = splitUrl(derived.defaultUrl);
        const byDefault = classifyRequest(viaDefault.authority, viaDefault.path, config);
        expect(byDefault).toEqual({
          kind: "default",
          host: derived.defaultHost,
          name,
          ...(username === undefined ? {} : { username }),
          accountNumber: facts.accountNumber,
          rest: "/",
        });
        expect(routeTargetFor(byDefault)).toEqual({ kind: "host", host: derived.defaultHost });
        expect(modeFor(byDefault, record)).toBe("default");

        for (const sandboxUrl of [derived.sandboxUrl, derived.urlChatapp]) {
          const viaSandbox = splitUrl(sandboxUrl);
          const bySandbox = classifyRequest(viaSandbox.authority, viaSandbox.path, config);
          expect(bySandbox).toMatchObject({
            kind: "sandbox",
            chatbotId: facts.id,
            hashedId: derived.hashedId,
          });
          expect(routeTargetFor(bySandbox)).toEqual({ kind: "id", id: facts.id });
          expect(modeFor(bySandbox, record)).toBe("sandbox");
        }

        for (const [apiUrl, action] of [
          [derived.urlChatbot, "chat"],
          [derived.urlChatConfig, "config"],
        ] as const) {
          const viaApi = splitUrl(apiUrl);
          const byApi = classifyRequest(viaApi.authority, viaApi.path, config);
          expect(byApi).toEqual({ kind: "api", chatbotId: facts.id, action, rest: "/" });
          expect(modeFor(byApi, record)).toBe("sandbox");
        }

        if (derived.customUrl !== null) {
          const viaCustom = splitUrl(derived.customUrl);
          const byCustom = classifyRequest(viaCustom.authority, viaCustom.path, config);
          expect(byCustom).toEqual({ kind: "custom", host: derived.customHost, rest: "/" });
          expect(routeKey(routeTargetFor(byCustom) ?? { kind: "id", id: 0 })).toBe(
            routeKey({ kind: "host", host: derived.customHost ?? "" }),
          );
          expect(modeFor(byCustom, record)).toBe("custom");
        }
      }),
      { numRuns: 500 },
    );
  });

  it("never under another account's number", () => {
    fc.assert(
      fc.property(scenarioArb, accountNumberArb, ({ config, facts }, otherAccount) => {
        fc.pre(otherAccount !== facts.accountNumber);
        const record = routeRecordFor(facts, config);
        const foreignHost = deriveChatbot({ ...facts, accountNumber: otherAccount }, config).defaultHost;
        expect(modeFor(classifyRequest(foreignHost, "/", config), record)).toBe("unknown");
      }),
    );
  });

  it("works with overridden local domains and a port", () => {
    const config = platformConfig({
      environment: "local",
      rootDomain: "localhost",
      apiDomain: "api.localhost",
      platformDomain: "platform.localhost",
      port: 8787,
    });
    const derived = deriveChatbot(seedFacts, config);
    expect(derived.defaultUrl).toBe("http://example.1234-5678-9012.api.localhost:8787");
    const { authority, path } = splitUrl(derived.defaultUrl);
    expect(modeFor(classifyRequest(authority, path, config), routeRecordFor(seedFacts, config))).toBe(
      "default",
    );
  });
});
