// A new customer's whole first session, in one browser, through the UI only: sign in to the
// admin app, create and deploy a chatbot (ready shown live), chat at its default host, add and
// verify a custom domain through DNS, chat there, lock the chatbot with an API key and chat
// with it, embed the widget on a site of another origin, then read the request log and the
// events back in the admin app. Real parts throughout: the built admin app served by the API,
// the edge in workerd (`wrangler dev`), PostgreSQL, Redis, a DNS server on loopback standing in
// for the world's DNS, and Debian's Chromium mapping every hostname to the edge.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, FrameLocator, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildAdmin } from "../../admin/test/build.global.ts";
import { startTestDnsServer, type TestDnsServer } from "../../api/test/dns-server.ts";
import { createAccount, type TestUser } from "../../api/test/harness.ts";
import { EdgeTestStack } from "../test/node/stack.ts";
import { startWranglerDev, type WranglerDev } from "../test/node/wrangler-dev.ts";
import { launchChromiumAtEdge } from "./chromium-at-edge.ts";

const ARTIFACTS = join(import.meta.dirname, "artifacts");
/** Jobs, the event stream and the edge's caches on a loaded 2-core machine: generous. */
const LIVE_MS = 60_000;
/** The customer's own site, another origin than any chatbot host. */
const SHOP = "http://shop.example";

let dns: TestDnsServer;
let adminDist: string;
let stack: EdgeTestStack;
let worker: WranglerDev;
let browser: Browser;
let context: BrowserContext;
let user: TestUser;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  // A build of its own: the admin project's globalSetup may rebuild apps/admin/dist meanwhile.
  adminDist = await mkdtemp(join(tmpdir(), "botgate-journey-admin-"));
  await buildAdmin(adminDist);
  dns = await startTestDnsServer();
  stack = await EdgeTestStack.start({ env: { DNS_RESOLVERS: dns.address, ADMIN_DIST_DIR: adminDist } });
  // The platform's own zone: every default host resolves to the edge (EDGE_TARGET), as the
  // world's DNS would answer once the API domain is delegated to the platform.
  dns.aUnder.set(stack.api.runtime.config.apiDomain, [stack.api.runtime.env.EDGE_TARGET]);
  const upstreams = await stack.addUpstreams();
  worker = await startWranglerDev({ vars: stack.workerVars(upstreams) });
  // The admin app stays at the API's own 127.0.0.1 address.
  browser = await launchChromiumAtEdge(worker, { except: "127.0.0.1" });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // The only shortcut: the account and its admin token, which an operator hands out (CLI).
  user = await createAccount(stack.api, "journey");
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await stack?.close();
  await dns?.close();
  if (adminDist) await rm(adminDist, { recursive: true, force: true });
});

/** The value shown next to a label by the admin app's copy-to-clipboard fields. */
function copyable(scope: Page | Locator, label: string | RegExp): Locator {
  const page = "page" in scope ? scope.page() : scope;
  return scope
    .locator(".copyable")
    .filter({ has: page.locator(".copyable-label").getByText(label, { exact: true }) })
    .locator("code");
}

/** A screenshot of the whole page, or of one part of it. */
async function shot(what: Page | Locator, name: string): Promise<void> {
  const path = join(ARTIFACTS, `journey-${name}.png`);
  await ("goto" in what ? what.screenshot({ path, fullPage: true }) : what.screenshot({ path }));
}

/** The chat page's conversation, in a page or in the widget's frame. */
type Chat = Pick<FrameLocator, "getByLabel" | "getByRole" | "locator">;

/** Sends a turn once the page is idle and waits for the echo provider's whole answer. */
async function chat(chat: Chat, text: string): Promise<void> {
  await expect.poll(() => chat.getByRole("button", { name: "Send" }).isVisible()).toBe(true);
  await chat.getByLabel("Message").fill(text);
  await chat.getByRole("button", { name: "Send" }).click();
  try {
    await expect
      .poll(() => chat.locator(".msg.assistant .content").last().textContent(), { timeout: LIVE_MS })
      .toBe(`Echo: ${text}`);
  } catch (error) {
    // A failed turn leaves no answer, only the page's notice: say what it was.
    const notice = await chat.locator("#notice").textContent();
    throw new Error(`no answer to "${text}"; the page's notice: ${JSON.stringify(notice)}`, { cause: error });
  }
  await expect.poll(() => chat.getByRole("button", { name: "Send" }).isVisible()).toBe(true);
}

