// The worker served over real HTTP/1.1 by `wrangler dev` (workerd), spoken to byte by byte:
// what routes is the Host header the client sent (as on Cloudflare, where it also selects the
// zone and certificate), whatever an absolute-form request target or forwarding headers say.
import { connect } from "cloudflare:sockets";
import { beforeAll, describe, expect, it } from "vitest";
import { type Chatbot, createChatbot, newAccount, uniqueName, WRANGLER_DEV_URL } from "./helpers.ts";

let chatbot: Chatbot;
beforeAll(async () => {
  chatbot = await createChatbot(await newAccount());
});

interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** One request over a fresh TCP connection, exactly as written. */
async function raw(requestLine: string, headers: string[]): Promise<RawResponse> {
  const { hostname, port } = new URL(WRANGLER_DEV_URL);
  const socket = connect({ hostname, port: Number(port) });
  const writer = socket.writable.getWriter();
  await writer.write(
    new TextEncoder().encode(`${requestLine}\r\n${[...headers, "Connection: close"].join("\r\n")}\r\n\r\n`),
  );
  const text = await new Response(socket.readable).text();
  const [head = "", ...rest] = text.split("\r\n\r\n");
  const [statusLine = "", ...headerLines] = head.split("\r\n");
  return {
    status: Number(statusLine.split(" ")[1]),
    headers: new Map(
      headerLines.map((line) => [
        line.slice(0, line.indexOf(":")).toLowerCase(),
        line.slice(line.indexOf(":") + 1).trim(),
      ]),
    ),
    body: rest.join("\r\n\r\n"),
  };
}

/** The chatbot a /config/ answer is for (bodies may arrive chunked). */
function configuredId(response: RawResponse): number | undefined {
  return Number(/"chatbot":\{"id":(\d+)/.exec(response.body)?.[1]) || undefined;
}

describe("over HTTP/1.1", () => {
  it("routes by the Host header, with or without port, case or trailing dot", async () => {
    for (const host of [
      chatbot.defaultHost,
      `${chatbot.defaultHost}:443`,
      `${chatbot.defaultHost.toUpperCase()}.`,
    ]) {
      const response = await raw("GET /config/ HTTP/1.1", [`Host: ${host}`]);
      expect(response.status, host).toBe(200);
      expect(configuredId(response)).toBe(chatbot.id);
      expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("does not let an absolute-form request target change the host", async () => {
    const unknown = `${uniqueName("elsewhere")}.example.org`;
    // Target names the chatbot, Host an unknown name: the chatbot is not reached.
    const toChatbot = await raw(`GET http://${chatbot.defaultHost}/config/ HTTP/1.1`, [`Host: ${unknown}`]);
    expect(toChatbot.status).toBe(404);
    expect(toChatbot.body).toContain('"code":"NOT_FOUND"');
    // Target names an unknown host, Host the chatbot: still the chatbot.
    const fromChatbot = await raw(`GET http://${unknown}/config/ HTTP/1.1`, [`Host: ${chatbot.defaultHost}`]);
    expect(fromChatbot.status).toBe(200);
    expect(configuredId(fromChatbot)).toBe(chatbot.id);
  });

  it("ignores X-Forwarded-Host and Forwarded", async () => {
    const response = await raw("GET /config/ HTTP/1.1", [
      `Host: ${uniqueName("nobody")}.example.org`,
      `X-Forwarded-Host: ${chatbot.defaultHost}`,
      `Forwarded: host=${chatbot.defaultHost}`,
    ]);
    expect(response.status).toBe(404);
  });

  it("answers an IP-literal Host with 400 JSON", async () => {
    const response = await raw("GET / HTTP/1.1", ["Host: 127.0.0.1"]);
    expect(response.status).toBe(400);
    expect(response.body).toContain('"code":"INVALID_HOST"');
  });
});
