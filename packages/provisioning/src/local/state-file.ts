// JSON state that survives a restart: read once, written whole and atomically (temporary file
// then rename), so a crash mid-write leaves the previous state, never a torn file.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export function readState<T>(path: string | undefined, parse: (raw: unknown) => T, initial: () => T): T {
  if (path === undefined) return initial();
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return initial();
    throw error;
  }
  return parse(JSON.parse(text));
}

export function writeState(path: string | undefined, state: unknown): void {
  if (path === undefined) return;
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}
