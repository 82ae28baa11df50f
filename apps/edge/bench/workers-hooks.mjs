// Module resolve hook (node:module register) mapping `cloudflare:workers` to workers-shim.mjs.
export async function resolve(specifier, context, next) {
  if (specifier === "cloudflare:workers") {
    return { url: new URL("./workers-shim.mjs", import.meta.url).href, shortCircuit: true };
  }
  return next(specifier, context);
}
