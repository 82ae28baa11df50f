// GET /internal/resolve: what the edge's last tier answers (built by the same functions as
// write-through) and how it refills Redis. Signature refusals are in origin-signature.security.test.ts.
import { randomBytes } from "node:crypto";
import { buildRouteRecord, routeRowSelect } from "@botgate/api";
import { ROUTE_TTL } from "@botgate/cache";
import { NEGATIVE_ROUTE, type RouteTarget, routeKey } from "@botgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createAccount,
  createMember,
  deployAndWait,
  resolveAsEdge,
  startTestServer,
  type TestServer,
  type TestUser,
  verifiedDomainRow,
} from "./harness.ts";

let server: TestServer;
let admin: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  admin = await createAccount(server);
});
afterAll(async () => {
  await server?.close();
});

const targetParam = (target: RouteTarget) =>
  target.kind === "host" ? `host:${target.host}` : `id:${target.id}`;

/** A signed edge lookup, as apps/edge/src/origin.ts sends it. */
function resolve(target: RouteTarget | string): Promise<Response> {
  return resolveAsEdge(server, typeof target === "string" ? target : targetParam(target));
}

async function expectedRecord(id: number) {
  const row = await server.runtime.db.chatBot.findUniqueOrThrow({ where: { id }, select: routeRowSelect });
  return buildRouteRecord(row, server.runtime.config);
}

