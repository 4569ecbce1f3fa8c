import { Router } from 'express';
import { type PoolStats, poolExhausted } from '../db/orm';

/** Something the platform depends on, described for operators and checked on every /healthz. */
export interface Dependency {
  describe(): Record<string, string>;
  ping(): Promise<void>;
  /** A connection pool's state, where the dependency is reached through one. */
  pool?(): PoolStats | undefined;
}

const TIMEOUT_MS = 2_000;

/** `GET /healthz`: which database and Temporal endpoint are in use and whether each answers; 503 if not. */
export function healthRouter(deps: { database: Dependency; temporal: Dependency }): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const [database, temporal] = await Promise.all([probe(deps.database), probe(deps.temporal)]);
    const ok = database.reachable && temporal.reachable && !database.pool_exhausted;
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', database, temporal });
  });
  return router;
}

async function probe(dep: Dependency): Promise<Record<string, unknown>> {
  let timer: NodeJS.Timeout | undefined;
  const ping = dep.ping();
  ping.catch(() => {}); // a ping that loses the race to the timeout must not reject unobserved later
  try {
    await Promise.race([
      ping,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]);
    // A server that answers while every pooled connection is taken and requests queue: the platform
    // cannot serve, but the cure is load or a leak, not the database.
    const pool = dep.pool?.();
    if (pool && poolExhausted(pool)) {
      return {
        ...dep.describe(),
        reachable: true,
        pool_exhausted: true,
        pool,
        error: `pool exhausted: ${pool.used} of ${pool.max} connections in use, ${pool.pending} waiting`,
      };
    }
    return { ...dep.describe(), reachable: true, ...(pool ? { pool } : {}) };
  } catch (error) {
    return {
      ...dep.describe(),
      reachable: false,
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}
