// A chatbot's functions end to end: enabled in the admin API, run by the origin's tool loop
// behind the edge (the echo provider calls calculator for "calc: …"), the call and its result
// in the history /config/ shows at the chatbot's host.
import { beforeAll, describe, expect, it } from "vitest";
import { type Account, type Chatbot, createChatbot, edge, newAccount, trpc } from "./helpers.ts";

let account: Account;
let bot: Chatbot;
beforeAll(async () => {
  account = await newAccount();
  bot = await createChatbot(account);
  await trpc(account.token, "chatbot.functions.enable", { chatbotId: bot.id, name: "calculator" });
});

describe("chatbot functions through the edge", () => {
  it("answer with the calculator's result and show the call in /config/", async () => {
    const response = await edge(`http://${bot.defaultHost}/chat/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "calc: 6*7" }] }),
    });
    expect(response.status).toBe(200);
    const body = (
      await response.json<{
        data: { body: { choices: { message: { content: string } }[]; metadata: { session_key: string } } };
      }>()
    ).data.body;
    expect(body.choices[0]?.message.content).toBe('Echo: {"expression":"6*7","result":42}');
    const config = await edge(`http://${bot.defaultHost}/config/?session_key=${body.metadata.session_key}`);
    const history = (
      await config.json<{ data: { history: { chat_history: { role: string; name?: string }[] } } }>()
    ).data.history.chat_history;
    expect(history.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(history[2]?.name).toBe("calculator");
  });
});
