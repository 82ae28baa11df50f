import { describe, expect, it } from "vitest";
import {
  BotgateError,
  baseApiDomain,
  isPlatformEnvironment,
  type PlatformConfigInput,
  platformConfig,
  platformReservedSuffixes,
  urlForHost,
} from "../src/index.ts";

describe("baseApiDomain: seed examples", () => {
  it("example 1: environment alpha, API domain alpha.api.example.com", () => {
    expect(baseApiDomain(platformConfig({ environment: "alpha", rootDomain: "example.com" }))).toBe(
      "alpha.api.example.com",
    );
  });

  it("example 2: environment local (env API domain api.localhost:9357) → api.local.example.com", () => {
    const config = platformConfig({ environment: "local", rootDomain: "example.com", port: 9357 });
    expect(baseApiDomain(config)).toBe("api.local.example.com");
    expect(config.apiUrl).toBe("http://api.local.example.com:9357");
  });
});

describe("platformConfig defaults", () => {
  it.each([
    ["local", "api.local.example.com", "platform.local.example.com", "http"],
    ["alpha", "alpha.api.example.com", "alpha.platform.example.com", "https"],
    ["beta", "beta.api.example.com", "beta.platform.example.com", "https"],
    ["next", "next.api.example.com", "next.platform.example.com", "https"],
    ["prod", "api.example.com", "platform.example.com", "https"],
  ])("%s → api %s, platform %s, %s", (environment, apiDomain, platformDomain, scheme) => {
    const config = platformConfig({ environment, rootDomain: "example.com" });
    expect(config).toEqual({
      environment,
      rootDomain: "example.com",
      apiDomain,
      platformDomain,
      scheme,
      port: null,
      apiUrl: `${scheme}://${apiDomain}`,
      platformUrl: `${scheme}://${platformDomain}`,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("normalizes the root domain (case, trailing dot, whitespace, IDN)", () => {
    expect(platformConfig({ environment: "prod", rootDomain: " Example.COM. " }).apiDomain).toBe(
      "api.example.com",
    );
    expect(platformConfig({ environment: "prod", rootDomain: "bücher.de" }).rootDomain).toBe(
      "xn--bcher-kva.de",
    );
  });

  it("accepts a single-label root such as localhost for local development", () => {
    const config = platformConfig({ environment: "local", rootDomain: "localhost", port: 8787 });
    expect(config.apiDomain).toBe("api.local.localhost");
    expect(config.platformUrl).toBe("http://platform.local.localhost:8787");
  });

  it("lets apiDomain and platformDomain be overridden", () => {
    const config = platformConfig({
      environment: "local",
      rootDomain: "example.com",
      apiDomain: "LOCALHOST",
      platformDomain: "workbench.test",
      port: 9357,
    });
    expect(config.apiDomain).toBe("localhost");
    expect(config.platformDomain).toBe("workbench.test");
    expect(config.apiUrl).toBe("http://localhost:9357");
  });

  it("appends the port to URLs but never to domains, and omits the scheme's default port", () => {
    const config = platformConfig({ environment: "alpha", rootDomain: "example.com", port: 8787 });
    expect(config.apiDomain).toBe("alpha.api.example.com");
    expect(config.apiUrl).toBe("https://alpha.api.example.com:8787");
    expect(platformConfig({ environment: "alpha", rootDomain: "example.com", port: 443 }).apiUrl).toBe(
      "https://alpha.api.example.com",
    );
    expect(platformConfig({ environment: "local", rootDomain: "example.com", port: 80 }).apiUrl).toBe(
      "http://api.local.example.com",
    );
    expect(urlForHost("a.b", { scheme: "http", port: 443 })).toBe("http://a.b:443");
  });

  it("lists the platform's own domains for the custom-domain check", () => {
    const config = platformConfig({ environment: "alpha", rootDomain: "example.com" });
    expect(platformReservedSuffixes(config)).toEqual([
      "example.com",
      "alpha.api.example.com",
      "alpha.platform.example.com",
    ]);
  });
});

describe("platformConfig rejects bad configuration with BAD_REQUEST", () => {
  const base: PlatformConfigInput = { environment: "alpha", rootDomain: "example.com" };
  it.each<[string, PlatformConfigInput, RegExp]>([
    ["unknown environment", { ...base, environment: "staging" }, /environment must be one of local, alpha/],
    ["upper-case environment", { ...base, environment: "PROD" }, /environment/],
    ["empty root domain", { ...base, rootDomain: "" }, /rootDomain "" is not a valid hostname/],
    ["root domain with a space", { ...base, rootDomain: "exa mple.com" }, /rootDomain/],
    ["root domain with a leading hyphen", { ...base, rootDomain: "-example.com" }, /rootDomain/],
    ["root domain with an empty label", { ...base, rootDomain: "example..com" }, /rootDomain/],
    ["root domain that is an IP", { ...base, rootDomain: "10.0.0.1" }, /rootDomain .* not an IP address/],
    ["root domain with a scheme", { ...base, rootDomain: "https://example.com" }, /rootDomain/],
    [
      "apiDomain with a port",
      { ...base, apiDomain: "api.localhost:9357" },
      /apiDomain .*must not contain .*port/,
    ],
    ["platformDomain with a path", { ...base, platformDomain: "p.example.com/x" }, /platformDomain/],
    [
      "same API and platform domain",
      { ...base, apiDomain: "x.example.com", platformDomain: "x.example.com" },
      /differ/,
    ],
    [
      "API domain too long for default hosts",
      { ...base, apiDomain: `${`${"a".repeat(60)}.`.repeat(3)}com` },
      /too long/,
    ],
    ["port 0", { ...base, port: 0 }, /port must be an integer from 1 to 65535/],
    ["port 65536", { ...base, port: 65536 }, /port/],
    ["fractional port", { ...base, port: 80.5 }, /port/],
  ])("%s", (_label, input, message) => {
    let caught: unknown;
    try {
      platformConfig(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BotgateError);
    expect((caught as BotgateError).code).toBe("BAD_REQUEST");
    expect((caught as BotgateError).status).toBe(400);
    expect((caught as BotgateError).message).toMatch(message);
  });

  it("recognizes exactly the five environments", () => {
    expect(["local", "alpha", "beta", "next", "prod"].every(isPlatformEnvironment)).toBe(true);
    expect(isPlatformEnvironment("production")).toBe(false);
    expect(isPlatformEnvironment(undefined)).toBe(false);
  });
});
