// JSON state that survives a restart and is shared with other processes on the machine (the
// API and a separate worker): written whole and atomically (temporary file, then rename), so a
// crash mid-write leaves the previous state; re-read whenever another process changed it.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export class JsonStateFile<T> {
  readonly #path: string | undefined;
  readonly #parse: (raw: unknown) => T;
  readonly #initial: () => T;
  #value: T;
  /** The file's identity when last read or written (see #version). */
  #seen = "";

  /** Absent path: memory only. */
  constructor(path: string | undefined, parse: (raw: unknown) => T, initial: () => T) {
    this.#path = path;
    this.#parse = parse;
    this.#initial = initial;
    this.#value = this.#read();
  }

  /** The current state; callers change it synchronously, then save(). */
  get value(): T {
    if (this.#path !== undefined && this.#version() !== this.#seen) this.#value = this.#read();
    return this.#value;
  }

  save(): void {
    if (this.#path === undefined) return;
    mkdirSync(dirname(this.#path), { recursive: true });
    const temporary = `${this.#path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.#value, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.#path);
    this.#seen = this.#version();
  }

  #read(): T {
    if (this.#path === undefined) return this.#initial();
    this.#seen = this.#version();
    let text: string;
    try {
      text = readFileSync(this.#path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return this.#initial();
      throw error;
    }
    return this.#parse(JSON.parse(text));
  }

  /**
   * Every save renames a new file into place, so the inode changes with each write even when
   * two writes share an mtime tick (file times are only as fine as the kernel's coarse clock).
   */
  #version(): string {
    if (this.#path === undefined) return "";
    try {
      const stat = statSync(this.#path);
      return `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
    } catch {
      return "absent";
    }
  }
}
