// SPEC §5 resolution, every mode, end to end: workerd edge → real Redis → real origin.
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  API_HOST,
  type Chatbot,
  control,
  createChatbot,
  edge,
  expectError,
  newAccount,
  PLATFORM_HOST,
  sandboxPath,
  trpc,
  uniqueName,
} from "./helpers.ts";

let account: Account;
let deployed: Chatbot;
let undeployed: Chatbot;

beforeAll(async () => {
  account = await newAccount();
  deployed = await createChatbot(account, { appName: "Deployed Bot" });
  undeployed = await createChatbot(account, { deploy: false });
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function configOf(response: Response) {
  expect(response.status).toBe(200);
  return response.json<{
    data: { sandbox_mode: boolean; chatbot: { id: number; mode: string; app_name: string } };
  }>();
}

describe("default host <name>.<account_number>.<api domain>", () => {
  it("serves the chat page, with the route's tier in Server-Timing", async () => {
    const response = await edge(`http://${deployed.defaultHost}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("server-timing")).toMatch(/^route;desc="(l1|l2|origin)"$/);
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const html = await response.text();
    // The built page (apps/chat), loading its own files relative to the chatbot's root.
    expect(html).toMatch(/<script type="module" src="_botgate\/chat-[0-9a-f]{12}\.js">/);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    // The page's headers are built once per route tier; each answer still has its own id.
    const again = await edge(`http://${deployed.defaultHost}/`);
    expect(await again.text()).toBe(html);
    expect(again.headers.get("content-security-policy")).toBe(csp);
    expect(again.headers.get("server-timing")).toMatch(/^route;desc="(l1|l2|origin)"$/);
    expect(again.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(again.headers.get("x-request-id")).not.toBe(response.headers.get("x-request-id"));
  });

  it("forwards GET and POST /config/ in mode default", async () => {
    for (const init of [{}, { method: "POST", body: "{}" }]) {
      const config = await configOf(await edge(`http://${deployed.defaultHost}/config/`, init));
      expect(config.data.chatbot).toMatchObject({
        id: deployed.id,
        mode: "default",
        app_name: "Deployed Bot",
      });
      expect(config.data.sandbox_mode).toBe(false);
    }
  });

  it("reads the host from the URL, port and case and trailing dot notwithstanding", async () => {
    const host = deployed.defaultHost;
    for (const url of [
      `http://${host}:8787/config/`,
      `http://${host.toUpperCase()}/config/`,
      `http://${host}./config/`,
    ]) {
      await configOf(await edge(url));
    }
  });

  it("accepts an explicit Host header that names the URL's host", async () => {
    const request = new Request(`http://${deployed.defaultHost}/config/`, {
      headers: { host: `${deployed.defaultHost}:443` },
    });
    await configOf(await edge(request));
  });

  it("does not serve an undeployed chatbot's default host", async () => {
    await expectError(await edge(`http://${undeployed.defaultHost}/`), 404, "NOT_FOUND");
  });
});

describe("sandbox: platform host + /workbench/chatbots/<hashed_id>/", () => {
  it("serves the page of deployed and undeployed chatbots alike", async () => {
    for (const chatbot of [deployed, undeployed]) {
      const response = await edge(`http://${PLATFORM_HOST}${sandboxPath(chatbot)}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("<!doctype html>");
    }
  });

  it("asks for credentials at the edge before forwarding", async () => {
    const error = await expectError(
      await edge(`http://${PLATFORM_HOST}${sandboxPath(undeployed)}config/`),
      401,
      "UNAUTHORIZED",
    );
    expect(error.details).toEqual({ required: "account_token_or_api_key" });
  });

  it("forwards in mode sandbox with an admin token of the owning account", async () => {
    const response = await edge(`http://${PLATFORM_HOST}${sandboxPath(undeployed)}config/`, {
      headers: bearer(account.token),
    });
    const config = await configOf(response);
    expect(config.data.chatbot).toMatchObject({ id: undeployed.id, mode: "sandbox" });
    expect(config.data.sandbox_mode).toBe(true);
  });

  it("answers another account's admin token like an unknown id (checked at the origin)", async () => {
    const other = await newAccount();
    const response = await edge(`http://${PLATFORM_HOST}${sandboxPath(undeployed)}config/`, {
      headers: bearer(other.token),
    });
    await expectError(response, 404, "NOT_FOUND");
  });

  it("answers 404 for a malformed hashed id, and the constant page for any well-formed one", async () => {
    await expectError(await edge(`http://${PLATFORM_HOST}/workbench/chatbots/not-an-id/`), 404, "NOT_FOUND");
    // Whether the id exists is the origin's answer to config/, with a credential.
    const page = await edge(`http://${PLATFORM_HOST}/workbench/chatbots/rOTk5OTk5OTk5OTk5x/`);
    expect(page.status).toBe(200);
    const config = await edge(`http://${PLATFORM_HOST}/workbench/chatbots/rOTk5OTk5OTk5OTk5x/config/`, {
      headers: bearer(account.token),
    });
    await expectError(config, 404, "NOT_FOUND");
  });
});

describe("by id: API host + /api/v1/chatbots/<id|hashed_id>/(chat|config)/", () => {
  it("accepts numeric and hashed ids, in mode sandbox", async () => {
    for (const id of [String(undeployed.id), undeployed.hashedId]) {
      const response = await edge(`http://${API_HOST}/api/v1/chatbots/${id}/config/`, {
        headers: bearer(account.token),
      });
      const config = await configOf(response);
      expect(config.data.chatbot).toMatchObject({ id: undeployed.id, mode: "sandbox" });
    }
  });

  it("chats through the by-id path with one of the chatbot's API keys", async () => {
    const key = await trpc<{ key: string }>(account.token, "apiKey.create", {
      chatbotId: deployed.id,
      name: "by-id",
    });
    const response = await edge(`http://${API_HOST}/api/v1/chatbots/${deployed.hashedId}/chat/`, {
      method: "POST",
      headers: { "x-api-key": key.key, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "hi there" }] }),
    });
    expect(response.status).toBe(200);
    const body = await response.json<{ data: { body: { choices: { message: { content: string } }[] } } }>();
    expect(body.data.body.choices[0]?.message.content).toBe("Echo: hi there");
  });

  it("has no chat page and nothing below chat/ and config/", async () => {
    await expectError(await edge(`http://${API_HOST}/api/v1/chatbots/${deployed.id}/`), 404, "NOT_FOUND");
    await expectError(
      await edge(`http://${API_HOST}/api/v1/chatbots/${deployed.id}/config/x`),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await edge(`http://${API_HOST}/api/v1/chatbots/${deployed.id}/history/`),
      404,
      "NOT_FOUND",
    );
  });
});

describe("custom host <name>.<custom domain>", () => {
  it("routes while the domain is verified, in mode custom", async () => {
    const domainName = `${uniqueName("shop")}.example.com`;
    const domain = await control<{ id: number }>("/domains", { ...account, domainName, isVerified: true });
    const chatbot = await createChatbot(account, { customDomainId: domain.id });
    expect(chatbot.customHost).toBe(`${chatbot.name.toLowerCase()}.${domainName}`);
    const page = await edge(`http://${chatbot.customHost}/`);
    expect(page.status).toBe(200);
    const config = await configOf(await edge(`http://${chatbot.customHost}/config/`));
    expect(config.data.chatbot).toMatchObject({ id: chatbot.id, mode: "custom" });
    // The default host keeps working next to it.
    await configOf(await edge(`http://${chatbot.defaultHost}/config/`));
  });

  it("does not route an unverified domain", async () => {
    const domainName = `${uniqueName("pending")}.example.com`;
    const domain = await control<{ id: number }>("/domains", { ...account, domainName, isVerified: false });
    const chatbot = await createChatbot(account, { customDomainId: domain.id });
    expect(chatbot.customHost).toBeNull();
    await expectError(await edge(`http://${chatbot.name.toLowerCase()}.${domainName}/`), 404, "NOT_FOUND");
  });
});

describe("endpoints and methods", () => {
  it("answers 404 for paths that are no endpoint, without a lookup", async () => {
    await expectError(await edge(`http://${deployed.defaultHost}/admin`), 404, "NOT_FOUND");
    await expectError(await edge(`http://${deployed.defaultHost}/config/extra`), 404, "NOT_FOUND");
  });

  it("answers 405 with Allow for a wrong method", async () => {
    const response = await edge(`http://${deployed.defaultHost}/chat/`);
    await expectError(response, 405, "METHOD_NOT_ALLOWED");
    expect(response.headers.get("allow")).toBe("POST");
    const put = await edge(`http://${deployed.defaultHost}/config/`, { method: "PUT", body: "{}" });
    await expectError(put, 405, "METHOD_NOT_ALLOWED");
    expect(put.headers.get("allow")).toBe("GET, POST");
  });

  it("answers 404 on the platform and API hosts outside chatbot paths", async () => {
    await expectError(await edge(`http://${PLATFORM_HOST}/`), 404, "NOT_FOUND");
    await expectError(await edge(`http://${API_HOST}/trpc/chatbot.list`), 404, "NOT_FOUND");
  });
});
