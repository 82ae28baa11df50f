// backfillHostLabels(): the API start-up step that gives chatbots from before hostLabel existed
// their stored label (and, through the trigger, their custom host), idempotently, and settles
// old rows that used to share a host: the older chatbot keeps it.
import { randomBytes } from "node:crypto";
import { backfillHostLabels } from "@botgate/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, startTestServer, type TestServer, verifiedDomainRow } from "./harness.ts";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const services = () => ({ ...server.runtime, logger: { warn() {}, error() {} } });

describe("backfillHostLabels", () => {
  it("labels unlabelled chatbots, fills their custom hosts, settles old clashes, and is idempotent", async () => {
    const db = server.runtime.db;
    const admin = await createAccount(server);
    const domainName = `${randomBytes(4).toString("hex")}.example.com`;
    const domain = await verifiedDomainRow(server, admin, domainName);
    const plain = await admin.client.chatbot.create.mutate({ name: "plain", customDomainId: domain.id });
    const older = await admin.client.chatbot.create.mutate({ name: "twin" });
    const newer = await admin.client.chatbot.create.mutate({ name: "twinToBe" });
    await admin.client.chatbot.deploy.mutate({ id: older.id });
    await admin.client.chatbot.deploy.mutate({ id: newer.id });
    // Rows as the migration leaves them; `newer` renamed behind the API's back into the host
    // `older` has, as the old code allowed.
    const ids = [plain.id, older.id, newer.id];
    await db.$executeRaw`UPDATE "ChatBot" SET "hostLabel" = NULL WHERE "id" = ANY(${ids})`;
    await db.$executeRaw`UPDATE "ChatBot" SET "name" = 'Twin' WHERE "id" = ${newer.id}`;
    expect((await db.chatBot.findUniqueOrThrow({ where: { id: plain.id } })).customHost).toBeNull();

    const result = await backfillHostLabels(services());
    expect(result.conflicts).toEqual([newer.id]);
    const rows = await db.chatBot.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.hostLabel, r.customHost, r.deployed])).toEqual([
      ["plain", `plain.${domainName}`, false],
      ["twin", null, true],
      [null, null, false],
    ]);
    const events = await db.chatBotEvent.findMany({
      where: { chatbotId: newer.id, type: "deployment.stopped" },
    });
    expect(events.map((e) => e.data)).toContainEqual(expect.objectContaining({ reason: "host_conflict" }));

    expect(await backfillHostLabels(services())).toEqual({ labelled: 0, conflicts: [newer.id] });
    expect(await db.chatBotEvent.count({ where: { chatbotId: newer.id, type: "deployment.stopped" } })).toBe(
      events.length,
    );
    // Renaming the loser gives it a label again.
    const renamed = await admin.client.chatbot.update.mutate({ id: newer.id, name: "twinTwo" });
    expect(renamed.rfc1034CompliantName).toBe("twintwo");
    expect((await db.chatBot.findUniqueOrThrow({ where: { id: newer.id } })).hostLabel).toBe("twintwo");
  });
});
