// The API's HTTP server: @hono/node-server on node:http. Node refuses some requests before the
// app sees them (headers past its 16 KiB limit, a request that is not HTTP, one sent too
// slowly) with bare answers of its own; here they are the platform's JSON errors too, in
// OpenAI's shape under a chatbot's /v1 path, like every other error of these routes.
import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import { BotgateError, type ErrorCode, isOpenAiPath } from "@botgate/core";
import { serve } from "@hono/node-server";

type ServeOptions = Parameters<typeof serve>[0];
type ListenListener = Parameters<typeof serve>[1];

export function serveApp(options: ServeOptions, onListen?: ListenListener): ReturnType<typeof serve> {
  const server = serve(options, onListen);
  server.on("clientError", answerClientError);
  return server;
}

/** Node's own choices (socketOnError in node:_http_server), with the platform's codes. */
const REFUSALS: Record<string, { code: ErrorCode; reason: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    code: "HEADERS_TOO_LARGE",
    reason: "Request Header Fields Too Large",
    message: "The request headers are too large (at most 16 KiB).",
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    code: "PAYLOAD_TOO_LARGE",
    reason: "Payload Too Large",
    message: "The request's chunk extensions are too large.",
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    code: "REQUEST_TIMEOUT",
    reason: "Request Timeout",
    message: "The request was not received in time.",
  },
};
const MALFORMED = {
  code: "BAD_REQUEST",
  reason: "Bad Request",
  message: "The request is not valid HTTP.",
} as const;

function answerClientError(error: Error & { code?: string; rawPacket?: Buffer }, socket: Socket): void {
  // As Node does: a socket that is gone, or has already been answered, only gets closed.
  if (!socket.writable || socket.bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const refusal = REFUSALS[error.code ?? ""] ?? MALFORMED;
  const failure = new BotgateError(refusal.code, refusal.message);
  // The request line decides the shape. Node hands over the bytes of its last read only, so a
  // request whose headers came in several reads gets the platform's shape even under /v1.
  const target = /^[A-Z]+ (\S+) HTTP\/1\.[01]\r\n/.exec(error.rawPacket?.toString("latin1") ?? "")?.[1] ?? "";
  const pathname = target.split("?")[0] ?? "";
  const requestId = randomUUID();
  const body = JSON.stringify(isOpenAiPath(pathname) ? failure.toOpenAiBody() : failure.toBody(requestId));
  socket.end(
    `HTTP/1.1 ${failure.status} ${refusal.reason}\r\n` +
      "Content-Type: application/json\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      "Cache-Control: no-store\r\n" +
      `X-Request-Id: ${requestId}\r\n` +
      "Connection: close\r\n\r\n" +
      body,
  );
}
