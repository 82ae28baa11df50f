// Routing cannot be steered by the client: only the request's own host counts, custom
// domains route only while verified, and no chatbot answers under another account's number,
// even when the cache holds a forged or stale record.
import { type RouteRecord, routeKey } from "@botgate/core";
import { Redis } from "@upstash/redis/cloudflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  type Chatbot,
  control,
  createChatbot,
  edge,
  eventually,
  expectError,
  L1_TTL_MS,
  newAccount,
  PLATFORM_HOST,
  sandboxPath,
  TTL_MARGIN_MS,
  trpc,
  UPSTASH,
  uniqueName,
} from "./helpers.ts";

const redis = new Redis({ url: UPSTASH.url, token: UPSTASH.token, enableTelemetry: false });
const forgedKeys: string[] = [];

let alice: Account;
let bob: Account;
let aliceBot: Chatbot;

beforeAll(async () => {
  [alice, bob] = await Promise.all([newAccount(), newAccount()]);
  aliceBot = await createChatbot(alice);
});

afterAll(async () => {
  if (forgedKeys.length > 0) await redis.del(...forgedKeys);
});

/** Plants a record in Redis, as a compromised or buggy writer could. */
async function plant(host: string, record: RouteRecord): Promise<void> {
  const key = routeKey({ kind: "host", host });
  forgedKeys.push(key);
  await redis.set(key, JSON.stringify(record), { ex: 60 });
}

async function recordOf(chatbot: Chatbot): Promise<RouteRecord> {
  const record = await redis.get<RouteRecord>(routeKey({ kind: "host", host: chatbot.defaultHost }));
  if (record === null) throw new Error("no record");
  return record;
}

describe("the host that routes", () => {
  it("ignores X-Forwarded-Host, Forwarded and similar headers", async () => {
    const steering = {
      "x-forwarded-host": aliceBot.defaultHost,
      forwarded: `host=${aliceBot.defaultHost}`,
      "x-host": aliceBot.defaultHost,
      "x-original-host": aliceBot.defaultHost,
      "x-original-url": `http://${aliceBot.defaultHost}/config/`,
      "x-rewrite-url": `http://${aliceBot.defaultHost}/config/`,
    };
    const unknownHost = `${uniqueName("nobody")}.example.org`;
    await expectError(await edge(`http://${unknownHost}/config/`, { headers: steering }), 404, "NOT_FOUND");
    const back = { "x-forwarded-host": unknownHost, forwarded: `host=${unknownHost}` };
    expect((await edge(`http://${aliceBot.defaultHost}/config/`, { headers: back })).status).toBe(200);
  });

  it("refuses a Host header that disagrees with the request target instead of choosing one", async () => {
    const request = new Request(`http://${aliceBot.defaultHost}/config/`, {
      headers: { host: "evil.example.org" },
    });
    await expectError(await edge(request), 400, "INVALID_HOST");
    const reverse = new Request("http://evil.example.org/config/", {
      headers: { host: aliceBot.defaultHost },
    });
    await expectError(await edge(reverse), 400, "INVALID_HOST");
  });

  it("answers 400 for hosts that are not names", async () => {
    for (const host of ["127.0.0.1", "[::1]", "10.0.0.1:8787", "0x7f.1"]) {
      await expectError(await edge(`http://${host}/`), 400, "INVALID_HOST");
    }
  });

  it("refuses encoded separators and dot-segments in chatbot paths", async () => {
    // (A plain or %2e-encoded "../" never arrives: URL parsing resolves it on the same host.)
    for (const path of ["%2Fconfig%2F", "..%2Fconfig/", "config%5C", "%2e%2e%2Fconfig/"]) {
      await expectError(await edge(`http://${aliceBot.defaultHost}/${path}`), 400, "BAD_REQUEST");
    }
  });
});

