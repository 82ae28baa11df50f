import { addMember } from "@botgate/api";
import { hashedId } from "@botgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  adminClient,
  createAccount,
  createMember,
  deployAndWait,
  expectTRPCError,
  startTestServer,
  type TestServer,
  type TestUser,
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

const API_DOMAIN = "api.local.botgate.localhost";
const PLATFORM_URL = "http://platform.local.botgate.localhost";

const everyField = {
  name: "supportBot",
  description: "Answers support questions",
  version: "2.3.4",
  annotations: { team: "support", priority: 2, public: true, retired: null },
  tags: ["support", "faq"],
  provider: "echo",
  defaultModel: "gpt-4o-mini",
  defaultSystemRole: "You are helpful.",
  defaultTemperature: 0.7,
  defaultMaxTokens: 512,
  appName: "Support",
  appAssistant: "Sam",
  appWelcomeMessage: "Hi!",
  appExamplePrompts: ["How do I reset my password?", "Where is my order?"],
  appPlaceholder: "Ask me anything",
  appInfoUrl: "https://example.com/info",
  appBackgroundImageUrl: "https://example.com/bg.png",
  appLogoUrl: "http://example.com/logo.png",
  appFileAttachment: true,
};

describe("chatbot.create and chatbot.get", () => {
  it("stores every seed field and answers every derived property", async () => {
    const created = await admin.client.chatbot.create.mutate(everyField);
    const { tags, ...fields } = everyField;
    expect(created).toMatchObject(fields);
    expect(created.tags).toEqual([...tags].sort());
    const hashed = hashedId(created.id);
    const defaultHost = `supportbot.${admin.accountNumber}.${API_DOMAIN}`;
    expect(created).toMatchObject({
      deployed: false,
      dnsVerificationStatus: "Not Verified",
      tlsCertificateIssuanceStatus: "No Certificate",
      owner: { userProfileId: admin.userProfileId, username: admin.username, isAccountAdmin: true },
      rfc1034CompliantName: "supportbot",
      hashedId: hashed,
      defaultHost,
      defaultUrl: `http://${defaultHost}`,
      customHost: null,
      customUrl: null,
      sandboxHost: "platform.local.botgate.localhost",
      sandboxUrl: `${PLATFORM_URL}/workbench/chatbots/${hashed}/`,
      hostname: "platform.local.botgate.localhost",
      url: `${PLATFORM_URL}/workbench/chatbots/${hashed}/`,
      urlChatbot: `http://${API_DOMAIN}/api/v1/chatbots/${hashed}/chat/`,
      urlChatConfig: `http://${API_DOMAIN}/api/v1/chatbots/${hashed}/config/`,
      ready: true,
      apiKeyRequired: false,
    });
    expect(await admin.client.chatbot.get.query({ id: created.id })).toEqual(created);
  });

  it("applies the seed's defaults to a chatbot created with a name only", async () => {
    const created = await admin.client.chatbot.create.mutate({ name: "minimal" });
    expect(created).toMatchObject({
      version: "1.0.0",
      provider: "openai",
      description: "",
      annotations: {},
      tags: [],
      appExamplePrompts: [],
      defaultTemperature: null,
      customDomainId: null,
    });
  });

  it("records a chatbot.created event", async () => {
    const created = await admin.client.chatbot.create.mutate({ name: "audited" });
    const events = await server.runtime.db.chatBotEvent.findMany({ where: { chatbotId: created.id } });
    expect(events.map((e) => e.type)).toEqual(["chatbot.created"]);
  });

  it("names a member's chatbot name.username in its hosts", async () => {
    const member = await createMember(server, admin.accountNumber, { username: "jane_doe" });
    const created = await member.client.chatbot.create.mutate({ name: "myBot" });
    expect(created.rfc1034CompliantName).toBe(`mybot.${member.username.replace("_", "-")}`);
    expect(created.defaultHost).toBe(`${created.rfc1034CompliantName}.${admin.accountNumber}.${API_DOMAIN}`);
  });
});

