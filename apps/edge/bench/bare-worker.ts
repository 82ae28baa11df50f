// The benchmark's baseline: a bare Hono worker answering a constant JSON, run in the same
// runtime with the same settings as the edge (see bare.wrangler.toml).
import { Hono } from "hono";

const app = new Hono();
app.all("*", (c) => c.json({ ok: true }));

export default app;
