import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Request } from 'express';
import { IdempotencyRecord } from '../db/entities';
import { HttpProblem } from './problem';

export function idempotencyKey(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,128}$/.test(key)) {
    throw new HttpProblem(
      400,
      'IDEMPOTENCY_KEY_INVALID',
      'Invalid Idempotency-Key',
      'use 1 to 128 visible ASCII characters, e.g. a UUID',
    );
  }
  return key;
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
      'Idempotency key reused',
      'this Idempotency-Key was sent before with a different request body',
    );
  }
  return record;
}
