import { Redis } from "ioredis";

/** How long opening waits for the first connection before going on anyway (commands fail until it comes). */
const FIRST_CONNECT_WAIT_MS = 2_000;

/**
 * An ioredis connection for a server's hot path: commands fail at once while Redis is down
 * instead of queueing (ioredis keeps reconnecting meanwhile), and a Redis that accepts
 * connections but hangs fails them after 5 s.
 */
export async function openRedisConnection(redisUrl: string): Promise<Redis> {
  const redis = new Redis(redisUrl, { lazyConnect: true, enableOfflineQueue: false, commandTimeout: 5_000 });
  // Failures reach callers as failed commands; without a listener ioredis would log each one.
  redis.on("error", () => {});
  let waitTimer: NodeJS.Timeout | undefined;
  await Promise.race([
    redis.connect().catch(() => {}),
    new Promise((resolve) => {
      waitTimer = setTimeout(resolve, FIRST_CONNECT_WAIT_MS);
    }),
  ]);
  clearTimeout(waitTimer);
  return redis;
}
