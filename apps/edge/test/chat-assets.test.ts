// The chat page's files and the widget script, served by the worker from its static assets
// (apps/chat's build) with the headers the worker decides: immutable hashed files, a briefly
// cached widget.js, and a page that only the chatbot's allowed sites may frame.
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  type Chatbot,
  createChatbot,
  edge,
  eventually,
  expectError,
  L1_TTL_MS,
  newAccount,
  PLATFORM_HOST,
  resolveCalls,
  sandboxPath,
  TTL_MARGIN_MS,
  trpc,
} from "./helpers.ts";

let account: Account;
let bot: Chatbot;

beforeAll(async () => {
  account = await newAccount();
  bot = await createChatbot(account, { appEmbedOrigins: ["https://shop.example.com/"] });
});

async function pageFiles(html: string): Promise<string[]> {
  return [...html.matchAll(/(?:src|href)="(_botgate\/[^"]+)"/g)].map((m) => m[1] ?? "");
}

describe("the chat page's own files", () => {
  it("are served below every chatbot root, immutable, with their content types", async () => {
    const html = await (await edge(`http://${bot.defaultHost}/`)).text();
    const files = await pageFiles(html);
    expect(files.map((f) => f.replace(/-[0-9a-f]{12}\./, "-<hash>."))).toEqual([
      "_botgate/chat-<hash>.css",
      "_botgate/chat-<hash>.js",
    ]);
    for (const root of [`http://${bot.defaultHost}/`, `http://${PLATFORM_HOST}${sandboxPath(bot)}`]) {
      for (const file of files) {
        const response = await edge(`${root}${file}`);
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toMatch(
          file.endsWith(".js") ? /^text\/javascript/ : /^text\/css/,
        );
        expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
        expect(response.headers.get("x-content-type-options")).toBe("nosniff");
        expect((await response.text()).length).toBeGreaterThan(100);
      }
    }
  });

  it("are the same for every chatbot, so no lookup is made for them", async () => {
    const html = await (await edge(`http://${bot.defaultHost}/`)).text();
    const [file] = await pageFiles(html);
    const unknownHost = `nobody.0000-0000-0000.api.local.botgate.localhost`;
    expect((await edge(`http://${unknownHost}/${file}`)).status).toBe(200);
    expect(await resolveCalls(`host:${unknownHost}`)).toBe(0);
  });

  it("answer 404 for any other name, and 405 for anything but GET and HEAD", async () => {
    for (const name of ["chat-000000000000.js", "chat.html", "widget.js", "x.png", "a/b.js"]) {
      await expectError(await edge(`http://${bot.defaultHost}/_botgate/${name}`), 404, "NOT_FOUND");
    }
    // An encoded '/' never reaches the file lookup: such a path is refused as a whole.
    await expectError(await edge(`http://${bot.defaultHost}/_botgate/..%2fchat.html`), 400, "BAD_REQUEST");
    const [file] = await pageFiles(await (await edge(`http://${bot.defaultHost}/`)).text());
    await expectError(
      await edge(`http://${bot.defaultHost}/${file}`, { method: "POST" }),
      405,
      "METHOD_NOT_ALLOWED",
    );
  });
});

describe("the chat page", () => {
  it("may be framed by the chatbot's allowed origins only, and follows their changes", async () => {
    const csp = async () => (await edge(`http://${bot.defaultHost}/`)).headers.get("content-security-policy");
    expect(await csp()).toMatch(/frame-ancestors https:\/\/shop\.example\.com$/);
    await trpc(account.token, "chatbot.update", { id: bot.id, appEmbedOrigins: [] });
    await eventually(
      async () => expect(await csp()).toMatch(/frame-ancestors 'none'$/),
      L1_TTL_MS + TTL_MARGIN_MS,
    );
    await trpc(account.token, "chatbot.update", {
      id: bot.id,
      appEmbedOrigins: ["https://a.example", "http://localhost:3000"],
    });
    await eventually(
      async () =>
        expect(await csp()).toMatch(/frame-ancestors https:\/\/a\.example http:\/\/localhost:3000$/),
      L1_TTL_MS + TTL_MARGIN_MS,
    );
  });

  it("is framed by nobody at a sandbox path, and redirects there to the address ending in '/'", async () => {
    const page = await edge(`http://${PLATFORM_HOST}${sandboxPath(bot)}`);
    expect(page.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'$/);
    const bare = await edge(`http://${PLATFORM_HOST}${sandboxPath(bot).replace(/\/$/, "")}?lang=en`, {
      redirect: "manual",
    });
    expect(bare.status).toBe(308);
    expect(bare.headers.get("location")).toBe(`${sandboxPath(bot)}?lang=en`);
  });
});

describe("widget.js", () => {
  it("is served at a deployed chatbot's host, briefly cached and loadable from any site", async () => {
    const response = await edge(`http://${bot.defaultHost}/widget.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    expect(response.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(await response.text()).toContain("attachShadow");
  });

  it("answers 404 at a host where no chatbot answers", async () => {
    await expectError(
      await edge("http://nobody.0000-0000-0000.api.local.botgate.localhost/widget.js"),
      404,
      "NOT_FOUND",
    );
  });
});
