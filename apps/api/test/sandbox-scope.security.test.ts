// Sandbox and by-id access at the origin (`/api/v1/chatbots/<id|hashed_id>/...`, direct or
// forwarded by the edge from `/workbench/chatbots/<hashed_id>/...`) applies the admin API's
// scope: an account admin's token reaches every chatbot of the account, a member's only their
// own. Whatever does not reach a chatbot (another member's or account's token, a revoked
// token, another chatbot's key, garbage, nothing) answers exactly as an unknown id does.
import { randomBytes } from "node:crypto";
import { createAdminToken } from "@botgate/api";
import { signForwardedRequest } from "@botgate/forwarding";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backgroundSettled } from "../src/origin/background.ts";
import { createAccount, createMember, startTestServer, type TestServer, type TestUser } from "./harness.ts";

let server: TestServer;
let admin: TestUser;
let owner: TestUser;
let colleague: TestUser;
let outsider: TestUser;
let ownBot: { id: number; hashedId: string };
let colleagueBot: { id: number; hashedId: string };

beforeAll(async () => {
  server = await startTestServer();
  admin = await createAccount(server, "sandboxadmin");
  owner = await createMember(server, admin.accountNumber, { username: "owner" });
  colleague = await createMember(server, admin.accountNumber, { username: "colleague" });
  outsider = await createAccount(server, "outsider");
  const name = () => `bot${randomBytes(4).toString("hex")}`;
  ownBot = await owner.client.chatbot.create.mutate({ name: name(), provider: "echo" });
  colleagueBot = await colleague.client.chatbot.create.mutate({ name: name(), provider: "echo" });
});
afterAll(async () => {
  await server?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const path = (id: string | number, action = "config/") => `/api/v1/chatbots/${id}/${action}`;

interface Answer {
  status: number;
  error: { code: string; message: string; details?: unknown } | undefined;
}

async function get(target: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${server.url}${target}`, { headers });
  const body = (await response.json()) as { error?: Answer["error"] & { requestId?: string } };
  const { requestId: _requestId, ...error } = body.error ?? {};
  return {
    status: response.status,
    error: body.error === undefined ? undefined : (error as Answer["error"]),
  };
}

/** What an id that exists nowhere answers, with the same credential. */
const unknownAnswer = (headers: Record<string, string> = {}) => get(path(2_000_000_000), headers);

describe("an account admin's token", () => {
  it("reaches every chatbot of the account", async () => {
    for (const bot of [ownBot, colleagueBot]) {
      expect((await get(path(bot.hashedId), bearer(admin.token))).status).toBe(200);
      expect((await get(path(bot.id), bearer(admin.token))).status).toBe(200);
    }
  });
});

describe("a member's token", () => {
  it("reaches the member's own chatbot, by id and by hashed id", async () => {
    expect((await get(path(ownBot.hashedId), bearer(owner.token))).status).toBe(200);
    expect((await get(path(ownBot.id), bearer(owner.token))).status).toBe(200);
  });

  it("answers another member's chatbot exactly like an unknown one", async () => {
    const unknown = await unknownAnswer(bearer(owner.token));
    expect(unknown).toEqual({
      status: 404,
      error: { code: "NOT_FOUND", message: "No chatbot answers at this address." },
    });
    for (const id of [colleagueBot.hashedId, String(colleagueBot.id)]) {
      expect(await get(path(id), bearer(owner.token))).toEqual(unknown);
    }
  });

  it("cannot chat with another member's chatbot, and nothing is stored", async () => {
    const response = await fetch(`${server.url}${path(colleagueBot.hashedId, "chat/")}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(owner.token) },
      body: JSON.stringify({ messages: [{ role: "user", content: "let me in" }] }),
    });
    expect(response.status).toBe(404);
    await backgroundSettled(); // the request log is written after the answer
    expect(await server.runtime.db.chatBotRequests.count({ where: { chatbotId: colleagueBot.id } })).toBe(0);
  });

  it("is held to the same scope in an edge forward in mode sandbox", async () => {
    const forward = async (token: string) => {
      const target = path(colleagueBot.hashedId);
      const signed = await signForwardedRequest(
        server.runtime.edgeSecret,
        { method: "GET", path: target, headers: new Headers(bearer(token)), body: new Uint8Array() },
        {
          chatbotId: String(colleagueBot.id),
          mode: "sandbox",
          accountNumber: admin.accountNumber,
          requestId: "req-sandbox-scope",
          clientIp: "203.0.113.9",
        },
      );
      return get(target, { ...signed, ...bearer(token) });
    };
    expect((await forward(admin.token)).status).toBe(200);
    expect((await forward(colleague.token)).status).toBe(200);
    expect(await forward(owner.token)).toEqual(await unknownAnswer(bearer(owner.token)));
  });
});

describe("whatever does not reach the chatbot", () => {
  it("answers exactly like an unknown id: no way to tell that the chatbot exists", async () => {
    const revoked = await createAdminToken(server.runtime.db, owner.userProfileId, "revoked");
    await server.runtime.db.adminToken.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
    const expired = await createAdminToken(
      server.runtime.db,
      owner.userProfileId,
      "expired",
      new Date(Date.now() - 1_000),
    );
    const otherKey = await colleague.client.apiKey.create.mutate({ chatbotId: colleagueBot.id });
    const credentials: Record<string, Record<string, string>> = {
      none: {},
      "another account's admin": bearer(outsider.token),
      "a revoked token": bearer(revoked.token),
      "an expired token": bearer(expired.token),
      "another chatbot's API key": { "x-api-key": otherKey.key },
      garbage: bearer("bga_nope"),
      "an oversized key": { "x-api-key": "x".repeat(300) },
    };
    for (const [label, headers] of Object.entries(credentials)) {
      const unknown = await unknownAnswer(headers);
      expect(unknown.status, label).toBe(404);
      expect(await get(path(ownBot.hashedId), headers), label).toEqual(unknown);
    }
  });
});
