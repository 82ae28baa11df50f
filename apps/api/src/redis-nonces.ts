// The replay guard of signed edge forwards over the API's own Redis protocol connection
// (REDIS_URL). A claim is on every forwarded chat request's path, and through the Upstash REST
// interface it costs several times a TCP round trip; the edge, which has no TCP, keeps REST.
import { RedisNonceStore } from "@botgate/cache";
import type { NonceStore } from "@botgate/forwarding";
import { openRedisConnection } from "@botgate/upstash-rest";

export async function openRedisNonceStore(
  redisUrl: string,
  closers: (() => Promise<void>)[],
): Promise<NonceStore> {
  // Failed claims are UNAVAILABLE, and caller.ts decides what that means for the request.
  const redis = await openRedisConnection(redisUrl);
  closers.push(async () => {
    redis.disconnect();
  });
  return new RedisNonceStore({ redis });
}
