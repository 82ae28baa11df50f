import type { AddressInfo } from "node:net";
import type { Runtime } from "../runtime.ts";
import { loopbackUrl, operatorFile, publishOperatorEndpoint } from "./endpoint-file.ts";

/**
 * Tells the operator CLI where this process runs its commands (embedded database only), once it
 * listens; answers how to take that back at shutdown.
 */
export async function publishOperatorEndpointOf(
  runtime: Runtime,
  listening: Pick<AddressInfo, "address" | "port">,
): Promise<() => Promise<void>> {
  const url = loopbackUrl(listening.address, listening.port);
  if (runtime.operatorToken === undefined || url === null) return async () => {};
  return publishOperatorEndpoint(operatorFile(runtime.env), {
    url,
    token: runtime.operatorToken,
    pid: process.pid,
  });
}