describe("chatbot input validation", () => {
  it("answers BAD_REQUEST with a message per invalid field", async () => {
    const error = await expectTRPCError(
      admin.client.chatbot.create.mutate({
        name: "1 bad name",
        version: "1.0",
        defaultTemperature: 2.5,
        defaultMaxTokens: 0,
        appInfoUrl: "javascript:alert(1)",
        appLogoUrl: "not a url",
        appExamplePrompts: ["ok", "x".repeat(300)],
        tags: ["   "],
        provider: "Open AI",
      }),
      "BAD_REQUEST",
    );
    expect(Object.keys(error.data?.fieldErrors ?? {}).sort()).toEqual([
      "appExamplePrompts",
      "appInfoUrl",
      "appLogoUrl",
      "defaultMaxTokens",
      "defaultTemperature",
      "name",
      "provider",
      "tags",
      "version",
    ]);
    expect(error.data?.fieldErrors?.name).toEqual(["A chatbot name must start with a letter."]);
    expect(error.data?.fieldErrors?.version?.[0]).toMatch(/MAJOR\.MINOR\.PATCH/);
  });

  it("rejects unknown fields instead of ignoring them", async () => {
    const error = await expectTRPCError(
      admin.client.chatbot.create.mutate({ name: "typo", descripton: "x" } as never),
      "BAD_REQUEST",
    );
    expect(error.data?.formErrors?.[0]).toMatch(/descripton/);
  });
});

describe("chatbot names and hosts", () => {
  it("refuses a second chatbot with the same name for one owner (CONFLICT)", async () => {
    await admin.client.chatbot.create.mutate({ name: "twin" });
    const error = await expectTRPCError(admin.client.chatbot.create.mutate({ name: "twin" }), "CONFLICT");
    expect(error.data?.fieldErrors?.name).toHaveLength(1);
  });

  it("refuses a name whose default host would collide with another chatbot of the account", async () => {
    const otherAdmin = await createMember(server, admin.accountNumber, {
      username: "boss",
      isAccountAdmin: true,
    });
    await admin.client.chatbot.create.mutate({ name: "salesBot" });
    // Two admins: both chatbots would be salesbot.<account>.<api domain>.
    const error = await expectTRPCError(
      otherAdmin.client.chatbot.create.mutate({ name: "SalesBot" }),
      "CONFLICT",
    );
    const host = `salesbot.${admin.accountNumber}.api.local.botgate.localhost`;
    expect(error.message).toContain(host);
    expect(error.data?.fieldErrors?.name?.[0]).toContain(host);
  });

  it("refuses a chatbot of a member whose username sanitizes like another member's, on the same name", async () => {
    // Both would be helper.mr-x.<account>.<api domain>.
    const [first, second] = await Promise.all(
      ["mr_x", "mr.x"].map(async (username) => {
        const member = await addMember(server.runtime.db, { accountNumber: admin.accountNumber, username });
        return adminClient(server, { token: member.token });
      }),
    );
    const created = await first!.chatbot.create.mutate({ name: "helper" });
    expect(created.rfc1034CompliantName).toBe("helper.mr-x");
    await expectTRPCError(second!.chatbot.create.mutate({ name: "helper" }), "CONFLICT");
  });

  it("refuses a rename into another chatbot's host name, and allows a case-only rename of itself", async () => {
    await admin.client.chatbot.create.mutate({ name: "alpha" });
    const beta = await admin.client.chatbot.create.mutate({ name: "beta" });
    await expectTRPCError(admin.client.chatbot.update.mutate({ id: beta.id, name: "Alpha" }), "CONFLICT");
    const renamed = await admin.client.chatbot.update.mutate({ id: beta.id, name: "Beta" });
    expect(renamed.name).toBe("Beta");
  });

  it("lets different accounts use the same chatbot name", async () => {
    const other = await createAccount(server);
    await admin.client.chatbot.create.mutate({ name: "shared" });
    const theirs = await other.client.chatbot.create.mutate({ name: "shared" });
    expect(theirs.defaultHost).toBe(`shared.${other.accountNumber}.${API_DOMAIN}`);
  });
});

