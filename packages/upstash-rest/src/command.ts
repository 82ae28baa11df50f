// Request bodies: one command is a JSON array `["SET", "k", "v", "EX", 10]`; /pipeline and
// /multi-exec take an array of those. Arguments may be strings, numbers or booleans (the
// official client sends booleans unchanged, e.g. `set(k, true)`); Redis receives them as strings.

import { badRequest } from "./rest-error.ts";

/** Command name first, then its arguments; Buffers carry binary path-style POST bodies. */
export type RedisCommand = [name: string, ...args: (string | Buffer)[]];

export function parseCommand(value: unknown, where = "command"): RedisCommand {
  if (!Array.isArray(value) || value.length === 0) {
    throw badRequest(`${where} must be a non-empty JSON array`);
  }
  const [name, ...rest] = value as unknown[];
  if (typeof name !== "string" || name.length === 0) {
    throw badRequest(`${where} must start with the command name`);
  }
  const args = rest.map((arg, i) => {
    if (typeof arg === "string") return arg;
    if ((typeof arg === "number" && Number.isFinite(arg)) || typeof arg === "boolean") return String(arg);
    throw badRequest(`${where} argument ${i + 1} must be a string, a finite number or a boolean`);
  });
  return [name, ...args];
}

export function parseCommandList(value: unknown): RedisCommand[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw badRequest("body must be a non-empty JSON array of commands");
  }
  return value.map((command, i) => parseCommand(command, `command ${i + 1}`));
}
