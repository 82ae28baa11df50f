import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BotgateError,
  baseDefaultHost,
  type ChatbotFacts,
  customHost,
  customUrl,
  defaultHost,
  defaultSystemRoleEnhanced,
  defaultUrl,
  deriveChatbot,
  hashedId,
  hostname,
  isLive,
  mode,
  parseChatbotIdSegment,
  platformConfig,
  ready,
  rfc1034CompliantName,
  sandboxHost,
  sandboxUrl,
  url,
  urlChatapp,
  urlChatbot,
  urlChatConfig,
} from "../src/index.ts";
import { alphaConfig, anyUnicode, localConfig, scenarioArb, seedFacts } from "./helpers.ts";

const verifiedCustom = { domainName: "example.com", isVerified: true };
const unverifiedCustom = { domainName: "example.com", isVerified: false };

describe("seed examples", () => {
  it.each([
    ["example 1 (alpha)", alphaConfig, ".1234-5678-9012.alpha.api.example.com"],
    ["example 2 (local)", localConfig, ".1234-5678-9012.api.local.example.com"],
  ])("base_default_host %s", (_label, config, expected) => {
    expect(baseDefaultHost({ accountNumber: "1234-5678-9012" }, config)).toBe(expected);
  });

  it.each([
    ["example 1 (alpha)", alphaConfig, "example.1234-5678-9012.alpha.api.example.com"],
    ["example 2 (local)", localConfig, "example.1234-5678-9012.api.local.example.com"],
  ])("default_host %s", (_label, config, expected) => {
    expect(defaultHost(seedFacts, config)).toBe(expected);
  });

  it("default_url: https://example.1234-5678-9012.alpha.api.example.com (http in local)", () => {
    expect(defaultUrl(seedFacts, alphaConfig)).toBe("https://example.1234-5678-9012.alpha.api.example.com");
    expect(defaultUrl(seedFacts, localConfig)).toBe("http://example.1234-5678-9012.api.local.example.com");
  });

  it("custom_host / custom_url: name 'example' + domain 'example.com' → example.example.com", () => {
    expect(customHost(seedFacts)).toBe("example.example.com");
    expect(customUrl(seedFacts, alphaConfig)).toBe("https://example.example.com");
  });

  it("sandbox_host / sandbox_url: alpha.platform.smarter.sh + /workbench/chatbots/<hashed_id>/", () => {
    const config = platformConfig({ environment: "alpha", rootDomain: "smarter.sh" });
    expect(sandboxHost(config)).toBe("alpha.platform.smarter.sh");
    expect(sandboxUrl(seedFacts, config)).toBe(
      "https://alpha.platform.smarter.sh/workbench/chatbots/rMTAwNTE3NAx/",
    );
  });

  it("url_chatbot / url_chat_config: http://localhost:9357/api/v1/chatbots/<id>/(chat|config)/", () => {
    const config = platformConfig({
      environment: "local",
      rootDomain: "example.com",
      apiDomain: "localhost",
      port: 9357,
    });
    expect(urlChatbot(seedFacts, config)).toBe("http://localhost:9357/api/v1/chatbots/rMTAwNTE3NAx/chat/");
    expect(urlChatConfig(seedFacts, config)).toBe(
      "http://localhost:9357/api/v1/chatbots/rMTAwNTE3NAx/config/",
    );
    // The seed shows the numeric id (5174); both forms name the same chatbot.
    expect(parseChatbotIdSegment("5174")).toBe(5174);
    expect(parseChatbotIdSegment("rMTAwNTE3NAx")).toBe(5174);
  });

  it("url_chatapp (deprecated): <platform url>/workbench/chatbots/<hashed_id>/chat/", () => {
    expect(urlChatapp(seedFacts, alphaConfig)).toBe(
      "https://alpha.platform.example.com/workbench/chatbots/rMTAwNTE3NAx/chat/",
    );
  });

  it("default_system_role_enhanced: '2024-06-01 12:00:00 System: You are a helpful assistant.'", () => {
    const now = new Date(Date.UTC(2024, 5, 1, 12, 0, 0));
    expect(defaultSystemRoleEnhanced("You are a helpful assistant.", now)).toBe(
      "2024-06-01 12:00:00 System: You are a helpful assistant.",
    );
  });
});

describe("defaultSystemRoleEnhanced", () => {
  it("uses the injected clock, in UTC, zero-padded and without milliseconds", () => {
    expect(defaultSystemRoleEnhanced("Be brief.", new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678)))).toBe(
      "2025-01-02 03:04:05 System: Be brief.",
    );
  });

  it("refuses an invalid date instead of printing NaN", () => {
    expect(() => defaultSystemRoleEnhanced("x", new Date(Number.NaN))).toThrow(BotgateError);
  });
});

