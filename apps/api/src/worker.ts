// A job worker on its own: `pnpm --filter @botgate/server worker`. Runs the same handlers as
// the API's inline worker against a shared PostgreSQL (DATABASE_URL); run the API with
// JOBS_WORKER=off, or leave both on: jobs are fetched with SKIP LOCKED, so any number of
// workers share the queues safely. The embedded database belongs to the API process alone.
import { EnvError, parseEnv } from "./env.ts";
import { createRuntime } from "./runtime.ts";

async function main() {
  const env = parseEnv({ ...process.env, JOBS_WORKER: "inline" });
  if (!env.DATABASE_URL) {
    throw new EnvError(
      "invalid environment:\n  DATABASE_URL: required by a separate worker (the embedded database " +
        "belongs to the API process, whose inline worker runs the jobs)",
    );
  }
  const runtime = await createRuntime(env);
  console.log(
    `botgate worker polling every ${env.JOBS_POLL_SECONDS}s on ${runtime.jobs.queues.size} queues ` +
      `(provisioning: ${env.PROVISIONING})`,
  );
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    // Stops polling, waits for running jobs, then closes the database.
    void runtime.close().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
});
