// Shared fixtures and fast-check arbitraries for the core tests.

import fc from "fast-check";
import {
  type ChatbotFacts,
  DNS_VERIFICATION_STATUSES,
  deriveChatbot,
  MAX_CHATBOT_ID,
  normalizeDomainName,
  PLATFORM_ENVIRONMENTS,
  type PlatformConfig,
  platformConfig,
  platformReservedSuffixes,
  type RouteRecord,
  TLS_CERTIFICATE_ISSUANCE_STATUSES,
} from "../src/index.ts";

/** The seed's chatbot: name "example", account 1234-5678-9012, id 5174 (url_chatbot example). */
export const seedFacts: ChatbotFacts = {
  id: 5174,
  name: "example",
  owner: { username: "adminuser", isAccountAdmin: true },
  accountNumber: "1234-5678-9012",
  deployed: true,
  customDomain: { domainName: "example.com", isVerified: true },
  dnsVerificationStatus: "Verified",
  tlsCertificateIssuanceStatus: "Issued",
};

export const alphaConfig = platformConfig({ environment: "alpha", rootDomain: "example.com" });
export const localConfig = platformConfig({ environment: "local", rootDomain: "example.com" });

/** "https://h:1/p?q" → { authority: "h:1", path: "/p" } (tests run without DOM/Node types, so no URL). */
export function splitUrl(url: string): { authority: string; path: string } {
  const match = /^[a-z]+:\/\/([^/?#]*)([^?#]*)/.exec(url);
  if (!match) throw new Error(`not a URL: ${url}`);
  return { authority: match[1] ?? "", path: match[2] ?? "" };
}

/** What the API writes to the routing table for a chatbot. */
export function routeRecordFor(facts: ChatbotFacts, config: PlatformConfig): RouteRecord {
  const derived = deriveChatbot(facts, config);
  return {
    found: true,
    chatbotId: facts.id,
    hashedId: derived.hashedId,
    accountNumber: facts.accountNumber,
    defaultHost: derived.defaultHost,
    customHost: derived.customHost,
    deployed: facts.deployed,
    ready: derived.live,
    dnsVerificationStatus: facts.dnsVerificationStatus,
    tlsCertificateIssuanceStatus: facts.tlsCertificateIssuanceStatus,
    apiKeyRequired: false,
    embedOrigins: [],
    version: 1,
  };
}

/** Any UTF-16 string, lone surrogates included. */
export const anyUtf16 = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  maxLength: 80,
});
/** Full Unicode code points, long enough to hit length limits. */
export const anyUnicode = fc.string({ unit: "binary", maxLength: 300 });
/** Host-like strings: mostly the characters a host parser has to care about. */
export const hostLike = fc.string({
  unit: fc.constantFrom(..."aZ09-._:[]@/\\%?# ü。．ｘ", "xn--", "..", "::", "0x", "1.2.3.4"),
  maxLength: 40,
});

export const labelArb = fc
  .stringMatching(/^[a-z](?:[a-z0-9-]{0,10}[a-z0-9])?$/)
  .filter((label) => !label.includes("--"));

export const configArb: fc.Arbitrary<PlatformConfig> = fc
  .record({
    environment: fc.constantFrom(...PLATFORM_ENVIRONMENTS),
    rootDomain: fc.tuple(labelArb, fc.constantFrom("com", "dev", "io")).map(([a, tld]) => `${a}.${tld}`),
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  })
  .map(platformConfig);

export const chatbotNameArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,62}$/);
export const usernameArb = fc
  .stringMatching(/^[A-Za-z0-9@.+_-]{1,150}$/)
  .filter((u) => /[A-Za-z0-9]/.test(u));
export const accountNumberArb = fc.stringMatching(/^\d{4}-\d{4}-\d{4}$/);
export const chatbotIdArb = fc.integer({ min: 1, max: MAX_CHATBOT_ID });

function customDomainArb(config: PlatformConfig): fc.Arbitrary<string> {
  const ascii = fc
    .tuple(
      fc.array(labelArb, { minLength: 1, maxLength: 3 }),
      fc.constantFrom("com", "org", "net", "de", "io"),
    )
    .map(([labels, tld]) => [...labels, tld].join("."));
  const idn = fc.constantFrom("bücher.de", "日本.jp", "straße.example.org", "пример.рф");
  return fc.oneof(ascii, idn).chain((input) => {
    const result = normalizeDomainName(input, { reservedSuffixes: platformReservedSuffixes(config) });
    return result.ok ? fc.constant(result.value) : fc.constant("fallback-customer.org");
  });
}

export function factsArb(config: PlatformConfig): fc.Arbitrary<ChatbotFacts> {
  return fc.record({
    id: chatbotIdArb,
    name: chatbotNameArb,
    owner: fc.record({ username: usernameArb, isAccountAdmin: fc.boolean() }),
    accountNumber: accountNumberArb,
    deployed: fc.boolean(),
    customDomain: fc.option(fc.record({ domainName: customDomainArb(config), isVerified: fc.boolean() }), {
      nil: null,
    }),
    dnsVerificationStatus: fc.constantFrom(...DNS_VERIFICATION_STATUSES),
    tlsCertificateIssuanceStatus: fc.constantFrom(...TLS_CERTIFICATE_ISSUANCE_STATUSES),
  });
}

/** A platform configuration and a chatbot living on it. */
export const scenarioArb = configArb.chain((config) => factsArb(config).map((facts) => ({ config, facts })));
