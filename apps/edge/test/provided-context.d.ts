// What test/node/global-setup.ts provides (Node) and the workerd tests inject.
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
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
    /** The worker served by `wrangler dev` on the same upstreams, for raw HTTP/1.1 tests. */
    wranglerDevUrl: string;
  }
}
