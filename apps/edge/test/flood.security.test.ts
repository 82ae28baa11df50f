// Unknown-target floods are bounded: every origin lookup for a target neither the isolate's L1
// nor Redis knows is charged to the client (CF-Connecting-IP, IPv6 by /64), and a client over
// RESOLVE_MISS_LIMIT per RESOLVE_MISS_WINDOW_S gets 429 before the origin is asked. Known
// targets never touch the limiter. Each test uses a client address of its own (random, so a
// rerun within the window starts afresh) and its own bindings, hence its own isolate services.
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  API_HOST,
  type Bindings,
  type Chatbot,
  createChatbot,
  edgeWith,
  expectError,
  newAccount,
  ownUpstreams,
  resolveCallsWithPrefix,
  SLOW_UPSTASH_URL,
  uniqueName,
} from "./helpers.ts";

const LIMIT = 5;
const FLOOD = 30;
/** A window far longer than any test: the sliding window's bound is then exactly LIMIT. */
const limited: Bindings = { RESOLVE_MISS_LIMIT: String(LIMIT), RESOLVE_MISS_WINDOW_S: "3600" };

const randomHex = (bytes: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
/** A documentation-prefix IPv6 /64 of the test's own. */
const clientNetwork = () => `2001:db8:${randomHex(2)}:${randomHex(2)}`;

let account: Account;
let known: Chatbot;
beforeAll(async () => {
  account = await newAccount();
  known = await createChatbot(account);
});

/** `count` requests for distinct unknown hosts from `ip`; answers the statuses in order. */
async function flood(bindings: Bindings, ip: string, base: string, count = FLOOD): Promise<Response[]> {
  const responses: Response[] = [];
  for (let i = 0; i < count; i++) {
    // Default-host and custom-host shapes alike.
    const host =
      i % 2 === 0
        ? `${base}-${i}.${account.accountNumber}.api.local.botgate.localhost`
        : `${base}-${i}.example.org`;
    responses.push(await edgeWith(bindings, `http://${host}/`, { headers: { "cf-connecting-ip": ip } }));
  }
  return responses;
}

async function expectBounded(responses: Response[], base: string): Promise<void> {
  const statuses = responses.map((response) => response.status);
  expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(404));
  expect(statuses.slice(LIMIT)).toEqual(Array(FLOOD - LIMIT).fill(429));
  const refused = responses[LIMIT];
  if (refused === undefined) throw new Error("no refused response");
  const retryAfter = Number(refused.headers.get("retry-after"));
  const error = await expectError(refused, 429, "RATE_LIMITED");
  expect(error.details?.retryAfterSeconds).toBe(retryAfter);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(3600);
  expect(await resolveCallsWithPrefix(`host:${base}-`)).toBeLessThanOrEqual(LIMIT);
}

describe("a flood of unknown hosts from one client", () => {
  it("asks the origin at most RESOLVE_MISS_LIMIT times, then answers 429 with Retry-After", async () => {
    const base = uniqueName("flood").toLowerCase();
    const ip = `${clientNetwork()}::1`;
    await expectBounded(await flood(limited, ip, base), base);
  });

  it("never limits known hosts, and not other clients", async () => {
    const base = uniqueName("flood").toLowerCase();
    const network = clientNetwork();
    await flood(limited, `${network}::1`, base);
    // The same client, over its limit, still reaches a chatbot that exists (found in Redis).
    const page = await edgeWith(limited, `http://${known.defaultHost}/`, {
      headers: { "cf-connecting-ip": `${network}::1` },
    });
    expect(page.status).toBe(200);
    // Another client still learns that an unknown host is unknown.
    const other = await edgeWith(limited, `http://${base}-other.example.org/`, {
      headers: { "cf-connecting-ip": `${clientNetwork()}::1` },
    });
    await expectError(other, 404, "NOT_FOUND");
  });

  it("counts one client across isolates, in Redis", async () => {
    const base = uniqueName("flood").toLowerCase();
    const ip = `${clientNetwork()}::1`;
    const statuses = (await flood(limited, ip, base, LIMIT)).map((response) => response.status);
    expect(statuses).toEqual(Array(LIMIT).fill(404));
    // Other bindings: services of their own (another L1, another isolate count), the same Redis.
    const elsewhere = { ...limited, ROUTE_NEGATIVE_TTL_MS: "999" };
    const response = await edgeWith(elsewhere, `http://${base}-elsewhere.example.org/`, {
      headers: { "cf-connecting-ip": ip },
    });
    await expectError(response, 429, "RATE_LIMITED");
  });

  it("counts a whole IPv6 /64 as one client", async () => {
    const base = uniqueName("flood").toLowerCase();
    const network = clientNetwork();
    const responses: Response[] = [];
    for (let i = 0; i < FLOOD; i++) {
      const [reply] = await flood(
        limited,
        `${network}:${randomHex(2)}::${i.toString(16)}`,
        `${base}x${i}`,
        1,
      );
      if (reply !== undefined) responses.push(reply);
    }
    expect(responses.filter((response) => response.status === 404)).toHaveLength(LIMIT);
    expect(await resolveCallsWithPrefix(`host:${base}x`)).toBeLessThanOrEqual(LIMIT);
  });

  it("bounds random ids on by-id paths the same way", async () => {
    const ip = `${clientNetwork()}::1`;
    const statuses: number[] = [];
    const firstId = 900_000_000 + Math.floor(Math.random() * 90_000_000);
    for (let i = 0; i < FLOOD; i++) {
      const response = await edgeWith(limited, `http://${API_HOST}/api/v1/chatbots/${firstId + i}/config/`, {
        headers: { "cf-connecting-ip": ip, authorization: "Bearer guessed" },
      });
      statuses.push(response.status);
    }
    expect(statuses.filter((status) => status === 404)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(FLOOD - LIMIT);
  });
});

describe("the limit without a working Redis", () => {
  it("holds per isolate when no Redis is configured", async () => {
    const base = uniqueName("flood").toLowerCase();
    const noRedis = { ...limited, UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined };
    await expectBounded(await flood(noRedis, `${clientNetwork()}::1`, base), base);
  });

  it("holds per isolate while the Upstash endpoint is down", async () => {
    const upstreams = await ownUpstreams();
    await upstreams.stop("upstash");
    const base = uniqueName("flood").toLowerCase();
    await expectBounded(
      await flood({ ...upstreams.bindings, ...limited }, `${clientNetwork()}::1`, base),
      base,
    );
  });

  it("decides within its timeout while Redis is slow, and still holds", async () => {
    const base = uniqueName("flood").toLowerCase();
    const slow = { ...limited, UPSTASH_REDIS_REST_URL: SLOW_UPSTASH_URL, ROUTE_STORE_TIMEOUT_MS: "150" };
    const started = Date.now();
    const responses = await flood(slow, `${clientNetwork()}::1`, base);
    // The slow endpoint answers after 2 s; the store and the limiter give up after 150 ms each.
    expect((Date.now() - started) / FLOOD).toBeLessThan(1_000);
    await expectBounded(responses, base);
  });
});
