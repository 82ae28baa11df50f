// The edge's own cost per request in its production runtime (edge-inprocess.bench.ts): served by
// Miniflare with the edge's settings, this worker calls the edge's fetch handler in a loop on an
// L1 route hit, next to a bare Hono app's, exactly as the Node half of the benchmark does.
// Locally, workerd's clock advances during pure computation (deployed, it only moves on I/O),
// in whole milliseconds: hence batches of calls per timed iteration.
import edge from "../../src/index.ts";
import { type InProcessRun, l1HitTasks, measureInRounds } from "../inprocess.ts";

export default {
  async fetch(request: Request, env: Record<string, unknown>, ctx: ExecutionContext): Promise<Response> {
    const { url, ...options } = await request.json<InProcessRun>();
    const tasks = await l1HitTasks(edge, url, env, ctx);
    return Response.json(await measureInRounds(tasks, options));
  },
};
