// The built admin app in Chromium against a real API (real database, Redis, DNS server on
// loopback): a new customer signs in, creates, edits and deploys a chatbot, watches statuses
// change live, manages keys, domains and tokens, keyboard only where it matters, with axe
// checking every page at phone and desktop widths.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDnsServer, type TestDnsServer } from "../../api/test/dns-server.ts";
import {
  createAccount,
  createMember,
  provisionedDomain,
  startTestServer,
  type TestServer,
  type TestUser,
} from "../../api/test/harness.ts";
import { audit } from "./browser.ts";
import { launchChromium } from "./chromium.ts";

const LIVE_MS = 60_000;

let server: TestServer;
let dns: TestDnsServer;
let browser: Browser;
let user: TestUser;
let page: Page;
let botId = 0;

beforeAll(async () => {
  dns = await startTestDnsServer();
  server = await startTestServer({ env: { DNS_RESOLVERS: dns.address } });
  user = await createAccount(server, "customer");
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Any script error or alert from the page fails the run (e.g. a hostile field executing).
  page.on("dialog", (dialog) => {
    throw new Error(`unexpected browser dialog: ${dialog.message()}`);
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await dns?.close();
});

const heading = (name: string) => page.getByRole("heading", { level: 1, name });

describe("the admin app", () => {
  it("is served by the API at /admin/ and asks for a token", async () => {
    await page.goto(`${server.url}/admin/`);
    await expect.poll(() => heading("Sign in to botgate").isVisible()).toBe(true);
    await audit(page, "sign-in");
  });

  it("refuses a wrong token with a message, then signs in by keyboard only", async () => {
    const token = page.getByLabel("Admin token");
    await token.focus();
    await page.keyboard.type("bga_wrong");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("not accepted");
    await token.fill("");
    await token.focus();
    await page.keyboard.type(user.token);
    await page.keyboard.press("Enter");
    await expect.poll(() => heading("Chatbots").isVisible()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem("botgate.adminToken"))).toBe(user.token);
  });

  it("shows the API's field error next to the field, then creates a chatbot", async () => {
    const name = page.getByLabel("Name", { exact: true });
    await name.fill("not a name!");
    await page.getByRole("button", { name: "Create chatbot" }).click();
    await expect.poll(() => name.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await name.getAttribute("aria-describedby")) ?? "";
    const errorText = await page.locator(`[id="${describedBy.split(" ").at(-1)}"]`).textContent();
    expect(errorText).toMatch(/letters and digits/i);
    await audit(page, "chatbots-field-error");
    await name.fill("supportBot");
    await page.getByRole("button", { name: "Create chatbot" }).click();
    await expect.poll(() => heading("supportBot").isVisible(), { timeout: LIVE_MS }).toBe(true);
    botId = Number(new URL(page.url()).hash.split("/").at(-1));
    expect(botId).toBeGreaterThan(0);
  });

  it("edits the chat page fields with a live preview; hostile text stays text", async () => {
    const hostile = `<img src=x onerror="alert('x')">Support`;
    await page.getByLabel("Title").fill(hostile);
    await page.getByLabel("Welcome message").fill("Hi! Ask me anything.");
    await page.getByLabel("Example prompts").fill("What can you do?\nOpening hours");
    await page.getByLabel("Provider").selectOption("echo");
    const preview = page.getByRole("figure", { name: "Preview of the chat page" });
    await expect.poll(() => preview.textContent()).toContain(hostile);
    expect(await preview.locator("img[src='x']").count()).toBe(0);
    await expect.poll(() => preview.getByText("Opening hours").isVisible()).toBe(true);
    await page.getByLabel("Temperature (0–2)").fill("5");
    await page.getByRole("button", { name: "Save settings" }).click();
    const temperature = page.getByLabel("Temperature (0–2)");
    await expect.poll(() => temperature.getAttribute("aria-invalid")).toBe("true");
    await temperature.fill("0.5");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => page.getByText("Saved.").isVisible(), { timeout: LIVE_MS }).toBe(true);
    const stored = await user.client.chatbot.get.query({ id: botId });
    expect(stored).toMatchObject({ appName: hostile, defaultTemperature: 0.5, provider: "echo" });
    expect(stored.appExamplePrompts).toEqual(["What can you do?", "Opening hours"]);
  });

  it("shows every derived host and URL with a copy button", async () => {
    const bot = await user.client.chatbot.get.query({ id: botId });
    for (const value of [
      bot.defaultHost,
      bot.defaultUrl,
      bot.sandboxHost,
      bot.sandboxUrl,
      bot.urlChatConfig,
    ]) {
      await expect.poll(() => page.getByText(value, { exact: true }).first().isVisible()).toBe(true);
    }
    await expect.poll(() => page.getByRole("button", { name: "Copy Default URL" }).isVisible()).toBe(true);
  });

  it("deploys and shows it ready, then follows a change made elsewhere live", async () => {
    await page.getByRole("button", { name: "Deploy", exact: true }).click();
    const status = page.getByRole("region", { name: "Status" });
    await expect
      .poll(() => status.getByText("ready", { exact: true }).isVisible(), { timeout: LIVE_MS })
      .toBe(true);
    const events = page.getByRole("list", { name: "Events" });
    await expect.poll(() => events.textContent(), { timeout: LIVE_MS }).toContain("deployment started");
    // Another client undeploys: the page learns it from the event stream, without a reload.
    await user.client.chatbot.undeploy.mutate({ id: botId });
    await expect.poll(() => events.textContent(), { timeout: LIVE_MS }).toContain("deployment stopped");
    await expect
      .poll(() => page.getByRole("button", { name: "Deploy", exact: true }).isVisible(), { timeout: LIVE_MS })
      .toBe(true);
    await user.client.chatbot.deploy.mutate({ id: botId });
    await expect
      .poll(() => page.getByRole("button", { name: "Undeploy" }).isVisible(), { timeout: LIVE_MS })
      .toBe(true);
    await audit(page, "chatbot");
  });

  it("shows the deployment diagnostics and the stored event history", async () => {
    const status = page.getByRole("region", { name: "Status" });
    await expect.poll(() => status.textContent(), { timeout: LIVE_MS }).toContain("Provisioninglocal");
    const history = page.getByRole("list", { name: "Event history" });
    const stored = await user.client.chatbot.events.query({ id: botId, limit: 1 });
    expect(stored.items).toHaveLength(1);
    await expect.poll(() => history.textContent(), { timeout: LIVE_MS }).toContain(stored.items[0]?.type);
  });

  it("sets rate limits and embed origins with field errors at the field, and toggles a function", async () => {
    const bot = await user.client.chatbot.get.query({ id: botId });
    await expect
      .poll(() =>
        page
          .getByRole("region", { name: "Settings" })
          .getByText(`<script src="${bot.defaultUrl}/widget.js" async></script>`)
          .isVisible(),
      )
      .toBe(true);
    const origins = page.getByLabel("Origins allowed to embed");
    await origins.fill("ftp://nope");
    await page.getByLabel("Requests per window (each client)").fill("20");
    await page.getByLabel("Window (seconds)").fill("60");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => origins.getAttribute("aria-invalid"), { timeout: LIVE_MS }).toBe("true");
    await origins.fill("https://www.example.com");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => page.getByText("Saved.").isVisible(), { timeout: LIVE_MS }).toBe(true);
    expect(await user.client.chatbot.get.query({ id: botId })).toMatchObject({
      appEmbedOrigins: ["https://www.example.com"],
      rateLimitRequests: null,
      rateLimitClientRequests: 20,
      rateLimitWindowSeconds: 60,
    });
    const calculator = page
      .getByRole("region", { name: "Functions" })
      .getByLabel("calculator", { exact: true });
    // Checked once the API answers (the box shows what is stored), hence a click, not check().
    await calculator.click();
    await expect.poll(() => calculator.isChecked(), { timeout: LIVE_MS }).toBe(true);
    await expect
      .poll(async () => (await user.client.chatbot.get.query({ id: botId })).functions, { timeout: LIVE_MS })
      .toContain("calculator");
    await audit(page, "chatbot-settings");
  });

  it("creates an API key shown once and revokes it through a dialog that holds focus", async () => {
    await page.getByLabel("Key name").fill("website");
    await page.getByRole("button", { name: "Create API key" }).click();
    const shown = page.getByRole("button", { name: "Copy New API key" });
    await expect.poll(() => shown.isVisible(), { timeout: LIVE_MS }).toBe(true);
    const keys = await user.client.apiKey.list.query({ chatbotId: botId });
    expect(keys).toHaveLength(1);
    const revoke = page.getByRole("button", { name: "Revoke website" });
    await revoke.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    await audit(page, "revoke-dialog");
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await revoke.evaluate((b) => b === document.activeElement)).toBe(true);
    await revoke.click();
    await page.getByRole("button", { name: "Revoke key" }).click();
    await expect
      .poll(async () => (await user.client.apiKey.list.query({ chatbotId: botId }))[0]?.isActive)
      .toBe(false);
  });

  it("adds a custom domain, shows its DNS records and failure, and turns verified live", async () => {
    await page.getByRole("link", { name: "Domains" }).click();
    await expect.poll(() => heading("Custom domains").isVisible()).toBe(true);
    await page.getByLabel("Domain name").fill("not a domain");
    await page.getByRole("button", { name: "Add domain" }).click();
    const field = page.getByLabel("Domain name");
    await expect.poll(() => field.getAttribute("aria-invalid"), { timeout: LIVE_MS }).toBe("true");
    await field.fill("example.com");
    await page.getByRole("button", { name: "Add domain" }).click();
    const card = page.getByRole("region", { name: "example.com" });
    await expect.poll(() => card.isVisible(), { timeout: LIVE_MS }).toBe(true);
    const [domain] = (await user.client.domain.list.query()).items;
    if (!domain) throw new Error("no domain");
    await expect.poll(() => card.getByText(domain.instructions.txtRecord.value).isVisible()).toBe(true);
    await card.getByRole("button", { name: "Check example.com now" }).click();
    // What DNS answered, and what to do about it, in the customer's words.
    await expect
      .poll(() => card.textContent(), { timeout: LIVE_MS })
      .toContain("are not among the name servers of example.com");
    await audit(page, "domains");
    // Delegated to the platform's name servers (once provisioned) and the TXT record published.
    const provisioned = await provisionedDomain(user.client, domain.id);
    dns.ns.set(provisioned.domainName, provisioned.instructions.nameServers);
    dns.txt.set(domain.instructions.txtRecord.name, [domain.instructions.txtRecord.value]);
    // Checked by another client: the page hears domain.verified from the stream.
    await user.client.domain.verify.mutate({ id: domain.id });
    await expect
      .poll(() => card.getByText("verified", { exact: true }).isVisible(), { timeout: LIVE_MS })
      .toBe(true);
    await card.getByLabel("Attach a chatbot to example.com").selectOption({ label: "supportBot" });
    await card.getByRole("button", { name: "Attach" }).click();
    await expect
      .poll(() => card.textContent(), { timeout: LIVE_MS })
      .toContain("Attached chatbots: supportBot");
    expect((await user.client.chatbot.get.query({ id: botId })).customDomainId).toBe(domain.id);
  });

  it("shows the domain's diagnostics and event history", async () => {
    const card = page.getByRole("region", { name: "example.com" });
    await expect.poll(() => card.textContent(), { timeout: LIVE_MS }).toContain("Expected");
    const history = card.getByRole("list", { name: "Event history of example.com" });
    await expect.poll(() => history.textContent(), { timeout: LIVE_MS }).toContain("domain.");
    await audit(page, "domain-diagnostics");
  });

  it("adds a webhook endpoint with its secret shown once, lists it, and deletes it", async () => {
    await page.getByRole("link", { name: "Webhooks" }).click();
    await expect.poll(() => heading("Webhooks").isVisible()).toBe(true);
    const url = page.getByLabel("Endpoint URL");
    await url.fill("ftp://hooks.example.com/in");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await expect.poll(() => url.getAttribute("aria-invalid"), { timeout: LIVE_MS }).toBe("true");
    await url.fill("https://hooks.example.com/in");
    await page.getByLabel("Event types").fill("domain.verified");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await expect
      .poll(() => page.getByRole("button", { name: "Copy Signing secret" }).isVisible(), { timeout: LIVE_MS })
      .toBe(true);
    const card = page.getByRole("region", { name: "https://hooks.example.com/in" });
    await expect.poll(() => card.textContent(), { timeout: LIVE_MS }).toContain("domain.verified");
    await audit(page, "webhooks");
    await card.getByRole("button", { name: "Delete https://hooks.example.com/in" }).click();
    await page.getByRole("button", { name: "Delete endpoint" }).click();
    await expect.poll(async () => (await user.client.webhook.list.query()).length).toBe(0);
  });

  it("filters and pages the chatbot list", async () => {
    for (let i = 0; i < 21; i++) await user.client.chatbot.create.mutate({ name: `bulk${i}` });
    await page.getByRole("link", { name: "Chatbots" }).click();
    await expect.poll(() => heading("Chatbots").isVisible()).toBe(true);
    await page.getByRole("button", { name: "Next page" }).click();
    await expect.poll(() => page.getByText("Page 2").isVisible()).toBe(true);
    // A CONFLICT about one field shows at that field too.
    const name = page.getByLabel("Name", { exact: true });
    await name.fill("supportBot");
    await page.getByRole("button", { name: "Create chatbot" }).click();
    await expect.poll(() => name.getAttribute("aria-invalid"), { timeout: LIVE_MS }).toBe("true");
    await expect
      .poll(() =>
        page
          .getByText(/already/)
          .first()
          .isVisible(),
      )
      .toBe(true);
    await page.getByLabel("Name contains").fill("support");
    await expect.poll(() => page.getByRole("row").count(), { timeout: LIVE_MS }).toBe(2);
    await audit(page, "chatbots");
  });

  it("creates and revokes admin tokens and lists members", async () => {
    await page.getByRole("link", { name: "Account" }).click();
    await expect.poll(() => heading("Account").isVisible()).toBe(true);
    await page.getByLabel("Token name").fill("ci");
    await page.getByRole("button", { name: "Create token" }).click();
    await expect
      .poll(() => page.getByRole("button", { name: "Copy New admin token" }).isVisible(), {
        timeout: LIVE_MS,
      })
      .toBe(true);
    await page.getByRole("button", { name: "Revoke token ci" }).click();
    await page.getByRole("button", { name: "Revoke token", exact: true }).click();
    await expect
      .poll(
        async () =>
          (await user.client.account.tokens.list.query()).items.find((t) => t.name === "ci")?.status,
      )
      .toBe("revoked");
    await expect
      .poll(() => page.getByRole("region", { name: "Members" }).textContent())
      .toContain(user.username);
    await audit(page, "account");
  });

  it("adds, tests and deletes an LLM provider; its key is never shown again", async () => {
    await page.getByRole("link", { name: "Providers" }).click();
    await expect.poll(() => heading("Providers").isVisible()).toBe(true);
    const form = page.getByRole("region", { name: "New provider" });
    await form.getByLabel("Name").fill("inhouse");
    await form.getByLabel("Base URL").fill("ftp://nowhere");
    await form.getByLabel("API key").fill("sk-inhouse-secret-123456");
    await form.getByRole("button", { name: "Add provider" }).click();
    const baseUrl = form.getByLabel("Base URL");
    await expect.poll(() => baseUrl.getAttribute("aria-invalid"), { timeout: LIVE_MS }).toBe("true");
    // Nothing listens on port 9 of loopback: the test call fails, and says so.
    await baseUrl.fill("http://127.0.0.1:9/v1");
    await form.getByLabel("Default model").fill("small");
    await form.getByRole("button", { name: "Add provider" }).click();
    const card = page.getByRole("region", { name: "inhouse", exact: true });
    await expect.poll(() => card.isVisible(), { timeout: LIVE_MS }).toBe(true);
    expect(await page.content()).not.toContain("sk-inhouse-secret-123456");
    await card.getByRole("button", { name: "Test inhouse" }).click();
    await expect.poll(() => card.getByRole("status").textContent(), { timeout: LIVE_MS }).toContain("failed");
    await audit(page, "providers");
    await card.getByRole("button", { name: "Delete inhouse" }).click();
    await page.getByRole("button", { name: "Delete provider" }).click();
    await expect.poll(async () => (await user.client.provider.list.query()).items.length).toBe(0);
  });

  it("signs out and forgets the token", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => heading("Sign in to botgate").isVisible()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem("botgate.adminToken"))).toBeNull();
  });

  it("shows a member no admin-only controls, and sends a revoked token back to sign-in", async () => {
    const member = await createMember(server, user.accountNumber, { username: "helper" });
    const token = page.getByLabel("Admin token");
    await token.fill(member.token);
    await page.keyboard.press("Enter");
    // Back on the page the hash names (the account page, where the last user signed out).
    await expect.poll(() => page.getByRole("button", { name: "Sign out" }).isVisible()).toBe(true);
    // Keyboard only: Tab to the Domains link and follow it.
    const domainsLink = page.getByRole("link", { name: "Domains" });
    for (let i = 0; i < 10 && !(await domainsLink.evaluate((a) => a === document.activeElement)); i++)
      await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await expect.poll(() => heading("Custom domains").isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Add domain" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /^Delete / }).count()).toBe(0);
    await audit(page, "domains-member");
    await page.getByRole("link", { name: "Account" }).click();
    await expect.poll(() => heading("Account").isVisible()).toBe(true);
    expect(await page.getByRole("region", { name: "Members" }).count()).toBe(0);
    const [own] = (await member.client.account.tokens.list.query()).items;
    if (!own) throw new Error("the member has no token");
    await user.client.account.tokens.revoke.mutate({ id: own.id });
    await page.reload();
    await expect.poll(() => heading("Sign in to botgate").isVisible(), { timeout: LIVE_MS }).toBe(true);
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("not accepted");
  });
});
