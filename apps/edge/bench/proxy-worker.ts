// The chat-latency benchmark's floor at the edge: a Hono worker that passes every request
// through to TARGET with fetch, body and answer untouched, and does nothing else.
import { Hono } from "hono";

const app = new Hono<{ Bindings: { TARGET: string } }>();
app.all("*", async (c) => {
  const request = c.req.raw;
  const url = new URL(request.url);
  const answer = await fetch(`${c.env.TARGET}${url.pathname}${url.search}`, {
    method: request.method,
    headers: request.headers,
    body: request.method === "GET" || request.method === "HEAD" ? null : await request.arrayBuffer(),
  });
  return new Response(answer.body, answer);
});

export default app;
