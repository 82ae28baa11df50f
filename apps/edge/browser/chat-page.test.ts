// The chat page and the widget in a real browser (Debian's Chromium) at chatbots' real
// hostnames, served by the worker in workerd (`wrangler dev`, with its static assets) in front
// of the real origin, database and Redis.
import { mkdir } from "node:fs/promises";
import { get } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, deployAndWait, type TestUser } from "../../api/test/harness.ts";
import { EdgeTestStack } from "../test/node/stack.ts";
import { startWranglerDev, type WranglerDev } from "../test/node/wrangler-dev.ts";
import { launchChromiumAtEdge } from "./chromium-at-edge.ts";

const ARTIFACTS = join(import.meta.dirname, "artifacts");
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

let stack: EdgeTestStack;
let worker: WranglerDev;
let browser: Browser;
let user: TestUser;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  stack = await EdgeTestStack.start();
  const upstreams = await stack.addUpstreams();
  worker = await startWranglerDev({ vars: stack.workerVars(upstreams) });
  browser = await launchChromiumAtEdge(worker);
  user = await createAccount(stack.api);
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await stack?.close();
});

type ChatbotFields = Parameters<TestUser["client"]["chatbot"]["create"]["mutate"]>[0];

async function deployedChatbot(name: string, fields: Partial<ChatbotFields> = {}) {
  const created = await user.client.chatbot.create.mutate({
    name,
    provider: "echo",
    appName: `${name} assistant`,
    appWelcomeMessage: `Welcome to ${name}!`,
    ...fields,
  });
  // The deployment job (record, certificate, DNS check) makes it ready moments later.
  return deployAndWait(user.client, created.id, { routes: stack.api.runtime.routes });
}

async function openPage(host: string, context?: BrowserContext): Promise<Page> {
  const page = await (context ?? browser).newPage();
  const response = await page.goto(`http://${host}/`);
  expect(response?.status()).toBe(200);
  return page;
}

const assistantMessages = (page: Page) => page.locator(".msg.assistant .content");
const userMessages = (page: Page) => page.locator(".msg.user .content");

/** Until the page is not answering (the previous stream has ended): a new turn waits for that. */
async function idle(page: Page) {
  await expect.poll(() => page.getByRole("button", { name: "Send" }).isVisible()).toBe(true);
}

async function send(page: Page, text: string) {
  await idle(page);
  await page.getByLabel("Message").fill(text);
  await page.getByRole("button", { name: "Send" }).click();
}

