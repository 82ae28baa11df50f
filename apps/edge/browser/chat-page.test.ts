import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, type TestUser } from "../../api/test/harness.ts";
import { EdgeTestStack } from "../test/node/stack.ts";
import { startWranglerDev, type WranglerDev } from "../test/node/wrangler-dev.ts";

const CHROMIUM = "/usr/bin/chromium";

let stack: EdgeTestStack;
let worker: WranglerDev;
let browser: Browser;
let user: TestUser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/services.mjs installs it`);
  stack = await EdgeTestStack.start();
  const upstreams = await stack.addUpstreams();
  worker = await startWranglerDev({
    vars: {
      ORIGIN_URL: upstreams.origin.url,
      UPSTASH_REDIS_REST_URL: upstreams.upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstreams.upstash.token,
      EDGE_SHARED_SECRET: stack.api.runtime.edgeSecret,
    },
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // Every hostname resolves to the worker, so the page is browsed at its real host.
      `--host-resolver-rules=MAP * 127.0.0.1:${worker.port}`,
    ],
  });
  user = await createAccount(stack.api);
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await stack?.close();
});

async function deployedChatbot(name: string, fields: { appExamplePrompts?: string[] } = {}) {
  const created = await user.client.chatbot.create.mutate({
    name,
    provider: "echo",
    appName: `${name} assistant`,
    appWelcomeMessage: `Welcome to ${name}!`,
    ...fields,
  });
  return user.client.chatbot.deploy.mutate({ id: created.id });
}

async function openPage(host: string): Promise<Page> {
  const page = await browser.newPage();
  const response = await page.goto(`http://${host}/`);
  expect(response?.status()).toBe(200);
  return page;
}

const assistantMessages = (page: Page) => page.locator(".msg.assistant");

describe("the chat page at a chatbot's default host", () => {
  it("shows the chatbot's configuration and answers through the provider", async () => {
    const bot = await deployedChatbot("pageBot", { appExamplePrompts: ["What can you do?"] });
    const page = await openPage(bot.defaultHost);
    await expect.poll(() => page.locator("#title").textContent()).toBe("pageBot assistant");
    await expect.poll(() => assistantMessages(page).first().textContent()).toBe("Welcome to pageBot!");

    await page.fill("#text", "hello from a real browser");
    await page.click("#form button");
    await expect
      .poll(() => assistantMessages(page).nth(1).textContent())
      .toBe("Echo: hello from a real browser");

    await page.click("#prompts button");
    await expect.poll(() => assistantMessages(page).nth(2).textContent()).toBe("Echo: What can you do?");
    expect(await page.locator("#notice").textContent()).toBe("");

    // The conversation reached the origin as one session.
    const log = await user.client.request.list.query({ chatbotId: bot.id });
    expect(log.items.length).toBe(2);
    expect(new Set(log.items.map((r) => r.sessionKey)).size).toBe(1);
    await page.close();
  });

  it("asks for an API key in the page when the chatbot requires one, and chats with it", async () => {
    const bot = await deployedChatbot("lockedBot");
    // The origin checks keys itself, so this holds even while the edge still caches the keyless route.
    const key = await user.client.apiKey.create.mutate({ chatbotId: bot.id });

    const page = await openPage(bot.defaultHost);
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    // The page asks with its own labelled form, whenever config/ answers 401: no dialog to race.
    const keyField = page.getByLabel("API key");
    await keyField.waitFor({ state: "visible" });
    expect(await keyField.getAttribute("type")).toBe("password");
    await keyField.fill(key.key);
    await page.getByRole("button", { name: "Use key" }).click();

    await expect.poll(() => assistantMessages(page).first().textContent()).toBe("Welcome to lockedBot!");
    expect(await keyField.isHidden()).toBe(true);
    expect(await page.evaluate('sessionStorage.getItem("botgate-key")')).toBe(key.key);
    await page.fill("#text", "with my key");
    await page.click("#form button");
    await expect.poll(() => assistantMessages(page).nth(1).textContent()).toBe("Echo: with my key");
    expect(dialogs).toEqual([]);
    await page.close();
  });
});