describe("chatbot.list", () => {
  let owner: TestUser;
  let ids: number[];

  beforeAll(async () => {
    owner = await createAccount(server, "lister");
    ids = [];
    for (const [name, tags] of [
      ["orderHelp", ["shop"]],
      ["refundHelp", ["shop", "money"]],
      ["weather", []],
      ["orderStatus", ["shop"]],
      ["jokes", ["fun"]],
    ] as const) {
      ids.push((await owner.client.chatbot.create.mutate({ name, tags: [...tags] })).id);
    }
    await deployAndWait(owner.client, ids[2]!);
  });

  it("pages through every chatbot in id order with a cursor", async () => {
    const seen: number[] = [];
    let cursor: number | undefined;
    let pages = 0;
    do {
      const page = await owner.client.chatbot.list.query({
        limit: 2,
        ...(cursor === undefined ? {} : { cursor }),
      });
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor !== undefined);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
  });

  it("answers list items with the same derived properties as chatbot.get", async () => {
    const { items } = await owner.client.chatbot.list.query();
    expect(items[2]).toEqual(await owner.client.chatbot.get.query({ id: ids[2]! }));
  });

  it("filters by deployed, mode, tag and name", async () => {
    const names = async (input: Parameters<typeof owner.client.chatbot.list.query>[0]) =>
      (await owner.client.chatbot.list.query(input)).items.map((c) => c.name);
    expect(await names({ deployed: true })).toEqual(["weather"]);
    expect(await names({ deployed: false })).toHaveLength(4);
    expect(await names({ mode: "default" })).toEqual(["weather"]);
    expect(await names({ mode: "sandbox" })).toHaveLength(4);
    expect(await names({ mode: "custom" })).toEqual([]);
    expect(await names({ tag: "shop" })).toEqual(["orderHelp", "refundHelp", "orderStatus"]);
    expect(await names({ search: "ORDER" })).toEqual(["orderHelp", "orderStatus"]);
    expect(await names({ search: "order", tag: "shop", limit: 1 })).toEqual(["orderHelp"]);
  });

  it("matches search text literally, never as a LIKE pattern", async () => {
    expect((await owner.client.chatbot.list.query({ search: "%" })).items).toEqual([]);
    expect((await owner.client.chatbot.list.query({ search: "order_elp" })).items).toEqual([]);
  });
});

describe("chatbot.update and chatbot.delete", () => {
  it("updates the given fields only and replaces tags", async () => {
    const created = await admin.client.chatbot.create.mutate({ ...everyField, name: "editable" });
    const updated = await admin.client.chatbot.update.mutate({
      id: created.id,
      description: "new",
      tags: ["fresh"],
      defaultTemperature: null,
    });
    expect(updated).toMatchObject({
      description: "new",
      tags: ["fresh"],
      defaultTemperature: null,
      appName: "Support",
    });
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
  });

  it("deletes a chatbot: it is gone and the deletion is recorded", async () => {
    const created = await admin.client.chatbot.create.mutate({ name: "doomed" });
    expect(await admin.client.chatbot.delete.mutate({ id: created.id })).toEqual({ id: created.id });
    await expectTRPCError(admin.client.chatbot.get.query({ id: created.id }), "NOT_FOUND");
    await expectTRPCError(admin.client.chatbot.delete.mutate({ id: created.id }), "NOT_FOUND");
    const events = await server.runtime.db.chatBotEvent.findMany({
      where: { accountId: admin.accountId, type: "chatbot.deleted" },
    });
    expect(events.map((e) => e.data)).toContainEqual(
      expect.objectContaining({ chatbotId: created.id, name: "doomed" }),
    );
  });
});

