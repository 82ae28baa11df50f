// Node stand-in for the `cloudflare:workers` module, so the in-process benchmark can import
// the worker: waitUntil just lets the promise run (nothing waits for it in a loop).
export function waitUntil(promise) {
  void Promise.resolve(promise).catch(() => {});
}
export const env = {};
