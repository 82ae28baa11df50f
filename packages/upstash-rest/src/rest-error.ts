import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An error answered as Upstash does: `{ "error": "<message>" }` with an HTTP status. */
export class RestError extends Error {
  override readonly name = "RestError";
  readonly status: ContentfulStatusCode;

  constructor(status: ContentfulStatusCode, message: string) {
    super(message);
    this.status = status;
  }
}

export const badRequest = (message: string): RestError => new RestError(400, `ERR ${message}`);
