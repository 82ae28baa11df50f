// Starts the API process: `pnpm --filter @botgate/server start` (or through `npm run dev`).
import { createApp } from "./app.ts";
import { EnvError, parseEnv } from "./env.ts";
import { serveApp } from "./http-server.ts";
import { publishOperatorEndpointOf } from "./operator/publish.ts";
import { createRuntime } from "./runtime.ts";

async function main() {
  const env = parseEnv(process.env);
  const runtime = await createRuntime(env);
  const app = createApp(runtime);
  let unpublish = async () => {};
  const server = serveApp({ fetch: app.fetch, hostname: env.HOST, port: env.PORT }, (info) => {
    console.log(
      `botgate api listening on http://${info.address}:${info.port} ` +
        `(database: ${runtime.databaseKind}, route cache: ${runtime.routeCache.kind})`,
    );
    publishOperatorEndpointOf(runtime, info).then(
      (remove) => {
        unpublish = remove;
      },
      (error: unknown) => console.warn("the operator CLI cannot reach this process:", error),
    );
  });
  const shutdown = () => {
    server.close(() => {
      void unpublish()
        .then(() => runtime.close())
        .then(() => process.exit(0));
    });
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
});
