// The edge never answers for a credential it could not have the origin check, and an id path
// tells a caller without a credential nothing about whether the id exists.
import { hashedId } from "@botgate/core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  API_HOST,
  type Chatbot,
  type ConfigEnvelope,
  createChatbot,
  edge,
  edgeWith,
  expectError,
  newAccount,
  ownUpstreams,
  PLATFORM_HOST,
  resolveCalls,
  sandboxPath,
  trpc,
} from "./helpers.ts";

let account: Account;
let publicBot: Chatbot;
let keyedBot: Chatbot;
let apiKey: string;

beforeAll(async () => {
  account = await newAccount();
  [publicBot, keyedBot] = await Promise.all([createChatbot(account), createChatbot(account)]);
  ({ key: apiKey } = await trpc<{ key: string }>(account.token, "apiKey.create", {
    chatbotId: keyedBot.id,
    name: "outage",
  }));
});

/** A well-formed id no chatbot has (ids are never this large in tests). */
const unknownId = () => 1_500_000_000 + Math.floor(Math.random() * 500_000_000);
const bearer = () => ({ authorization: `Bearer ${account.token}` });

describe("/config/ while the origin is down", () => {
  /** The edge with its own upstreams, the route of each chatbot in its L1, then the origin stopped. */
  async function originDown() {
    const upstreams = await ownUpstreams();
    const call = (url: string, headers: Record<string, string> = {}) =>
      edgeWith(upstreams.bindings, url, { headers });
    for (const chatbot of [publicBot, keyedBot]) {
      expect((await call(`http://${chatbot.defaultHost}/`)).status).toBe(200);
    }
    expect((await call(`http://${PLATFORM_HOST}${sandboxPath(publicBot)}config/`, bearer())).status).toBe(
      200,
    );
    await upstreams.stop("origin");
    return call;
  }

  it("answers a chatbot that needs no credential from its route record", async () => {
    const call = await originDown();
    const response = await call(`http://${publicBot.defaultHost}/config/`);
    expect(response.status).toBe(200);
    expect((await response.json<ConfigEnvelope>()).stale).toBe(true);
  });

  it("answers 503 with Retry-After for an API-key chatbot, whatever key is sent", async () => {
    const call = await originDown();
    for (const key of [apiKey, "not-a-key"]) {
      const response = await call(`http://${keyedBot.defaultHost}/config/`, { "x-api-key": key });
      const error = await expectError(response, 503, "UNAVAILABLE");
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      // Nothing from the route record.
      expect(error.details).toEqual({ retryAfterSeconds: expect.any(Number) });
    }
    // Without a key it is still the edge's 401, as when the origin is up.
    await expectError(await call(`http://${keyedBot.defaultHost}/config/`), 401, "UNAUTHORIZED");
  });

  it("answers 503 in the sandbox and on by-id paths, whatever token is sent", async () => {
    const call = await originDown();
    for (const token of [account.token, "forged"]) {
      const headers = { authorization: `Bearer ${token}` };
      for (const url of [
        `http://${PLATFORM_HOST}${sandboxPath(publicBot)}config/`,
        `http://${API_HOST}/api/v1/chatbots/${publicBot.id}/config/`,
      ]) {
        const response = await call(url, headers);
        await expectError(response, 503, "UNAVAILABLE");
        expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      }
    }
  });
});

describe("an id path without a credential", () => {
  /** Everything a response shows except its request id. */
  async function observable(response: Response) {
    const headers = Object.fromEntries([...response.headers].filter(([name]) => name !== "x-request-id"));
    const body = (await response.text()).replace(/"requestId":"[^"]+"/, "");
    return { status: response.status, headers, body };
  }

  it("serves the same chat page for a known and an unknown sandbox id, without a lookup", async () => {
    const missing = unknownId();
    const knownPage = await edge(`http://${PLATFORM_HOST}${sandboxPath(publicBot)}`);
    const unknownPage = await edge(`http://${PLATFORM_HOST}/workbench/chatbots/${hashedId(missing)}/`);
    expect(knownPage.status).toBe(200);
    expect(await observable(unknownPage)).toEqual(await observable(knownPage));
    expect(await resolveCalls(`id:${missing}`)).toBe(0);
  });

  it("answers the same 401 for a known and an unknown id, without a lookup", async () => {
    const missing = unknownId();
    const pairs = [
      [`${sandboxPath(publicBot)}config/`, `/workbench/chatbots/${hashedId(missing)}/config/`, PLATFORM_HOST],
      [`/api/v1/chatbots/${publicBot.id}/config/`, `/api/v1/chatbots/${missing}/config/`, API_HOST],
    ] as const;
    for (const [knownPath, unknownPath, host] of pairs) {
      const knownAnswer = await edge(`http://${host}${knownPath}`);
      const unknownAnswer = await edge(`http://${host}${unknownPath}`);
      expect(knownAnswer.status).toBe(401);
      expect(await observable(unknownAnswer)).toEqual(await observable(knownAnswer));
    }
    expect(await resolveCalls(`id:${missing}`)).toBe(0);
  });
});
