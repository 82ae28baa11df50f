// What the Node-side test stack (test/node/serve-stack.ts) reports, globalSetup provides and
// the workerd tests inject. Types only, so both the Node and the workers programs can use it.

export interface StackInfo {
  /** The API (admin API and chat origin) behind the worker's configured bindings. */
  originUrl: string;
  upstashUrl: string;
  upstashToken: string;
  edgeSecret: string;
  /** Id of the configured upstreams at the control server. */
  upstreamsId: string;
  controlUrl: string;
  /** An Upstash "endpoint" that accepts requests and answers only after two seconds. */
  slowUpstashUrl: string;
  /** An origin that answers forwarded requests with what it received (resolves like the real one). */
  inspectUrl: string;
  /** The worker served by `wrangler dev` on the same upstreams ("" unless asked for), for raw HTTP tests. */
  wranglerDevUrl: string;
  /** The fake OpenAI server the API uses as its platform default provider (…/v1). */
  fakeOpenAiUrl: string;
  /**
   * A Hono app on @hono/node-server (the origin's HTTP stack) passing every request through to
   * the fake provider with fetch, as the origin calls it, and nothing else: the benchmark's floor.
   */
  bareProxyUrl: string;
}