describe("the chat page at a chatbot's default host", () => {
  it("shows the chatbot's configuration and answers through the provider, in one session", async () => {
    const bot = await deployedChatbot("pageBot", {
      appExamplePrompts: ["What can you do?"],
      appAssistant: "Pagey",
      appPlaceholder: "Ask pageBot",
      appInfoUrl: "https://example.com/about",
    });
    const page = await openPage(bot.defaultHost);
    await expect.poll(() => page.locator("h1").textContent()).toBe("pageBot assistant");
    expect(await page.title()).toBe("pageBot assistant");
    await expect.poll(() => assistantMessages(page).first().textContent()).toBe("Welcome to pageBot!");
    expect(await page.locator(".msg.assistant .who").first().textContent()).toBe("Pagey");
    expect(await page.getByLabel("Message").getAttribute("placeholder")).toBe("Ask pageBot");
    expect(await page.getByRole("link", { name: "About" }).getAttribute("href")).toBe(
      "https://example.com/about",
    );

    await send(page, "hello from a real browser");
    await expect
      .poll(() => assistantMessages(page).nth(1).textContent())
      .toBe("Echo: hello from a real browser");
    await idle(page);
    await page.getByRole("button", { name: "What can you do?" }).click();
    await expect.poll(() => assistantMessages(page).nth(2).textContent()).toBe("Echo: What can you do?");
    expect(await page.locator("#notice").textContent()).toBe("");
    await expect.poll(() => page.locator("#announce").textContent()).toBe("Pagey: Echo: What can you do?");

    const log = await user.client.request.list.query({ chatbotId: bot.id });
    expect(log.items.length).toBe(2);
    expect(new Set(log.items.map((r) => r.sessionKey)).size).toBe(1);

    // A reload keeps the session: the history comes back from config/.
    await page.reload();
    await expect
      .poll(() => userMessages(page).allTextContents())
      .toEqual(["hello from a real browser", "What can you do?"]);
    await send(page, "still me");
    await expect.poll(() => assistantMessages(page).last().textContent()).toBe("Echo: still me");
    const after = await user.client.request.list.query({ chatbotId: bot.id });
    expect(new Set(after.items.map((r) => r.sessionKey)).size).toBe(1);

    // "New chat" starts a session of its own.
    await idle(page);
    await page.getByRole("button", { name: "New chat" }).click();
    await expect.poll(() => assistantMessages(page).count()).toBe(1);
    await page.close();
  });

  it("streams the reply word by word, and stops it on request", async () => {
    const bot = await deployedChatbot("streamBot");
    const page = await openPage(bot.defaultHost);
    await expect.poll(() => assistantMessages(page).count()).toBe(1);
    const words = Array.from({ length: 150 }, (_, i) => `w${i}`).join(" ");
    await send(page, words);
    const reply = assistantMessages(page).nth(1);
    const stop = page.getByRole("button", { name: "Stop" });
    await stop.waitFor({ state: "visible" });
    // Part of the answer is on the page while the rest is still coming.
    await expect
      .poll(async () => ((await reply.textContent()) ?? "").split(" ").length, { timeout: 20_000 })
      .toBeGreaterThan(3);
    await stop.click();
    await expect.poll(() => page.locator("#notice").textContent()).toBe("Stopped.");
    const shown = (await reply.textContent()) ?? "";
    expect(shown.startsWith("Echo: w0 w1")).toBe(true);
    expect(shown.length).toBeLessThan(`Echo: ${words}`.length);
    expect(await page.getByRole("button", { name: "Send" }).isVisible()).toBe(true);

    // A short one runs to the end, and the session carries on.
    await send(page, "short one");
    await expect.poll(() => assistantMessages(page).last().textContent()).toBe("Echo: short one");
    await page.close();
  });

  it("renders Markdown, and never runs HTML from the model or from chatbot fields", async () => {
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const bot = await deployedChatbot("hostileBot", {
      appName: `<b>bold?</b>${hostile}`,
      appWelcomeMessage: `[click](javascript:window.__pwned=3) ${hostile}`.slice(0, 255),
      appExamplePrompts: [hostile],
      appPlaceholder: hostile,
    });
    const page = await openPage(bot.defaultHost);
    await expect.poll(() => page.locator("h1").textContent()).toBe(`<b>bold?</b>${hostile}`);
    await send(
      page,
      "**strong** and `code` and [a link](https://example.com) and [bad](javascript:alert(1))",
    );
    const answer = assistantMessages(page).nth(1);
    const links = answer.locator("a");
    // The answer streams in: wait for its end (the second link) before reading it.
    await expect.poll(() => links.count()).toBe(2);
    await expect.poll(() => page.getByRole("button", { name: "Send" }).isVisible()).toBe(true);
    expect(await answer.locator("strong").textContent()).toBe("strong");
    expect(await answer.locator("code").textContent()).toBe("code");
    expect(await links.nth(0).getAttribute("href")).toBe("https://example.com");
    expect(await links.nth(0).getAttribute("rel")).toContain("noopener");
    expect(await links.nth(1).getAttribute("href")).toBeNull();

    await send(page, hostile);
    await expect.poll(() => assistantMessages(page).nth(2).textContent()).toContain("<img src=x");
    await idle(page);
    await page.getByRole("button", { name: hostile }).click();
    await expect.poll(() => assistantMessages(page).count()).toBe(4);
    await page
      .locator(".msg.assistant .content a")
      .first()
      .click({ noWaitAfter: true })
      .catch(() => {});
    expect(await page.locator("img:not(#logo)").count()).toBe(0);
    expect(await page.locator(".content script").count()).toBe(0);
    expect(await page.evaluate("window.__pwned")).toBeUndefined();
    await page.close();
  });

  it("asks for an API key in the page when the chatbot requires one, and chats with it", async () => {
    const bot = await deployedChatbot("lockedBot");
    const key = await user.client.apiKey.create.mutate({ chatbotId: bot.id });
    const page = await openPage(bot.defaultHost);
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const keyField = page.getByLabel("API key");
    await keyField.waitFor({ state: "visible" });
    expect(await keyField.getAttribute("type")).toBe("password");
    await expect.poll(() => page.evaluate("document.activeElement?.id")).toBe("key");

    await keyField.fill("bgk_not-a-key");
    await page.getByRole("button", { name: "Use key" }).click();
    await expect.poll(() => page.locator("#notice").textContent()).toMatch(/refused/);
    await keyField.fill(key.key);
    await page.getByRole("button", { name: "Use key" }).click();
    await expect.poll(() => assistantMessages(page).first().textContent()).toBe("Welcome to lockedBot!");
    expect(await keyField.isHidden()).toBe(true);
    await send(page, "with my key");
    await expect.poll(() => assistantMessages(page).nth(1).textContent()).toBe("Echo: with my key");
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it("is usable with the keyboard alone", async () => {
    const bot = await deployedChatbot("keyboardBot", { appExamplePrompts: ["Tab to me"] });
    const page = await openPage(bot.defaultHost);
    await expect.poll(() => assistantMessages(page).count()).toBe(1);
    await page.getByLabel("Message").focus();
    await page.keyboard.type("typed only");
    await page.keyboard.press("Enter");
    await expect.poll(() => assistantMessages(page).nth(1).textContent()).toBe("Echo: typed only");
    // Focus comes back to the message field for the next turn.
    await expect.poll(() => page.evaluate("document.activeElement?.id")).toBe("text");
    // Shift+Enter writes a new line instead of sending.
    await idle(page);
    await page.keyboard.type("line one");
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("line two");
    expect(await page.getByLabel("Message").inputValue()).toBe("line one\nline two");
    await page.close();
  });

  it("has no axe-core violations, a 16 px input and the right layout at phone and desktop widths", async () => {
    const bot = await deployedChatbot("axeBot", { appExamplePrompts: ["Hello"] });
    for (const width of [375, 1280]) {
      // Injecting axe needs a page whose CSP would otherwise refuse an injected script.
      const context = await browser.newContext({ bypassCSP: true });
      const page = await openPage(bot.defaultHost, context);
      await page.setViewportSize({ width, height: width === 375 ? 667 : 800 });
      await expect.poll(() => assistantMessages(page).count()).toBe(1);
      await send(page, "Some **Markdown** with a [link](https://example.com)");
      await expect.poll(() => assistantMessages(page).count()).toBe(2);
      await idle(page);
      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate("axe.run().then((r) => r.violations.map((v) => v.id))");
      expect(violations).toEqual([]);
      const fontSize = String(
        await page.evaluate('getComputedStyle(document.getElementById("text")).fontSize'),
      );
      expect(Number.parseFloat(fontSize)).toBeGreaterThanOrEqual(16);
      const box = await page.locator("#form").boundingBox();
      expect(box?.width).toBeLessThanOrEqual(width);
      await page.screenshot({ path: join(ARTIFACTS, `chat-page-${width}.png`), fullPage: true });
      await context.close();
    }
  });
});

describe("the widget", () => {
  const shopPage = (chatbotHost: string) =>
    `<!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>A shop</h1>` +
    `<script src="http://${chatbotHost}/widget.js" data-label="Ask the shop" async></script></body></html>`;

  async function openShop(origin: string, chatbotHost: string, viewport = { width: 1280, height: 800 }) {
    const page = await browser.newPage({ viewport });
    // The customer's site: served by the browser itself, on an origin of its own.
    await page.route(`${origin}/`, (route) =>
      route.fulfill({ status: 200, contentType: "text/html", body: shopPage(chatbotHost) }),
    );
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    await page.goto(`${origin}/`);
    return { page, requests };
  }

  it("opens the chat page in an iframe on an allowed site, loading nothing before the click", async () => {
    const bot = await deployedChatbot("widgetBot", { appEmbedOrigins: ["http://shop.example"] });
    const { page, requests } = await openShop("http://shop.example", bot.defaultHost);
    const launcher = page.getByRole("button", { name: "Ask the shop" });
    await launcher.waitFor();
    expect(await launcher.getAttribute("aria-expanded")).toBe("false");
    // Before the click: the page itself and widget.js, nothing else.
    expect(requests.filter((url) => !url.startsWith("http://shop.example/"))).toEqual([
      `http://${bot.defaultHost}/widget.js`,
    ]);

    await launcher.click();
    expect(await launcher.getAttribute("aria-expanded")).toBe("true");
    const chat = page.frameLocator("iframe[title='Ask the shop']");
    await expect
      .poll(() => chat.locator(".msg.assistant .content").first().textContent())
      .toBe("Welcome to widgetBot!");
    await chat.getByLabel("Message").fill("from the widget");
    await chat.getByRole("button", { name: "Send" }).click();
    await expect
      .poll(() => chat.locator(".msg.assistant .content").nth(1).textContent())
      .toBe("Echo: from the widget");
    await page.screenshot({ path: join(ARTIFACTS, "widget-1280.png") });

    // Escape closes the panel and gives focus back to the launcher.
    await chat.getByLabel("Message").press("Escape");
    await expect.poll(() => launcher.getAttribute("aria-expanded")).toBe("false");
    await page.close();
  });

  it("fills the screen below 667 px", async () => {
    const bot = await deployedChatbot("phoneBot", { appEmbedOrigins: ["http://shop.example"] });
    const viewport = { width: 375, height: 667 };
    const { page } = await openShop("http://shop.example", bot.defaultHost, viewport);
    await page.getByRole("button", { name: "Ask the shop" }).click();
    const panel = page.getByRole("dialog", { name: "Ask the shop" });
    await expect.poll(async () => (await panel.boundingBox())?.width).toBe(375);
    expect((await panel.boundingBox())?.height).toBe(667);
    const chat = page.frameLocator("iframe[title='Ask the shop']");
    await expect
      .poll(() => chat.locator(".msg.assistant .content").first().textContent())
      .toBe("Welcome to phoneBot!");
    await page.screenshot({ path: join(ARTIFACTS, "widget-375.png") });
    await page.close();
  });

  it("cannot frame the chat page on a site the chatbot does not allow", async () => {
    const bot = await deployedChatbot("guardedBot", { appEmbedOrigins: ["http://shop.example"] });
    const { page } = await openShop("http://evil.example", bot.defaultHost);
    await page.getByRole("button", { name: "Ask the shop" }).click();
    const frame = page.frames().find((f) => f !== page.mainFrame());
    // Chromium replaces a frame refused by frame-ancestors with its error page.
    await expect
      .poll(() =>
        page
          .frames()
          .find((f) => f !== page.mainFrame())
          ?.url(),
      )
      .toMatch(/^chrome-error:/);
    expect(frame === undefined || !frame.url().startsWith(`http://${bot.defaultHost}`)).toBe(true);
    const csp = await new Promise<string>((resolve, reject) => {
      get(
        { port: worker.port, host: "127.0.0.1", path: "/", headers: { host: bot.defaultHost } },
        (response) => {
          response.resume();
          resolve(String(response.headers["content-security-policy"]));
        },
      ).on("error", reject);
    });
    expect(csp).toMatch(/frame-ancestors http:\/\/shop\.example$/);
    await page.close();
  });
});