describe("customHost", () => {
  it.each<[string, ChatbotFacts["customDomain"], string | null]>([
    ["verified", verifiedCustom, "example.example.com"],
    ["unverified", unverifiedCustom, null],
    ["none", null, null],
  ])("%s domain → %s", (_label, customDomain, expected) => {
    expect(customHost({ ...seedFacts, customDomain })).toBe(expected);
    expect(customUrl({ ...seedFacts, customDomain }, alphaConfig)).toBe(
      expected === null ? null : `https://${expected}`,
    );
  });

  it("includes the username for a member's chatbot", () => {
    const facts = { ...seedFacts, owner: { username: "user123", isAccountAdmin: false } };
    expect(customHost(facts)).toBe("example.user123.example.com");
  });
});

describe("hostname / url / mode / ready by deployment state", () => {
  const sandbox = "https://alpha.platform.example.com/workbench/chatbots/rMTAwNTE3NAx/";
  const defaultU = "https://example.1234-5678-9012.alpha.api.example.com";
  it.each<[string, Partial<ChatbotFacts>, string, string, string, boolean]>([
    ["deployed, verified custom", {}, "example.example.com", "https://example.example.com", "custom", true],
    [
      "deployed, unverified custom",
      { customDomain: unverifiedCustom },
      defaultU.slice(8),
      defaultU,
      "default",
      true,
    ],
    ["deployed, no custom", { customDomain: null }, defaultU.slice(8), defaultU, "default", true],
    [
      "deployed, DNS verifying",
      { dnsVerificationStatus: "Verifying" },
      "example.example.com",
      "https://example.example.com",
      "custom",
      false,
    ],
    [
      "deployed, TLS requested",
      { tlsCertificateIssuanceStatus: "Requested" },
      "example.example.com",
      "https://example.example.com",
      "custom",
      false,
    ],
    ["not deployed", { deployed: false }, "alpha.platform.example.com", sandbox, "sandbox", true],
    [
      "not deployed, nothing verified",
      {
        deployed: false,
        dnsVerificationStatus: "Not Verified",
        tlsCertificateIssuanceStatus: "No Certificate",
      },
      "alpha.platform.example.com",
      sandbox,
      "sandbox",
      true,
    ],
  ])("%s", (_label, overrides, expectedHost, expectedUrl, expectedMode, expectedReady) => {
    const facts = { ...seedFacts, ...overrides };
    expect(hostname(facts, alphaConfig)).toBe(expectedHost);
    expect(url(facts, alphaConfig)).toBe(expectedUrl);
    const derived = deriveChatbot(facts, alphaConfig);
    expect(derived.mode).toBe(expectedMode);
    expect(derived.ready).toBe(expectedReady);
  });
});

describe("ready / isLive", () => {
  it.each([
    [true, "Verified", "Issued", true],
    [false, "Verified", "Issued", false],
    [true, "Verifying", "Issued", false],
    [true, "Failed", "Issued", false],
    [true, "Not Verified", "Issued", false],
    [true, "Verified", "Requested", false],
    [true, "Verified", "Failed", false],
    [true, "Verified", "No Certificate", false],
  ] as const)("deployed=%s dns=%s tls=%s → live %s", (deployed, dns, tls, live) => {
    const facts = { deployed, dnsVerificationStatus: dns, tlsCertificateIssuanceStatus: tls };
    expect(isLive(facts)).toBe(live);
    expect(ready(facts, "default")).toBe(live);
    expect(ready(facts, "custom")).toBe(live);
    expect(ready(facts, "unknown")).toBe(live);
    expect(ready(facts, "sandbox")).toBe(true);
  });
});

