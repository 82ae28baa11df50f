// The edge remembers how it classified an address (RequestClassifier): the same answer as
// classifyRequest, computed once per address, and never kept for overlong ones.
import { classifyRequest, platformConfig } from "@botgate/core";
import { describe, expect, it } from "vitest";
import { RequestClassifier } from "../src/resolve.ts";

const platform = platformConfig({ environment: "local", rootDomain: "botgate.localhost" });

describe("RequestClassifier", () => {
  it.each([
    ["support.1234-5678-9012.api.local.botgate.localhost", "/v1/chat/completions"],
    ["api.local.botgate.localhost", "/api/v1/chatbots/rMTAwMDAwMQx/chat/"],
    ["chat.example.com", "/"],
    ["bad host", "/"],
  ])("answers %s %s as classifyRequest does, from memory the second time", (host, path) => {
    const classifier = new RequestClassifier(platform);
    const first = classifier.classify(host, path);
    expect(first).toEqual(classifyRequest(host, path, platform));
    expect(classifier.classify(host, path)).toBe(first);
  });

  it("classifies overlong addresses afresh instead of keeping them", () => {
    const classifier = new RequestClassifier(platform);
    const path = `/${"a".repeat(600)}`;
    const first = classifier.classify("chat.example.com", path);
    expect(classifier.classify("chat.example.com", path)).not.toBe(first);
    expect(classifier.classify("chat.example.com", path)).toEqual(first);
  });
});
