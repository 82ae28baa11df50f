// Work a response must not wait for (the request log): started after the answer, retried
// once, and logged with what was lost if it still fails, never dropped silently. Pending
// work is tracked so a closing server (and a test) can wait for it.

const pending = new Set<Promise<void>>();

export function inBackground(label: string, work: () => Promise<unknown>): void {
  const task = (async () => {
    // Let the response go out first.
    await new Promise((resolve) => setImmediate(resolve));
    for (let attempt = 1; ; attempt++) {
      try {
        await work();
        return;
      } catch (error) {
        if (attempt >= 2) {
          console.error(`background ${label} failed after ${attempt} attempts`, error);
          return;
        }
      }
    }
  })();
  pending.add(task);
  void task.finally(() => pending.delete(task));
}

/** Work already running that nothing waits for (a library's own background promise): tracked, its failure logged. */
export function settleInBackground(label: string, work: Promise<unknown>): void {
  const task = work.then(
    () => {},
    (error: unknown) => console.error(`background ${label} failed`, error),
  );
  pending.add(task);
  void task.finally(() => pending.delete(task));
}

/** Resolves once every background task started so far has finished. */
export async function backgroundSettled(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}