async function eventually(check: () => Promise<void>, timeoutMs = 2_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

const name = () => `bot${randomBytes(4).toString("hex")}`;

describe("GET /internal/resolve", () => {
  it("answers a deployed chatbot's record by default host and by id, exactly as write-through builds it", async () => {
    const chatbot = await admin.client.chatbot.create.mutate({ name: name() });
    const deployed = await deployAndWait(admin.client, chatbot.id);
    const expected = await expectedRecord(chatbot.id);
    for (const target of [
      { kind: "host", host: deployed.defaultHost },
      { kind: "id", id: chatbot.id },
    ] as const) {
      const response = await resolve(target);
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(await response.json()).toEqual(expected);
    }
    expect(await server.redis.get(routeKey({ kind: "host", host: deployed.defaultHost }))).toEqual(expected);
  });

  it("finds a member's chatbot at <name>.<username>.<account>.<api domain>", async () => {
    const member = await createMember(server, admin.accountNumber);
    const chatbot = await member.client.chatbot.create.mutate({ name: name() });
    const deployed = await deployAndWait(member.client, chatbot.id);
    expect(deployed.defaultHost.split(".")).toHaveLength(1 + 1 + 1 + 4);
    expect(await (await resolve({ kind: "host", host: deployed.defaultHost })).json()).toMatchObject({
      found: true,
      chatbotId: chatbot.id,
    });
  });

  it("finds a chatbot whose host label was shortened", async () => {
    const member = await createMember(server, admin.accountNumber, { username: `u${"x".repeat(60)}` });
    const chatbot = await member.client.chatbot.create.mutate({ name: `Long${"n".repeat(50)}` });
    const deployed = await deployAndWait(member.client, chatbot.id);
    expect(deployed.rfc1034CompliantName).toMatch(/-[0-9a-z]{21}\./);
    expect(await (await resolve({ kind: "host", host: deployed.defaultHost })).json()).toMatchObject({
      found: true,
      chatbotId: chatbot.id,
    });
  });

  it("answers an undeployed chatbot by id (the sandbox) but not by host", async () => {
    const chatbot = await admin.client.chatbot.create.mutate({ name: name() });
    expect(await (await resolve({ kind: "id", id: chatbot.id })).json()).toEqual(
      await expectedRecord(chatbot.id),
    );
    expect(await (await resolve({ kind: "host", host: chatbot.defaultHost })).json()).toEqual(NEGATIVE_ROUTE);
  });

  it("routes a custom host only while its domain is verified", async () => {
    const db = server.runtime.db;
    const domainName = `${randomBytes(4).toString("hex")}.example.com`;
    const domain = await verifiedDomainRow(server, admin, domainName);
    const chatbot = await admin.client.chatbot.create.mutate({ name: name(), customDomainId: domain.id });
    const deployed = await deployAndWait(admin.client, chatbot.id);
    const host = `${deployed.rfc1034CompliantName}.${domainName}`;
    expect(deployed.customHost).toBe(host);
    expect(await (await resolve({ kind: "host", host })).json()).toMatchObject({
      found: true,
      customHost: host,
    });

    await db.chatBotCustomDomain.update({ where: { id: domain.id }, data: { isVerified: false } });
    expect(await (await resolve({ kind: "host", host })).json()).toEqual(NEGATIVE_ROUTE);
  });

  // More chatbots than any page size: a lookup that scans candidates (it took the first 50,
  // in no fixed order) misses some of them; an exact indexed lookup finds each.
  const MANY = 60;

  /** What a finished deployment leaves (the workflow itself is tested above, one chatbot at a time). */
  const markLive = (ids: number[]) =>
    server.runtime.db.chatBot.updateMany({
      where: { id: { in: ids } },
      data: { deployed: true, dnsVerificationStatus: "Verified", tlsCertificateIssuanceStatus: "Issued" },
    });

  it(`resolves every one of ${MANY} deployed chatbots on one verified domain by its custom host`, async () => {
    const domainName = `${randomBytes(4).toString("hex")}.example.com`;
    const domain = await verifiedDomainRow(server, admin, domainName);
    const ids: number[] = [];
    for (let i = 0; i < MANY; i++) {
      const chatbot = await admin.client.chatbot.create.mutate({
        name: `many${i}`,
        customDomainId: domain.id,
      });
      ids.push(chatbot.id);
    }
    await markLive(ids);
    for (const [i, id] of ids.entries()) {
      expect(await (await resolve({ kind: "host", host: `many${i}.${domainName}` })).json()).toMatchObject({
        found: true,
        chatbotId: id,
      });
    }
  });

  it(`resolves every one of ${MANY} long-named chatbots whose shortened labels share a head by default host`, async () => {
    // A 40-character username leaves 31 characters to the name: all these are cut.
    const member = await createMember(server, admin.accountNumber, { username: `w${"x".repeat(39)}` });
    const bots: { id: number; defaultHost: string }[] = [];
    for (let i = 0; i < MANY; i++) {
      bots.push(await member.client.chatbot.create.mutate({ name: `Sharedhead${"h".repeat(30)}${i}` }));
    }
    await markLive(bots.map((b) => b.id));
    expect(new Set(bots.map((b) => b.defaultHost)).size).toBe(MANY);
    for (const bot of bots) {
      expect(await (await resolve({ kind: "host", host: bot.defaultHost })).json()).toMatchObject({
        found: true,
        chatbotId: bot.id,
      });
    }
  });

  it("answers unknown hosts and ids negatively and refills Redis with the negative lifetime", async () => {
    const host = `${name()}.${admin.accountNumber}.api.local.botgate.localhost`;
    for (const target of [
      { kind: "host", host },
      { kind: "host", host: `${name()}.example.org` },
      { kind: "id", id: 2_000_000_000 },
      { kind: "id", id: 9_000_000_000 },
    ] as const) {
      expect(await (await resolve(target)).json()).toEqual(NEGATIVE_ROUTE);
    }
    const key = routeKey({ kind: "host", host });
    await eventually(async () => expect(await server.redis.get(key)).toEqual(NEGATIVE_ROUTE));
    const ttl = await server.redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(ROUTE_TTL.negativeSeconds);
    await server.redis.del(key);
  });

  it("refills with SET NX: a value already in Redis (a write-through) is never replaced", async () => {
    const chatbot = await admin.client.chatbot.create.mutate({ name: name() });
    const key = routeKey({ kind: "id", id: chatbot.id });
    const newer = { ...(await expectedRecord(chatbot.id)), version: Number.MAX_SAFE_INTEGER };
    await server.redis.set(key, JSON.stringify(newer), { ex: 60 });
    await resolve({ kind: "id", id: chatbot.id });
    await new Promise((r) => setTimeout(r, 200));
    expect(await server.redis.get(key)).toEqual(newer);
    await server.redis.del(key);
  });

  it("refuses targets that are not normalized keys", async () => {
    for (const target of [
      "",
      "host:",
      "host:Bot.Example.com",
      "host:bot.example.com:443",
      "host:bot.example.com.",
      "host:127.0.0.1",
      "id:0",
      "id:01",
      "id:-1",
      "id:abc",
      "name:x",
    ]) {
      const response = await resolve(target);
      expect(response.status, target).toBe(400);
      expect((await response.json()) as unknown, target).toMatchObject({ error: { code: "BAD_REQUEST" } });
    }
  });
});
