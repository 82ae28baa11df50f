// Request paths as the edge sees them (a URL pathname). Duplicate slashes collapse, the
// trailing slash is remembered, and no segment may hide a '/', '\' or dot-segment behind
// percent-encoding. Segments stay encoded: they are matched and forwarded as received,
// never decoded twice. Internal: not re-exported from the package.

import { fail, ok, type Result } from "./result.ts";

export interface SplitPath {
  readonly segments: readonly string[];
  readonly trailingSlash: boolean;
}

const MAX_PATH_LENGTH = 8192;

export function splitPath(pathname: string): Result<SplitPath, "invalid_path"> {
  if (typeof pathname !== "string") return fail("invalid_path", "The path is missing.");
  // Callers pass a pathname; a query or fragment that slipped in is not part of it.
  const end = pathname.search(/[?#]/);
  const path = end < 0 ? pathname : pathname.slice(0, end);
  if (path.length > MAX_PATH_LENGTH) return fail("invalid_path", "The path is too long.");
  if (path !== "" && !path.startsWith("/")) return fail("invalid_path", "The path must start with '/'.");
  const segments = path.split("/").filter((segment) => segment !== "");
  if (!segments.every(isSafeSegment)) {
    return fail("invalid_path", "The path contains an encoded '/', a backslash or a '.'/'..' segment.");
  }
  return ok({ segments, trailingSlash: segments.length > 0 && path.endsWith("/") });
}

/** The path after the first `index` segments, always starting with '/'. */
export function restAfter(path: SplitPath, index: number): string {
  const tail = path.segments.slice(index);
  return tail.length === 0 ? "/" : `/${tail.join("/")}${path.trailingSlash ? "/" : ""}`;
}

function isSafeSegment(raw: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return false;
  }
  return decoded !== "." && decoded !== ".." && !/[/\\\p{Cc}]/u.test(decoded);
}
