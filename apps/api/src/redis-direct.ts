// The API's own Redis protocol connection (REDIS_URL), for the two Redis calls on every
// forwarded chat request's path, where Upstash's REST interface costs several times a TCP
// round trip: the replay guard of signed edge forwards, and the chat rate limits, which
// @upstash/ratelimit counts through an @upstash/redis client whose requester runs commands on
// this connection. The edge, which has no TCP, keeps REST for its routes.
import { RedisNonceStore } from "@botgate/cache";
import type { NonceStore } from "@botgate/forwarding";
import { directRequester, openRedisConnection } from "@botgate/upstash-rest";
import { Redis } from "@upstash/redis";

export interface DirectRedis {
  nonces: NonceStore;
  /** The same connection behind the official client, for @upstash/ratelimit. */
  upstash: Redis;
}

export async function openDirectRedis(
  redisUrl: string,
  closers: (() => Promise<void>)[],
): Promise<DirectRedis> {
  // Failed calls are UNAVAILABLE (nonces, caller.ts) or a failed count (limits, chat-limits.ts).
  const redis = await openRedisConnection(redisUrl);
  closers.push(async () => {
    redis.disconnect();
  });
  return { nonces: new RedisNonceStore({ redis }), upstash: new Redis(directRequester({ redis })) };
}
