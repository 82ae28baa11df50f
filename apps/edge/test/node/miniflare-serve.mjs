// Serves a bundled edge worker in Miniflare (workerd, no `wrangler dev` proxy in front), run by
// workerd-direct.ts on Node >= 22.12, which Miniflare needs. Plain JS so that Node runs it
// without tsx. Argument: JSON { config, script, vars }. Sends { url } over IPC once serving,
// and disposes of Miniflare (ending workerd) when the parent disconnects.
import { dirname } from "node:path";
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

const { config, script, vars } = JSON.parse(process.argv[2] ?? "{}");
// Wrangler's own translation of the config (compatibility date and flags, [vars], [assets] with
// run_worker_first), in Miniflare's v4 option shape, which wrangler and @cloudflare/vitest-plugin
// also convert for Miniflare 5.
// Its module rules only matter to modules found beside the entry: the bundle is one module.
const { modulesRules: _, ...workerOptions } = unstable_getMiniflareWorkerOptions(config).workerOptions;
const mf = new Miniflare(
  convertV4MiniflareOptions({
    ...workerOptions,
    modules: true,
    scriptPath: script,
    // Module names are relative to this root, and may not climb out of it.
    modulesRoot: dirname(script),
    bindings: { ...workerOptions.bindings, ...vars },
    host: "127.0.0.1",
    port: 0,
    // The fallback Request.cf: the real one is fetched from Cloudflare, and this machine is offline.
    cf: false,
    log: new Log(LogLevel.WARN),
  }),
);
const url = await mf.ready;
process.send?.({ url: url.origin });
process.once("disconnect", () => {
  mf.dispose().finally(() => process.exit(0));
});
