// Whether something accepts TCP connections at host:port. Plain JS: scripts/services.mjs runs
// it with bare node; scripts/dev.ts imports it too.
import { connect } from "node:net";

export function reachable(host, port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
