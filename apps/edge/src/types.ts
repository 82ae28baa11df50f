import type { RequestIdVariables } from "hono/request-id";

/** Hono's environment for the edge app. Bindings stay unknown until env.ts has parsed them. */
export interface EdgeEnv {
  Bindings: Record<string, unknown>;
  Variables: RequestIdVariables;
}