describe("accounts", () => {
  it("never reach a chatbot under another account's number", async () => {
    const underBob = aliceBot.defaultHost.replace(alice.accountNumber, bob.accountNumber);
    await expectError(await edge(`http://${underBob}/config/`), 404, "NOT_FOUND");
  });

  it("ignore a record planted under another account's host (modeFor checks the record's own host)", async () => {
    const underBob = aliceBot.defaultHost.replace(alice.accountNumber, bob.accountNumber);
    await plant(underBob, await recordOf(aliceBot));
    await expectError(await edge(`http://${underBob}/`), 404, "NOT_FOUND");
    await expectError(await edge(`http://${underBob}/config/`), 404, "NOT_FOUND");
  });

  it("ignore a record that claims the right host under the wrong account number", async () => {
    const bobBot = await createChatbot(bob);
    const record = await recordOf(aliceBot);
    const forged = {
      ...record,
      defaultHost: bobBot.defaultHost.replace(bobBot.name.toLowerCase(), "forged"),
    };
    const host = forged.defaultHost;
    await plant(host, { ...forged, accountNumber: alice.accountNumber });
    await expectError(await edge(`http://${host}/config/`), 404, "NOT_FOUND");
  });

  it("refuse a record the origin disagrees with (a signed forward for the wrong account is not answered)", async () => {
    // A consistent forgery (host, account and id all Bob's host but Alice's chatbot id) passes the
    // edge's checks; the origin still compares the signed account number with the database.
    const bobName = uniqueName("victim");
    const host = `${bobName.toLowerCase()}.${bob.accountNumber}.api.local.botgate.localhost`;
    await plant(host, { ...(await recordOf(aliceBot)), defaultHost: host, accountNumber: bob.accountNumber });
    await expectError(await edge(`http://${host}/config/`), 404, "NOT_FOUND");
  });

  it("answer another account's token in the sandbox and on by-id paths like an unknown id", async () => {
    const headers = { authorization: `Bearer ${bob.token}` };
    await expectError(
      await edge(`http://${PLATFORM_HOST}${sandboxPath(aliceBot)}config/`, { headers }),
      404,
      "NOT_FOUND",
    );
    const byId = `http://api.local.botgate.localhost/api/v1/chatbots/${aliceBot.id}/config/`;
    await expectError(await edge(byId, { headers }), 404, "NOT_FOUND");
  });
});

describe("custom domains", () => {
  it("route only while verified: a failed re-verification stops routing within the L1 TTL", async () => {
    const domainName = `${uniqueName("brand")}.example.net`;
    const domain = await control<{ id: number }>("/domains", { ...alice, domainName, isVerified: true });
    const chatbot = await createChatbot(alice, { customDomainId: domain.id });
    const url = `http://${chatbot.customHost}/config/`;
    expect((await edge(url)).status).toBe(200);

    await control(`/domains/${domain.id}/verified`, { isVerified: false });
    const elapsed = await eventually(
      async () => expect((await edge(url)).status).toBe(404),
      L1_TTL_MS + TTL_MARGIN_MS,
    );
    expect(elapsed).toBeLessThanOrEqual(L1_TTL_MS + TTL_MARGIN_MS);
    // The default host is unaffected.
    expect((await edge(`http://${chatbot.defaultHost}/config/`)).status).toBe(200);
  });

  it("do not route through a planted record whose chatbot has no verified custom host", async () => {
    const domainName = `${uniqueName("unverified")}.example.net`;
    const domain = await control<{ id: number }>("/domains", { ...alice, domainName, isVerified: false });
    const chatbot = await createChatbot(alice, { customDomainId: domain.id });
    const host = `${chatbot.name.toLowerCase()}.${domainName}`;
    await plant(host, await recordOf(chatbot));
    await expectError(await edge(`http://${host}/`), 404, "NOT_FOUND");
  });

  it("cannot be claimed by pointing another account's chatbot at it", async () => {
    const domainName = `${uniqueName("taken")}.example.net`;
    const domain = await control<{ id: number }>("/domains", { ...alice, domainName, isVerified: true });
    await expect(
      trpc(bob.token, "chatbot.create", { name: uniqueName(), customDomainId: domain.id }),
    ).rejects.toThrow();
  });
});
