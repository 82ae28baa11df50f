// Chromium for the edge's browser tests: every hostname resolves to the worker, so chatbot
// pages and the widget's test sites are browsed at their real hosts.
import type { Browser } from "playwright-core";
import { launchChromium } from "../../admin/test/chromium.ts";
import type { WranglerDev } from "../test/node/wrangler-dev.ts";

/** `except`: a host left to the machine's resolver (e.g. 127.0.0.1, where the admin app is served). */
export function launchChromiumAtEdge(
  worker: WranglerDev,
  { except }: { except?: string } = {},
): Promise<Browser> {
  return launchChromium({
    args: [
      // Test sites are "public" pages loading a chatbot host that resolves to loopback:
      // Chromium's local-network-access checks would block that, as they would not for a
      // real chatbot host on the internet.
      "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights",
      `--host-resolver-rules=MAP * 127.0.0.1:${worker.port}${except === undefined ? "" : `, EXCLUDE ${except}`}`,
    ],
  });
}
