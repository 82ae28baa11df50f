// Child process of test/node/global-setup.ts (run with tsx): owns the test stack, so that its
// Node modules (ioredis, pg, Prisma) resolve as in Node rather than through the workerd
// resolve conditions the cloudflare vitest plugin applies to its project. Reports the URLs
// over IPC, and shuts everything down when the parent disconnects.
import type { StackInfo } from "../stack-info.ts";
import { controlApp } from "./control.ts";
import { EdgeTestStack, RestartableServer } from "./stack.ts";
import { startWranglerDev, type WranglerDev } from "./wrangler-dev.ts";

export type { StackInfo };

/** Set by stack-process.ts when the caller wants the worker served over real HTTP too. */
const withWranglerDev = process.env.BOTGATE_EDGE_STACK_WRANGLER_DEV === "1";

const stack = await EdgeTestStack.start();
const upstreams = await stack.addUpstreams();
const slowUpstash = await RestartableServer.start(async () => {
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  return Response.json({ error: "too late" }, { status: 503 });
});
const inspect = await stack.startInspectingOrigin();
const bareProxy = await RestartableServer.start(stack.bareProxy().fetch);
const control = await RestartableServer.start(controlApp(stack).fetch);
let wranglerDev: WranglerDev | undefined;
if (withWranglerDev) {
  wranglerDev = await startWranglerDev({ vars: stack.workerVars(upstreams) });
}

let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  await wranglerDev?.stop();
  await control.stop();
  await slowUpstash.stop();
  await inspect.stop();
  await bareProxy.stop();
  await stack.close();
  process.exit(0);
}
process.on("disconnect", shutdown);
process.on("SIGTERM", shutdown);

const info: StackInfo = {
  originUrl: upstreams.origin.url,
  upstashUrl: upstreams.upstash.url,
  upstashToken: upstreams.upstash.token,
  edgeSecret: stack.api.runtime.edgeSecret,
  upstreamsId: upstreams.id,
  controlUrl: control.url,
  slowUpstashUrl: slowUpstash.url,
  inspectUrl: inspect.url,
  wranglerDevUrl: wranglerDev?.url ?? "",
  fakeOpenAiUrl: stack.fakeOpenAiUrl,
  bareProxyUrl: bareProxy.url,
};
process.send?.({ ready: info });
