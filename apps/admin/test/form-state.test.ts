// The settings form sends only what the user changed: a stale value of a field left alone
// (a domain attached on the domains page meanwhile) is never written back.
import { describe, expect, it } from "vitest";
import { changedInputOf, type FormState, isDirty } from "../src/pages/chatbot/form-state.ts";

const filled: FormState = {
  name: "supportBot",
  description: "",
  version: "1.0.0",
  tags: "",
  annotations: "{}",
  provider: "echo",
  defaultModel: "",
  defaultSystemRole: "",
  defaultTemperature: "",
  defaultMaxTokens: "",
  appName: "Support",
  appAssistant: "",
  appWelcomeMessage: "",
  appExamplePrompts: "",
  appPlaceholder: "",
  appInfoUrl: "",
  appBackgroundImageUrl: "",
  appLogoUrl: "",
  appFileAttachment: false,
  customDomainId: "",
  appEmbedOrigins: "",
  rateLimitRequests: "",
  rateLimitClientRequests: "",
  rateLimitWindowSeconds: "",
};

describe("the settings form's update input", () => {
  it("holds only the changed fields, parsed", () => {
    const edited = {
      ...filled,
      appEmbedOrigins: "https://a.example\nhttps://b.example",
      defaultMaxTokens: "300",
    };
    expect(isDirty(filled, edited)).toBe(true);
    expect(changedInputOf(filled, edited)).toEqual({
      input: { appEmbedOrigins: ["https://a.example", "https://b.example"], defaultMaxTokens: 300 },
      errors: {},
    });
  });

  it("is empty for an untouched form, and clears a field the user emptied", () => {
    expect(isDirty(filled, { ...filled })).toBe(false);
    expect(changedInputOf(filled, { ...filled }).input).toEqual({});
    expect(changedInputOf({ ...filled, customDomainId: "7" }, filled).input).toEqual({
      customDomainId: null,
    });
  });

  it("still reports a field that does not parse", () => {
    const { errors } = changedInputOf(filled, { ...filled, defaultTemperature: "warm" });
    expect(errors).toEqual({ defaultTemperature: ["Must be a number."] });
  });
});
