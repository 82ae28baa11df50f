// A suspended account stops serving through the real stack (PostgreSQL, Redis behind the
// Upstash endpoint, the HTTP origin): its routes are tombstoned in Redis, /internal/resolve
// and the origin answer as for an unknown target, its API keys and admin tokens are refused.
// Reactivation republishes every route (write-through both ways).
import { randomBytes } from "node:crypto";
import {
  buildRouteRecord,
  type RoutingServices,
  reactivateAccount,
  routeRowSelect,
  suspendAccount,
} from "@botgate/api";
import { ROUTE_TTL } from "@botgate/cache";
import { NEGATIVE_ROUTE, type RouteTarget, routeKey } from "@botgate/core";
import { signForwardedRequest } from "@botgate/forwarding";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createAccount,
  deployAndWait,
  expectTRPCError,
  resolveAsEdge,
  startTestServer,
  type TestServer,
  type TestUser,
} from "./harness.ts";

let server: TestServer;
let services: RoutingServices;

beforeAll(async () => {
  server = await startTestServer();
  const { db, routes, config } = server.runtime;
  services = { db, routes, config, logger: console };
});
afterAll(async () => {
  await server?.close();
});

const name = () => `bot${randomBytes(4).toString("hex")}`;

/** An account with a deployed chatbot (with an API key) and an undeployed one. */
async function tenant() {
  const admin = await createAccount(server, "tenant");
  const live = await admin.client.chatbot.create.mutate({ name: name(), provider: "echo" });
  const deployed = await deployAndWait(admin.client, live.id);
  const key = await admin.client.apiKey.create.mutate({ chatbotId: live.id });
  const draft = await admin.client.chatbot.create.mutate({ name: name() });
  const targets: RouteTarget[] = [
    { kind: "host", host: deployed.defaultHost },
    { kind: "id", id: live.id },
    { kind: "id", id: draft.id },
  ];
  return { admin, live, draft, key: key.key, targets };
}

async function resolve(target: RouteTarget) {
  return (
    await resolveAsEdge(server, target.kind === "host" ? `host:${target.host}` : `id:${target.id}`)
  ).json();
}

async function recordOf(id: number) {
  const row = await server.runtime.db.chatBot.findUniqueOrThrow({ where: { id }, select: routeRowSelect });
  return buildRouteRecord(row, server.runtime.config);
}

async function config(id: number | string, headers: Record<string, string>) {
  const response = await fetch(`${server.url}/api/v1/chatbots/${id}/config/`, { headers });
  const body = (await response.json()) as { error?: { code: string; message: string } };
  return {
    status: response.status,
    error: body.error && { code: body.error.code, message: body.error.message },
  };
}

const UNKNOWN = { status: 404, error: { code: "NOT_FOUND", message: "No chatbot answers at this address." } };

async function expectServing(t: Awaited<ReturnType<typeof tenant>>) {
  for (const target of t.targets) {
    const expected = await recordOf(target.kind === "id" ? target.id : t.live.id);
    expect(await server.redis.get(routeKey(target)), routeKey(target)).toEqual(expected);
    expect(await resolve(target)).toEqual(expected);
  }
  expect((await config(t.live.hashedId, { "x-api-key": t.key })).status).toBe(200);
  expect((await config(t.draft.hashedId, { authorization: `Bearer ${t.admin.token}` })).status).toBe(200);
  await t.admin.client.account.me.query();
}

describe("suspendAccount", () => {
  it("tombstones every route of the account's chatbots and answers them like unknown ones", async () => {
    const t = await tenant();
    await expectServing(t);

    expect(await suspendAccount(services, t.admin.accountNumber)).toEqual({
      accountNumber: t.admin.accountNumber,
      isActive: false,
      chatbots: 2,
    });
    for (const target of t.targets) {
      const key = routeKey(target);
      expect(await server.redis.get(key), key).toEqual(NEGATIVE_ROUTE);
      expect(await server.redis.ttl(key)).toBeLessThanOrEqual(ROUTE_TTL.tombstoneSeconds);
      // The edge's last tier agrees, and its refill cannot bring the route back.
      expect(await resolve(target)).toEqual(NEGATIVE_ROUTE);
    }
    // Those lookups refilled with SET NX: the tombstones stay.
    expect(await server.redis.get(routeKey(t.targets[0]!))).toEqual(NEGATIVE_ROUTE);
  });

  it("refuses the account's API keys and admin tokens at the origin and the admin API", async () => {
    const t = await tenant();
    await suspendAccount(services, t.admin.accountNumber);
    expect(await config(t.live.hashedId, { "x-api-key": t.key })).toEqual(UNKNOWN);
    expect(await config(t.live.id, { authorization: `Bearer ${t.key}` })).toEqual(UNKNOWN);
    expect(await config(t.draft.hashedId, { authorization: `Bearer ${t.admin.token}` })).toEqual(UNKNOWN);
    await expectTRPCError(t.admin.client.account.me.query(), "UNAUTHORIZED");
  });

  it("answers an edge forward on the public host like an unknown host, even from a record cached before", async () => {
    const t = await tenant();
    const record = await recordOf(t.live.id);
    await suspendAccount(services, t.admin.accountNumber);
    // The edge still holds the record for a few seconds (its isolate cache) and forwards.
    const path = `/api/v1/chatbots/${record.hashedId}/config/`;
    const headers = await signForwardedRequest(
      server.runtime.edgeSecret,
      { method: "GET", path, headers: new Headers({ "x-api-key": t.key }), body: new Uint8Array() },
      {
        chatbotId: String(record.chatbotId),
        mode: "default",
        accountNumber: record.accountNumber,
        requestId: "req-suspended",
        clientIp: "203.0.113.7",
      },
    );
    const response = await fetch(`${server.url}${path}`, { headers: { ...headers, "x-api-key": t.key } });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
      UNKNOWN.error.message,
    );
  });

  it("answers NOT_FOUND for an account that does not exist", async () => {
    await expect(suspendAccount(services, "0000-0000-0000")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("reactivateAccount", () => {
  it("republishes every route at once, replacing the tombstones, and serves again", async () => {
    const t = await tenant();
    const before = await recordOf(t.live.id);
    await suspendAccount(services, t.admin.accountNumber);
    expect(await reactivateAccount(services, t.admin.accountNumber)).toMatchObject({
      isActive: true,
      chatbots: 2,
    });
    await expectServing(t);
    // A newer version than anything cached before the suspension.
    expect((await recordOf(t.live.id)).version).toBeGreaterThan(before.version);
    const events = await server.runtime.db.chatBotEvent.findMany({
      where: { accountId: t.admin.accountId, type: { startsWith: "account." } },
      orderBy: { id: "asc" },
    });
    expect(events.map((e) => e.type)).toEqual(["account.suspended", "account.reactivated"]);
  });

  it("leaves other accounts alone", async () => {
    const suspended = await tenant();
    const bystander: TestUser = await createAccount(server, "bystander");
    const bot = await bystander.client.chatbot.create.mutate({ name: name() });
    await suspendAccount(services, suspended.admin.accountNumber);
    expect(await resolve({ kind: "id", id: bot.id })).toMatchObject({ found: true, chatbotId: bot.id });
    await bystander.client.account.me.query();
    await reactivateAccount(services, suspended.admin.accountNumber);
  });
});