/** A chat turn's answer arrives as a server-sent event stream, not as one JSON body. */
function streamedAnswer(page: Page) {
  return page.waitForResponse(
    (r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/chat/",
    {
      timeout: LIVE_MS,
    },
  );
}

/** The Content-Security-Policy the edge sends with the chat page at `host` right now. */
function chatPageCsp(host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ port: worker.port, host: "127.0.0.1", path: "/", headers: { host } }, (response) => {
      response.resume();
      resolve(String(response.headers["content-security-policy"]));
    }).on("error", reject);
  });
}

it("takes a new customer from sign-in to a chatbot on their own domain, locked by a key and embedded on their site", {
  timeout: 240_000,
}, async () => {
  const started = Date.now();
  const admin = await context.newPage();
  admin.on("dialog", (dialog) => {
    throw new Error(`unexpected browser dialog: ${dialog.message()}`);
  });
  const heading = (name: string) => admin.getByRole("heading", { level: 1, name });

  // 1. Sign in with the admin token.
  await admin.goto(`${stack.api.url}/admin/`);
  await expect.poll(() => heading("Sign in to botgate").isVisible()).toBe(true);
  await admin.getByLabel("Admin token").fill(user.token);
  await admin.keyboard.press("Enter");
  await expect.poll(() => heading("Chatbots").isVisible(), { timeout: LIVE_MS }).toBe(true);
  await shot(admin, "01-signed-in");

  // 2. Create a chatbot on the echo provider, then deploy it and watch it become ready.
  await admin.getByLabel("Name", { exact: true }).fill("journeyBot");
  await admin.getByRole("button", { name: "Create chatbot" }).click();
  await expect.poll(() => heading("journeyBot").isVisible(), { timeout: LIVE_MS }).toBe(true);
  await admin.getByLabel("Provider").selectOption("echo");
  await admin.getByLabel("Title").fill("Journey assistant");
  await admin.getByLabel("Welcome message").fill("Welcome aboard!");
  await admin.getByRole("button", { name: "Save settings" }).click();
  await expect.poll(() => admin.getByText("Saved.").isVisible(), { timeout: LIVE_MS }).toBe(true);
  const status = admin.getByRole("region", { name: "Status" });
  // Undeployed, it is "ready" only in the sandbox; its default host is not verified yet.
  expect(await status.textContent()).toContain("DNSNot Verified");
  // A mark on this document: if "ready" showed up through a reload, the mark would be gone.
  await admin.evaluate('window.__journeyMark = "still the same document"');
  await admin.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect.poll(() => status.textContent(), { timeout: LIVE_MS }).toContain("DNSVerified");
  expect(await status.textContent()).toMatch(/Readyready.*Deployedyes.*Modedefault.*TLS certificateIssued/);
  expect(await admin.evaluate("window.__journeyMark")).toBe("still the same document");
  await expect
    .poll(() => admin.getByRole("list", { name: "Events" }).textContent(), { timeout: LIVE_MS })
    .toContain("deployment started");
  await shot(admin, "02-deployed-ready");

  // 3. The chat page at the default host the admin app shows.
  const defaultHost = (await copyable(admin, "Default host").textContent()) ?? "";
  expect(defaultHost).toBe(`journeybot.${user.accountNumber}.${stack.api.runtime.config.apiDomain}`);
  const atDefault = await context.newPage();
  expect((await atDefault.goto(`http://${defaultHost}/`))?.status()).toBe(200);
  await expect
    .poll(() => atDefault.locator(".msg.assistant .content").first().textContent(), { timeout: LIVE_MS })
    .toBe("Welcome aboard!");
  expect(await atDefault.locator("h1").textContent()).toBe("Journey assistant");
  const firstAnswer = streamedAnswer(atDefault);
  await chat(atDefault, "hello from the default host");
  expect((await firstAnswer).headers()["content-type"]).toContain("text/event-stream");
  await shot(atDefault, "03-default-host-chat");

  // 4. A custom domain: add it, create the records the admin app asks for, check, attach.
  // Its name carries the account number: Redis outlives the test database between runs.
  const domainName = `chat-${user.accountNumber.replaceAll("-", "")}.example.com`;
  await admin.bringToFront();
  await admin.getByRole("link", { name: "Domains" }).click();
  await expect.poll(() => heading("Custom domains").isVisible()).toBe(true);
  await admin.getByLabel("Domain name").fill(domainName);
  await admin.getByRole("button", { name: "Add domain" }).click();
  const card = admin.getByRole("region", { name: domainName, exact: true });
  await expect.poll(() => card.isVisible(), { timeout: LIVE_MS }).toBe(true);
  // The name servers show once the domain's zone exists (pushed by the event stream).
  await expect.poll(() => copyable(card, "Name server 1").count(), { timeout: LIVE_MS }).toBe(1);
  const txtName = (await copyable(card, "TXT name").textContent()) ?? "";
  const txtValue = (await copyable(card, "TXT value").textContent()) ?? "";
  const nameServers = await copyable(card, /^Name server \d+$/).allTextContents();
  expect(txtName).toContain(domainName);
  expect(txtValue).not.toBe("");
  expect(nameServers.length).toBeGreaterThan(0);
  await shot(admin, "04a-domain-records");
  // What the customer does at their DNS host: exactly these records, nothing else.
  dns.ns.set(domainName, nameServers);
  dns.txt.set(txtName.toLowerCase(), [txtValue]);
  await card.getByRole("button", { name: `Check ${domainName} now` }).click();
  await expect
    .poll(() => card.getByText("verified", { exact: true }).isVisible(), { timeout: LIVE_MS })
    .toBe(true);
  await card.getByLabel(`Attach a chatbot to ${domainName}`).selectOption({ label: "journeyBot" });
  await card.getByRole("button", { name: "Attach" }).click();
  await expect
    .poll(() => card.textContent(), { timeout: LIVE_MS })
    .toContain("Attached chatbots: journeyBot");
  await shot(admin, "04b-domain-verified-attached");

  // 5. The chat page at the custom host, as the chatbot's page now names it.
  await admin.getByRole("link", { name: "Chatbots" }).click();
  await admin.getByRole("link", { name: "journeyBot" }).click();
  await expect.poll(() => heading("journeyBot").isVisible(), { timeout: LIVE_MS }).toBe(true);
  const customHost = copyable(admin, "Custom host");
  await expect.poll(() => customHost.textContent(), { timeout: LIVE_MS }).toBe(`journeybot.${domainName}`);
  expect(await copyable(admin, "Current host").textContent()).toBe(`journeybot.${domainName}`);
  const atCustom = await context.newPage();
  expect((await atCustom.goto(`http://journeybot.${domainName}/`))?.status()).toBe(200);
  await expect
    .poll(() => atCustom.locator(".msg.assistant .content").first().textContent(), { timeout: LIVE_MS })
    .toBe("Welcome aboard!");
  await chat(atCustom, "hello from my own domain");
  await shot(atCustom, "05-custom-host-chat");

  // 6. An API key: shown once in the admin app, then asked for by the chat page.
  await admin.bringToFront();
  await admin.getByLabel("Key name").fill("website");
  await admin.getByRole("button", { name: "Create API key" }).click();
  const shownKey = copyable(admin, "New API key");
  await expect.poll(() => shownKey.count(), { timeout: LIVE_MS }).toBe(1);
  const apiKey = (await shownKey.textContent()) ?? "";
  expect(apiKey).toMatch(/^bgk_/);
  await expect.poll(() => status.textContent(), { timeout: LIVE_MS }).toContain("API key requiredyes");
  await shot(admin, "06a-api-key-created");
  await atCustom.bringToFront();
  await atCustom.reload();
  const keyField = atCustom.getByLabel("API key");
  await expect.poll(() => keyField.isVisible(), { timeout: LIVE_MS }).toBe(true);
  await shot(atCustom, "06b-key-asked");
  await keyField.fill(apiKey);
  await atCustom.getByRole("button", { name: "Use key" }).click();
  await expect.poll(() => keyField.isHidden(), { timeout: LIVE_MS }).toBe(true);
  await chat(atCustom, "with my key");
  await shot(atCustom, "06c-chat-with-key");

  // 7. The widget on the customer's site: allow the origin, paste the tag the admin app shows.
  await admin.bringToFront();
  await admin.getByLabel("Origins allowed to embed").fill(SHOP);
  await admin.getByRole("button", { name: "Save settings" }).click();
  await expect.poll(() => admin.getByText("Saved.").isVisible(), { timeout: LIVE_MS }).toBe(true);
  // Saving the form kept the domain attached on the domains page (it once wrote back a stale "none").
  await expect
    .poll(() => copyable(admin, "Current host").textContent(), { timeout: LIVE_MS })
    .toBe(`journeybot.${domainName}`);
  const tag = (await copyable(admin, "Widget tag").textContent()) ?? "";
  expect(tag).toBe(`<script src="http://journeybot.${domainName}/widget.js" async></script>`);
  expect(await copyable(admin, "Widget tag for your site").textContent()).toBe(tag);
  // The edge keeps a route for a few seconds (ROUTE_CACHE_TTL_MS): wait until it frames for the shop.
  await expect
    .poll(() => chatPageCsp(`journeybot.${domainName}`), { timeout: LIVE_MS, interval: 500 })
    .toContain(`frame-ancestors ${SHOP}`);
  const shop = await context.newPage();
  await shop.route(`${SHOP}/`, (route) =>
    route.fulfill({
      status: 200,
      contentType: "text/html",
      body: `<!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>The shop</h1>${tag}</body></html>`,
    }),
  );
  await shop.goto(`${SHOP}/`);
  const launcher = shop.getByRole("button", { name: "Chat with us" });
  await launcher.click({ timeout: LIVE_MS });
  const widget = shop.frameLocator("iframe[title='Chat with us']");
  // The frame's storage is its own (partitioned by the shop's site): the key is asked again.
  const widgetKey = widget.getByLabel("API key");
  await expect.poll(() => widgetKey.isVisible(), { timeout: LIVE_MS }).toBe(true);
  await widgetKey.fill(apiKey);
  await widget.getByRole("button", { name: "Use key" }).click();
  await expect
    .poll(() => widget.locator(".msg.assistant .content").first().textContent(), { timeout: LIVE_MS })
    .toBe("Welcome aboard!");
  await chat(widget, "from the shop's widget");
  await shot(shop, "07-widget-chat");

  // 8. Back in the admin app: the request log holds the four turns, the events the statuses.
  await admin.bringToFront();
  const requests = admin.getByRole("region", { name: "Request log" });
  await requests.getByRole("button", { name: "Refresh request log" }).click();
  await expect.poll(() => requests.getByRole("listitem").count(), { timeout: LIVE_MS }).toBe(4);
  const history = admin.getByRole("list", { name: "Event history" });
  await expect.poll(() => history.textContent(), { timeout: LIVE_MS }).toContain("deployment.started");
  const live = await admin.getByRole("list", { name: "Events" }).textContent();
  expect(live).toContain("deployment started");
  expect(live).toContain("tls status changed: Requested → Issued");
  expect(live).toContain("dns status changed: Verifying → Verified");
  expect(live).toContain("apiKey created");
  expect(await admin.evaluate("window.__journeyMark")).toBe("still the same document");
  await shot(requests, "08a-request-log");
  await shot(admin.getByRole("region", { name: "Events", exact: true }), "08b-events");
  console.log(`journey: ${((Date.now() - started) / 1000).toFixed(1)} s in the browser`);
});
