// EVAL and EVALSHA run only @upstash/ratelimit's own Lua scripts: any other script could call
// any command (redis.call('FLUSHALL')) and get round the allowlist. A script is recognised by
// the SHA-1 of its body, which is what EVALSHA names it by.
//
// Upstash accepts the shebang flag `allow-key-locking` those scripts declare; Redis refuses
// unknown flags ("Unexpected flag in script shebang"), so the endpoint drops it before Redis
// sees the script, and maps the library's hash to the hash of what Redis stored.
import { createHash } from "node:crypto";
import type { RedisCommand } from "./command.ts";

/**
 * @upstash/ratelimit 2.2: limit and remaining-tokens scripts of fixedWindow, slidingWindow,
 * tokenBucket and cachedFixedWindow, single- and multi-region (test/ratelimit.test.ts runs
 * them, so an upgrade that changes a script fails there). Its resetUsedTokens script (SCAN and
 * DEL over a pattern) and deny-list protection are left out on purpose.
 */
const RATELIMIT_SCRIPT_SHAS = [
  "b2efc02798c8e9b471a10f9b1d5745db89923ff3",
  "823cb2a5a902d69681244f5e28e5ebb8f2a89edd",
  "74740bb3d7792848093cdef586b6b6037c455fd6",
  "7ca36169e0fc9caedd81b4eef8e99854c157f9b5",
  "d60be5bd3d83482ae229309f1f7425424f891204",
  // tokenBucket's remaining-tokens script: the library names it 40daf4… but its body hashes to
  // 970e83…, so its EVALSHA always misses and it falls back to EVAL of the body.
  "40daf4a441df736f5c99f8b77bbe176c909e5de4",
  "970e83076fe2a331c2a6e325b0d45b574d9e6c04",
  "1861a700bafe96c833a483af6b1c28a8897cfdb0",
  "eb82f0e853d2fc9a236fa9bfbe704fda6ac2fc36",
  "e04b753a75909b7f99aae4c04cf8869a8de02a9e",
  "e066c8ce3eaca142b0894ad1541e0a58c9924819",
  "aeb4d8f381e8dafc8e69041baae1324d254ded44",
  "87828c1088f6a8d1f512a434ea330189982a1c0a",
];

const UPSTASH_ONLY_FLAGS = new Set(["allow-key-locking"]);

const sha1 = (body: string | Buffer): string => createHash("sha1").update(body).digest("hex");

/** The script as Redis accepts it: the shebang without flags only Upstash knows. */
export function withoutUpstashFlags(script: string): string {
  const shebang = /^#!lua[ \t]+flags=(\S*)/.exec(script);
  if (shebang === null) return script;
  const flags = (shebang[1] ?? "").split(",").filter((flag) => flag !== "" && !UPSTASH_ONLY_FLAGS.has(flag));
  return `#!lua${flags.length > 0 ? ` flags=${flags.join(",")}` : ""}${script.slice(shebang[0].length)}`;
}

export interface KnownScripts {
  /** EVAL/EVALSHA as Redis should run it, or null when the script is not a known one. */
  forRedis(command: RedisCommand): RedisCommand | null;
}

export function knownScripts(shas: readonly string[]): KnownScripts {
  const known = new Set(shas);
  /** Library hash → hash of the body Redis stored, learnt from the EVALs that loaded it. */
  const stored = new Map<string, string>();
  return {
    forRedis([name, script, ...rest]) {
      if (script === undefined) return null;
      if (name.toLowerCase() === "evalsha") {
        const sha = script.toString().toLowerCase();
        // Before any EVAL taught us the stored hash, Redis answers NOSCRIPT and the client EVALs.
        return known.has(sha) ? [name, stored.get(sha) ?? sha, ...rest] : null;
      }
      const sha = sha1(script);
      if (!known.has(sha)) return null;
      const runnable = withoutUpstashFlags(script.toString());
      stored.set(sha, sha1(runnable));
      return [name, runnable, ...rest];
    },
  };
}

/** A fresh registry of @upstash/ratelimit's scripts (one per endpoint: it learns stored hashes). */
export const RATELIMIT_SCRIPTS = (): KnownScripts => knownScripts(RATELIMIT_SCRIPT_SHAS);