describe("chatbot.deploy and chatbot.undeploy", () => {
  it("deploys through the job: in progress at once, then DNS Verified, TLS Issued, ready, with events", async () => {
    const created = await admin.client.chatbot.create.mutate({ name: "deployMe" });
    const started = await admin.client.chatbot.deploy.mutate({ id: created.id });
    expect(started).toMatchObject({ deployed: true, dnsVerificationStatus: "Verifying", ready: false });
    const deployed = await deployAndWait(admin.client, created.id);
    expect(deployed).toMatchObject({
      provisioning: "local",
      deployed: true,
      dnsVerificationStatus: "Verified",
      tlsCertificateIssuanceStatus: "Issued",
      ready: true,
      mode: "default",
      hostname: deployed.defaultHost,
      url: deployed.defaultUrl,
    });
    const events = await server.runtime.db.chatBotEvent.findMany({
      where: { chatbotId: created.id },
      orderBy: { id: "asc" },
    });
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ["chatbot.created", expect.anything()],
      ["deployment.started", { by: admin.username }],
      ["dns.status_changed", { from: "Not Verified", to: "Verifying" }],
      ["tls.status_changed", { from: "No Certificate", to: "Requested" }],
      ["tls.status_changed", { from: "Requested", to: "Issued" }],
      ["dns.status_changed", { from: "Verifying", to: "Verified" }],
    ]);
  });

  it("answers the current state when deploying a deployed chatbot, without a second deployment", async () => {
    const created = await admin.client.chatbot.create.mutate({ name: "deployTwice" });
    const first = await deployAndWait(admin.client, created.id);
    const second = await admin.client.chatbot.deploy.mutate({ id: created.id });
    expect(second).toEqual(first);
    const started = await server.runtime.db.chatBotEvent.count({
      where: { chatbotId: created.id, type: "deployment.started" },
    });
    expect(started).toBe(1);
  });

  it("undeploys: not deployed, DNS Not Verified, back in the sandbox, with events", async () => {
    const created = await admin.client.chatbot.create.mutate({ name: "undeployMe" });
    await deployAndWait(admin.client, created.id);
    const undeployed = await admin.client.chatbot.undeploy.mutate({ id: created.id });
    expect(undeployed).toMatchObject({
      deployed: false,
      dnsVerificationStatus: "Not Verified",
      tlsCertificateIssuanceStatus: "Issued",
      mode: "sandbox",
      live: false,
    });
    const types = await server.runtime.db.chatBotEvent.findMany({
      where: { chatbotId: created.id },
      orderBy: { id: "asc" },
      select: { type: true, data: true },
    });
    expect(types.slice(-2)).toEqual([
      { type: "deployment.stopped", data: { by: admin.username } },
      { type: "dns.status_changed", data: { from: "Verified", to: "Not Verified" } },
    ]);
    // Undeploying again changes nothing and records nothing.
    await admin.client.chatbot.undeploy.mutate({ id: created.id });
    expect(await server.runtime.db.chatBotEvent.count({ where: { chatbotId: created.id } })).toBe(
      types.length,
    );
  });
});

describe("ownership within an account", () => {
  it("shows members only their own chatbots and account admins all of them", async () => {
    const boss = await createAccount(server, "team");
    const ann = await createMember(server, boss.accountNumber, { username: "ann" });
    const bob = await createMember(server, boss.accountNumber, { username: "bob" });
    const annBot = await ann.client.chatbot.create.mutate({ name: "annBot" });
    const bobBot = await bob.client.chatbot.create.mutate({ name: "bobBot" });
    const bossBot = await boss.client.chatbot.create.mutate({ name: "bossBot" });
    expect((await ann.client.chatbot.list.query()).items.map((c) => c.id)).toEqual([annBot.id]);
    expect((await boss.client.chatbot.list.query()).items.map((c) => c.id)).toEqual([
      annBot.id,
      bobBot.id,
      bossBot.id,
    ]);
    // The admin manages a member's chatbot; the owner stays the member.
    const edited = await boss.client.chatbot.update.mutate({ id: annBot.id, description: "by the boss" });
    expect(edited.owner.username).toBe(ann.username);
  });
});
