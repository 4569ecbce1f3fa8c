import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Request } from 'express';
import { IdempotencyRecord } from '../db/entities';
import type { Orm } from '../db/orm';
import { HttpProblem } from './problem';
import { IdempotencyKey } from './schemas';

export function idempotencyKey(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  const parsed = IdempotencyKey.safeParse(key);
  if (!parsed.success) {
    throw new HttpProblem(
      400,
      'IDEMPOTENCY_KEY_INVALID',
      'Idempotency-Key 格式不正确',
      parsed.error.issues[0]?.message ?? '请使用 1–128 位可见 ASCII 字符，例如 UUID',
    );
  }
  return key;
}

/**
 * A UUID derived from a key (the caller's, the Idempotency-Key or the request's content), so a resent
 * request stores its record once under the same id.
 */
export function keyedUuid(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function requestHash(body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(body ?? null))
    .digest('hex');
}

/** The earlier record for this user and key; 422 if the key was used for a different request. */
export async function findRecord(
  em: EntityManager,
  user_id: string,
  key: string,
  hash: string,
): Promise<IdempotencyRecord | null> {
  const record = await em.findOne(IdempotencyRecord, { user_id, key });
  if (record && record.request_hash !== hash) {
    throw new HttpProblem(
      422,
      'IDEMPOTENCY_KEY_REUSED',
      'Idempotency-Key 已用于其他请求',
      '这个 Idempotency-Key 之前用于内容不同的请求；新的请求请换一个新的 Key',
    );
  }
  return record;
}

export const answered = (record: IdempotencyRecord | null): boolean =>
  record?.status != null && record.response != null;

/** How long a repeat waits for the first request's answer before it is told to come back. */
export const IN_FLIGHT_WAIT_MS = 5_000;
/**
 * A record this old without an answer belongs to a request that died between storing it and
 * answering (a crash, a lost connection): a repeat then resumes the work instead of waiting.
 */
export const IN_FLIGHT_LEASE_MS = 30_000;

/** What became of an earlier request with the same key, after waiting for it (`awaitEarlier`). */
export type Earlier<R> =
  | { state: 'answered'; record: R }
  /** The first request died before answering (or gave its claim back): the repeat resumes it. */
  | { state: 'abandoned'; record: R }
  /** No record (any more): the first failed and cleaned up, or there was none; this request is the first. */
  | { state: 'none' }
  /** Still working after `IN_FLIGHT_WAIT_MS`. */
  | { state: 'in_flight'; record: R };

/**
 * A repeat of a request still in flight waits (polling, bounded) for its answer, so twenty identical
 * requests at once get one case and twenty equal answers. Shared by the filings' Idempotency-Key and
 * the hospitals' msgid: `find` reads the record (throwing when it belongs to another request) and
 * `classify` says whether it is answered, pending, or abandoned by a request that died.
 */
export async function awaitEarlier<R>(
  find: () => Promise<R | null>,
  classify: (record: R) => 'answered' | 'pending' | 'abandoned',
  now = () => Date.now(),
): Promise<Earlier<R>> {
  const until = now() + IN_FLIGHT_WAIT_MS;
  for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
    const record = await find();
    if (!record) return { state: 'none' };
    const state = classify(record);
    if (state !== 'pending') return { state, record };
    if (now() >= until) return { state: 'in_flight', record };
    await sleep(pause);
  }
}

export type EarlierRequest = Exclude<Earlier<IdempotencyRecord>, { state: 'in_flight' }>;

/**
 * An earlier filing request with this key, awaited (`awaitEarlier`). 409 `IDEMPOTENCY_IN_FLIGHT` with
 * `Retry-After` only if the first does not answer within `IN_FLIGHT_WAIT_MS`.
 */
export async function earlierRequest(
  orm: Orm,
  user_id: string,
  key: string,
  hash: string,
  now = () => Date.now(),
): Promise<EarlierRequest> {
  const earlier = await awaitEarlier(
    () => findRecord(orm.em.fork(), user_id, key, hash),
    (record) => {
      if (answered(record)) return 'answered';
      return now() - record.created_at.getTime() > IN_FLIGHT_LEASE_MS ? 'abandoned' : 'pending';
    },
    now,
  );
  if (earlier.state === 'in_flight') {
    throw new HttpProblem(
      409,
      'IDEMPOTENCY_IN_FLIGHT',
      '相同的请求正在处理中',
      '使用同一 Idempotency-Key 的首个请求尚未完成；请稍后重试，将得到同一答复',
      {},
      Math.ceil(IN_FLIGHT_WAIT_MS / 1000),
    );
  }
  return earlier;
}

const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `work` after every earlier `work` of the same key in this process has settled: a burst of one
 * person's filings waits here, not holding pooled connections while it waits for the database lock
 * (which still orders them across processes).
 */
export async function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const run = (queues.get(key) ?? Promise.resolve()).then(work, work);
  const tail = run.catch(() => undefined);
  queues.set(key, tail);
  try {
    return await run;
  } finally {
    if (queues.get(key) === tail) queues.delete(key);
  }
}
