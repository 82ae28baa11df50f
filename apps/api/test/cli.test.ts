// The operator CLI while the API holds the embedded database (as under `npm run dev`): the
// command runs inside that API on its one connection, and its result works against it.
import { existsSync, readFileSync } from "node:fs";
import type { AppRouter } from "@botgate/api";
import { createDatabaseClient } from "@botgate/db";
import { createTestDatabase } from "@botgate/db/testing";
import { createTRPCClient, httpLink } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddedDatabaseNodeFlags } from "../../../scripts/embedded-node.mjs";
import { printedJson, type RunningApi, runCli, startApiProcess } from "./running-api.ts";

let api: RunningApi;

beforeAll(async () => {
  api = await startApiProcess();
}, 180_000);

afterAll(async () => {
  await api?.stop();
  await api?.cleanUp();
});

const clientWith = (token: string) =>
  createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${api.operator.url}/trpc`,
        transformer: superjson,
        headers: { authorization: `Bearer ${token}` },
      }),
    ],
  });

describe("the operator CLI while the API holds the embedded database", { timeout: 120_000 }, () => {
  let account: { accountNumber: string; username: string; token: string };

  it("runs the API on a Node without V8's memory-protection-key code pages, which PGlite can crash", () => {
    const commandLine = readFileSync(`/proc/${api.operator.pid}/cmdline`, "utf8").split("\0");
    expect(commandLine).toEqual(expect.arrayContaining(embeddedDatabaseNodeFlags));
  });

  it("bootstraps an account whose admin token the running API accepts", async () => {
    const run = await runCli(api.dataDir, ["bootstrap", "--json", "--username", "opsadmin"]);
    expect(run.code, run.stderr).toBe(0);
    account = printedJson(run) as typeof account;
    expect(account).toMatchObject({ username: "opsadmin", token: expect.any(String) });
    expect(await clientWith(account.token).account.me.query()).toMatchObject({ username: "opsadmin" });
  });

  it("adds a member with a token through the same API", async () => {
    const member = await runCli(api.dataDir, [
      "member",
      "add",
      "--account",
      account.accountNumber,
      "--username",
      "opsmember",
      "--json",
    ]);
    expect(member.code, member.stderr).toBe(0);
    const { token } = printedJson(member) as { token: string };
    expect(await clientWith(token).account.me.query()).toMatchObject({ username: "opsmember" });
  });

  it("answers the API's errors as the CLI's own: a typed code and message, exit 1", async () => {
    const run = await runCli(api.dataDir, [
      "member",
      "add",
      "--account",
      "0000000",
      "--username",
      "x",
      "--json",
    ]);
    expect(run.code).toBe(1);
    expect(printedJson(run)).toEqual({ error: { code: "NOT_FOUND", message: "no account 0000000" } });
  });

  it("connects to DATABASE_URL directly when one is set, whatever runs on the embedded database", async () => {
    const database = await createTestDatabase();
    const db = createDatabaseClient(database.url, { maxConnections: database.maxConnections });
    try {
      const run = await runCli(api.dataDir, ["bootstrap", "--json", "--username", "direct"], {
        DATABASE_URL: database.url,
      });
      expect(run.code, run.stderr).toBe(0);
      const { accountNumber } = printedJson(run) as { accountNumber: string };
      expect(await db.account.count({ where: { accountNumber } })).toBe(1);
    } finally {
      await db.$disconnect();
      await database.close();
    }
  });

  it("explains why migrate must wait instead of opening a second connection", async () => {
    const run = await runCli(api.dataDir, ["migrate", "--json"]);
    expect(run.code).toBe(1);
    expect(printedJson(run)).toMatchObject({
      error: { code: "CONFLICT", message: expect.stringMatching(/running API holds the embedded database/) },
    });
  });

  it("opens the embedded database itself once the API has stopped, which removed operator.json", async () => {
    expect(await api.stop()).toBe(0);
    expect(existsSync(api.operatorFile)).toBe(false);
    const run = await runCli(api.dataDir, [
      "token",
      "create",
      "--account",
      account.accountNumber,
      "--username",
      "opsadmin",
      "--json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(printedJson(run)).toMatchObject({ token: expect.any(String) });
  });
});
