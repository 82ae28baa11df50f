// event.onChange over SSE through the API's real tRPC route: events arrive as they are
// written, resume after the last id seen, and a browser-style client (no headers, the token in
// connectionParams) is authenticated too.
import type { AppRouter, EventView } from "@botgate/api";
import { createTRPCClient, httpSubscriptionLink } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestEventSource } from "./event-source.ts";
import {
  type AdminClient,
  createAccount,
  createMember,
  startTestServer,
  type TestServer,
  type TestUser,
} from "./harness.ts";

const DEADLINE_MS = 20_000;

/** Collects a subscription's events until `until` holds for them (or the deadline passes). */
export function collectEvents(
  subscribe: (handlers: {
    onData(value: { id: string; data: EventView }): void;
    onError(error: unknown): void;
  }) => { unsubscribe(): void },
  until: (events: EventView[]) => boolean,
): Promise<{ events: EventView[]; lastId: string | null }> {
  return new Promise((resolve, reject) => {
    const events: EventView[] = [];
    let lastId: string | null = null;
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      reject(new Error(`events so far: ${events.map((e) => e.type).join(", ") || "none"}`));
    }, DEADLINE_MS);
    const subscription = subscribe({
      onData: ({ id, data }) => {
        events.push(data);
        lastId = id;
        if (until(events)) {
          clearTimeout(timer);
          subscription.unsubscribe();
          resolve({ events, lastId });
        }
      },
      onError: (error) => {
        clearTimeout(timer);
        subscription.unsubscribe();
        reject(error);
      },
    });
  });
}

const has = (type: string, chatbotId?: number) => (events: EventView[]) =>
  events.some((e) => e.type === type && (chatbotId === undefined || e.chatbotId === chatbotId));

let server: TestServer;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  alice = await createAccount(server, "alice");
  bob = await createAccount(server, "bob");
});
afterAll(async () => {
  await server?.close();
});

/** Subscribes, then (once the stream is open) runs `act`. */
async function eventsDuring(
  client: AdminClient,
  input: { chatbotId?: number; lastEventId?: string },
  act: () => Promise<unknown>,
  until: (events: EventView[]) => boolean,
) {
  let started!: () => void;
  const open = new Promise<void>((resolve) => {
    started = resolve;
  });
  const collected = collectEvents(
    (handlers) => client.event.onChange.subscribe(input, { ...handlers, onStarted: () => started() }),
    until,
  );
  await open;
  await act();
  return collected;
}

describe("event.onChange", () => {
  it("delivers the caller's new events live", async () => {
    let botId = 0;
    const { events } = await eventsDuring(
      alice.client,
      {},
      async () => {
        const bot = await alice.client.chatbot.create.mutate({ name: "live" });
        botId = bot.id;
        await alice.client.chatbot.deploy.mutate({ id: bot.id });
      },
      (seen) => has("deployment.started")(seen),
    );
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(["chatbot.created", "deployment.started"]),
    );
    expect(events.every((e) => e.chatbotId === botId)).toBe(true);
  });

  it("never delivers another account's events", async () => {
    const { events } = await eventsDuring(
      alice.client,
      {},
      async () => {
        await bob.client.chatbot.create.mutate({ name: "bobs" });
        // Alice's own event after Bob's: once it arrives, Bob's would have arrived before it.
        await alice.client.chatbot.create.mutate({ name: "afterBob" });
      },
      has("chatbot.created"),
    );
    expect(events).toHaveLength(1);
    const bobsBots = await bob.client.chatbot.list.query();
    expect(events.map((e) => e.chatbotId)).not.toContain(bobsBots.items[0]?.id);
  });

  it("gives a member only their own chatbots' events, not another member's", async () => {
    const member = await createMember(server, alice.accountNumber, { username: "mia" });
    const other = await createMember(server, alice.accountNumber, { username: "otto" });
    let own = 0;
    const { events } = await eventsDuring(
      member.client,
      {},
      async () => {
        await other.client.chatbot.create.mutate({ name: "ottos" });
        await alice.client.chatbot.create.mutate({ name: "alices" });
        own = (await member.client.chatbot.create.mutate({ name: "mias" })).id;
      },
      has("chatbot.created"),
    );
    expect(events.map((e) => e.chatbotId)).toEqual([own]);
  });

  it("resumes after the last event id it was given", async () => {
    const bot = await alice.client.chatbot.create.mutate({ name: "resume" });
    const first = await eventsDuring(
      alice.client,
      { chatbotId: bot.id },
      () => alice.client.chatbot.deploy.mutate({ id: bot.id }),
      has("deployment.started"),
    );
    // Written while nobody listens; a reconnect with the last id still gets it.
    await alice.client.chatbot.undeploy.mutate({ id: bot.id });
    const resumed = await collectEvents(
      (handlers) =>
        alice.client.event.onChange.subscribe(
          { chatbotId: bot.id, lastEventId: first.lastId ?? "0" },
          handlers,
        ),
      has("deployment.stopped"),
    );
    expect(resumed.events.map((e) => e.type)).not.toContain("deployment.started");
  });

  it("authenticates a browser-style stream by its connectionParams token", async () => {
    const browserLike = createTRPCClient<AppRouter>({
      links: [
        httpSubscriptionLink({
          url: `${server.url}/trpc`,
          transformer: superjson,
          EventSource: TestEventSource,
          connectionParams: () => ({ token: alice.token }),
        }),
      ],
    });
    const bot = await alice.client.chatbot.create.mutate({ name: "params" });
    const { events } = await eventsDuring(
      browserLike as unknown as AdminClient,
      { chatbotId: bot.id },
      () => alice.client.chatbot.deploy.mutate({ id: bot.id }),
      has("deployment.started"),
    );
    expect(events[0]?.chatbotId).toBe(bot.id);
  });
});
