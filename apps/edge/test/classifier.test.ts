// The edge remembers how it classified an address (RequestClassifier): the same answer as
// classifyRequest, computed once per address, and never kept for overlong ones. It reads the
// host and path off the request URL (hostAndPathOf), exactly as new URL would.
import { classifyRequest, platformConfig } from "@botgate/core";
import { describe, expect, it } from "vitest";
import { hostAndPathOf, RequestClassifier } from "../src/resolve.ts";

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

describe("hostAndPathOf", () => {
  it.each([
    "http://support.1234-5678-9012.api.local.botgate.localhost/v1/chat/completions?x=1",
    "https://Chat.Example.COM:443/config/",
    "http://chat.example.com:8787",
    "http://[::1]:8787/a//b/../c?q=/x?y#frag",
    "http://bücher.example/%2e%2e/%2F?a=b",
    "http://chat.example.com/?",
    "http://chat.example.com/path with spaces/ünïcode",
    "http://127.0.0.1/a?b?c",
    "http://chat.example.com/@user/x",
  ])("reads %s's host and path as new URL does, from the URL a Request serialized", (input) => {
    const { url } = new Request(input);
    const parsed = new URL(url);
    expect(hostAndPathOf(url)).toEqual({ host: parsed.host, pathname: parsed.pathname });
  });

  it("parses a URL with credentials rather than slicing it", () => {
    expect(hostAndPathOf("http://user:secret@chat.example.com/chat/")).toEqual({
      host: "chat.example.com",
      pathname: "/chat/",
    });
  });
});
