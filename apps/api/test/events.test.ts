import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, createMember, startTestServer, type TestServer, type TestUser } from "./harness.ts";

let server: TestServer;
let admin: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  admin = await createAccount(server);
});
afterAll(async () => {
  await server?.close();
});

describe("chatbot.events", () => {
  it("pages through a chatbot's events newest first, each with old → new and time", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "eventful" });
    await admin.client.chatbot.deploy.mutate({ id: bot.id });
    await admin.client.chatbot.undeploy.mutate({ id: bot.id });
    const all = await server.runtime.db.chatBotEvent.findMany({
      where: { chatbotId: bot.id },
      orderBy: { id: "desc" },
    });
    expect(all.length).toBeGreaterThanOrEqual(3);

    const seen: number[] = [];
    let cursor: number | undefined;
    do {
      const page = await admin.client.chatbot.events.query({ id: bot.id, limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toEqual(all.map((e) => e.id));

    const page = await admin.client.chatbot.events.query({ id: bot.id, limit: 100 });
    for (const event of page.items) {
      expect(event.chatbotId).toBe(bot.id);
      expect(event.createdAt).toBeInstanceOf(Date);
    }
    const statusChange = page.items.find((e) => e.type === "dns.status_changed");
    expect(statusChange).toMatchObject({ from: expect.any(String), to: expect.any(String) });
  });

  it("shows a member their own chatbot's events", async () => {
    const member = await createMember(server, admin.accountNumber);
    const bot = await member.client.chatbot.create.mutate({ name: "mine" });
    const page = await member.client.chatbot.events.query({ id: bot.id });
    expect(page.items.map((e) => e.type)).toContain("chatbot.created");
  });
});

describe("domain.events", () => {
  it("answers a domain's events with the reason of each failure", async () => {
    const domain = await admin.client.domain.create.mutate({ domainName: "events-shop.com" });
    await server.runtime.db.chatBotEvent.create({
      data: {
        accountId: admin.accountId,
        customDomainId: domain.id,
        type: "domain.status_changed",
        data: { from: "AwaitingDns", to: "Failed", reason: "The certificate could not be issued." },
      },
    });
    const page = await admin.client.domain.events.query({ id: domain.id });
    expect(page.nextCursor).toBeNull();
    // Not necessarily the newest: the domain's own provisioning job may write its next
    // status change after the insert above (it did on a loaded machine).
    expect(page.items).toContainEqual(
      expect.objectContaining({
        type: "domain.status_changed",
        from: "AwaitingDns",
        to: "Failed",
        reason: "The certificate could not be issued.",
        customDomainId: domain.id,
      }),
    );
    expect(page.items.map((e) => e.type)).toContain("domain.created");
  });
});