describe("mode(url)", () => {
  const member = { ...seedFacts, owner: { username: "user123", isAccountAdmin: false } };
  it.each([
    ["default URL", "https://example.1234-5678-9012.alpha.api.example.com/chat/", "default"],
    [
      "default host, upper case, port, trailing dot",
      "HTTPS://EXAMPLE.1234-5678-9012.ALPHA.API.EXAMPLE.COM.:8443/",
      "default",
    ],
    ["custom URL", "https://example.example.com/", "custom"],
    ["sandbox URL", "https://alpha.platform.example.com/workbench/chatbots/rMTAwNTE3NAx/", "sandbox"],
    [
      "url_chatbot (API host, own id)",
      "https://alpha.api.example.com/api/v1/chatbots/rMTAwNTE3NAx/chat/",
      "sandbox",
    ],
    [
      "url_chat_config by numeric id",
      "https://alpha.api.example.com/api/v1/chatbots/5174/config/",
      "sandbox",
    ],
    ["API host, another chatbot", "https://alpha.api.example.com/api/v1/chatbots/5175/chat/", "unknown"],
    ["API host, no chatbot path", "https://alpha.api.example.com/trpc", "unknown"],
    ["another chatbot's default host", "https://other.1234-5678-9012.alpha.api.example.com/", "unknown"],
    ["same name under another account", "https://example.9999-5678-9012.alpha.api.example.com/", "unknown"],
    ["bare host", "example.example.com", "custom"],
    ["scheme-relative", "//example.example.com/x", "custom"],
    ["userinfo", "https://user@example.example.com/", "unknown"],
    ["empty", "", "unknown"],
    ["not a URL", "not a url", "unknown"],
    ["scheme only", "https://", "unknown"],
    ["IP", "http://127.0.0.1:8787/", "unknown"],
  ])("%s → %s", (_label, target, expected) => {
    expect(mode(target, seedFacts, alphaConfig)).toBe(expected);
  });

  it("a member's chatbot is default only on its name.username host", () => {
    expect(mode("https://example.user123.1234-5678-9012.alpha.api.example.com", member, alphaConfig)).toBe(
      "default",
    );
    expect(mode("https://example.1234-5678-9012.alpha.api.example.com", member, alphaConfig)).toBe("unknown");
  });

  it("an unverified custom domain's host is unknown", () => {
    expect(
      mode("https://example.example.com", { ...seedFacts, customDomain: unverifiedCustom }, alphaConfig),
    ).toBe("unknown");
  });

  it("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(anyUnicode, (target) => {
        expect(["default", "custom", "sandbox", "unknown"]).toContain(mode(target, seedFacts, alphaConfig));
      }),
      { numRuns: 500 },
    );
  });
});

describe("deriveChatbot", () => {
  it("returns every derived property of the seed chatbot", () => {
    expect(deriveChatbot(seedFacts, alphaConfig)).toEqual({
      rfc1034CompliantName: "example",
      hashedId: "rMTAwNTE3NAx",
      baseApiDomain: "alpha.api.example.com",
      baseDefaultHost: ".1234-5678-9012.alpha.api.example.com",
      defaultHost: "example.1234-5678-9012.alpha.api.example.com",
      defaultUrl: "https://example.1234-5678-9012.alpha.api.example.com",
      customHost: "example.example.com",
      customUrl: "https://example.example.com",
      sandboxHost: "alpha.platform.example.com",
      sandboxUrl: "https://alpha.platform.example.com/workbench/chatbots/rMTAwNTE3NAx/",
      hostname: "example.example.com",
      url: "https://example.example.com",
      urlChatbot: "https://alpha.api.example.com/api/v1/chatbots/rMTAwNTE3NAx/chat/",
      urlChatConfig: "https://alpha.api.example.com/api/v1/chatbots/rMTAwNTE3NAx/config/",
      urlChatapp: "https://alpha.platform.example.com/workbench/chatbots/rMTAwNTE3NAx/chat/",
      mode: "custom",
      ready: true,
      live: true,
    });
  });

  it("puts the local port on every URL and on no host", () => {
    const config = platformConfig({ environment: "local", rootDomain: "example.com", port: 8787 });
    const derived = deriveChatbot(seedFacts, config);
    for (const key of [
      "defaultUrl",
      "customUrl",
      "sandboxUrl",
      "url",
      "urlChatbot",
      "urlChatConfig",
      "urlChatapp",
    ] as const) {
      expect(derived[key]).toMatch(/^http:\/\/[^/]+:8787(\/|$)/);
    }
    for (const key of ["defaultHost", "customHost", "sandboxHost", "hostname", "baseDefaultHost"] as const) {
      expect(derived[key]).not.toContain(":");
    }
  });

  it("agrees with the individual functions and its own mode for any chatbot", () => {
    fc.assert(
      fc.property(scenarioArb, ({ config, facts }) => {
        const derived = deriveChatbot(facts, config);
        expect(derived.rfc1034CompliantName).toBe(rfc1034CompliantName(facts));
        expect(derived.hashedId).toBe(hashedId(facts.id));
        expect(derived.defaultHost).toBe(`${derived.rfc1034CompliantName}${derived.baseDefaultHost}`);
        expect(derived.defaultHost.length).toBeLessThanOrEqual(253);
        expect(derived.customHost?.length ?? 0).toBeLessThanOrEqual(253);
        expect(derived.mode).toBe(
          !facts.deployed ? "sandbox" : facts.customDomain?.isVerified ? "custom" : "default",
        );
        expect(derived.ready).toBe(!facts.deployed || isLive(facts));
        expect(mode(derived.defaultUrl, facts, config)).toBe("default");
        expect(mode(derived.sandboxUrl, facts, config)).toBe("sandbox");
        expect(mode(derived.urlChatbot, facts, config)).toBe("sandbox");
        if (derived.customUrl !== null) expect(mode(derived.customUrl, facts, config)).toBe("custom");
      }),
      { numRuns: 300 },
    );
  });

  it("throws for an id hashedId cannot encode", () => {
    expect(() => deriveChatbot({ ...seedFacts, id: 0 }, alphaConfig)).toThrow(BotgateError);
  });
});
