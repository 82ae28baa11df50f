// An idle timeout that cannot beat data already received. When the event loop was blocked
// (a long synchronous task, a GC pause, a loaded machine), Node runs the timers that fell due
// before it reads the sockets: a chunk that arrived in time would lose to its own idle timer,
// and a healthy stream would end as a stall. Deferring the callback to setImmediate, which runs
// after the poll phase, lets that chunk be read first and cancel the timeout.

/** Calls `onIdle` after `ms`, unless cancelled first; returns the cancel function. */
export function setIdleTimeout(onIdle: () => void, ms: number): () => void {
  let immediate: ReturnType<typeof setImmediate> | undefined;
  const timer = setTimeout(() => {
    immediate = setImmediate(onIdle);
  }, ms);
  return () => {
    clearTimeout(timer);
    if (immediate !== undefined) clearImmediate(immediate);
  };
}
