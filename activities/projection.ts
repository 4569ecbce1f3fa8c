import type { EntityMetadata } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Filing, Referral, type Snapshot } from '../db/entities';
import { snapshotValues } from '../db/rows';
import type { ActivityDeps } from './deps';

export interface EventRow {
  id: string;
  at: string;
  actor: string;
  kind: string;
  detail: Record<string, unknown>;
}

/** The filing row as the workflow projects it (derived from the entity: a new field is added there). */
export type FilingSnapshot = Omit<Snapshot<Filing>, 'created_at'>;
export type ReferralSnapshot = Snapshot<Referral>;

/**
 * The transaction's own query builder. `em.getKnex()` is the root pool: a query on it inside
 * `em.transactional` runs on a second connection, outside the transaction (not atomic, and a burst of
 * projections holding two connections each deadlocks the pool).
 */
export function trxOf(tx: EntityManager): Knex.Transaction {
  const trx = tx.getTransactionContext<Knex.Transaction>();
  if (!trx) throw new Error('projection outside a transaction');
  return trx;
}

/** The events' insert: a retried activity writes the same ids again, and the first is kept. */
function eventsInsert(knex: Knex | Knex.Transaction, case_id: string, events: EventRow[]) {
  return knex('case_event')
    .insert(events.map((e) => ({ ...e, case_id, at: new Date(e.at), detail: JSON.stringify(e.detail) })))
    .onConflict('id')
    .ignore();
}

export async function insertEvents(
  trx: Knex.Transaction,
  case_id: string,
  events: EventRow[],
): Promise<void> {
  if (events.length === 0) return;
  await eventsInsert(trx, case_id, events);
}

/**
 * Writes to different tables as ONE statement: `first` as data-modifying CTEs, then `last`. Atomic by
 * itself, and one round trip instead of one per write (inside a transaction or, alone, instead of
 * BEGIN, the writes and COMMIT). The writes must not touch the same rows (they see one snapshot).
 */
export async function asOneStatement(
  knex: Knex | Knex.Transaction,
  first: Knex.QueryBuilder[],
  last: Knex.QueryBuilder,
): Promise<void> {
  if (first.length === 0) {
    await last;
    return;
  }
  const ctes = first.map((q) => q.toSQL());
  const end = last.toSQL();
  await knex.raw(`with ${ctes.map((c, i) => `w${i} as (${c.sql})`).join(', ')} ${end.sql}`, [
    ...ctes.flatMap((c) => c.bindings),
    ...end.bindings,
  ]);
}

/** A case row's upsert and its new events: one statement (a projection is one round trip). */
export function upsertWithEvents(
  knex: Knex,
  upsert: Knex.QueryBuilder,
  case_id: string,
  events: EventRow[],
): Promise<void> {
  return asOneStatement(knex, events.length > 0 ? [eventsInsert(knex, case_id, events)] : [], upsert);
}

/**
 * Inserts or updates the case's row from its snapshot, every column the snapshot carries (the entity's
 * columns: `db/rows.ts` converts them), unless the row already holds a newer projection.
 */
async function upsertSnapshot(
  trx: Knex.Transaction,
  meta: EntityMetadata,
  snapshot: { id: string; projection_seq: number },
  onInsert: Record<string, unknown> = {},
): Promise<void> {
  const { id, ...rest } = snapshotValues(meta, snapshot);
  await trx(meta.tableName)
    .insert({ id, ...rest, ...onInsert })
    .onConflict('id')
    .merge(Object.keys(rest))
    .where(`${meta.tableName}.projection_seq`, '<', snapshot.projection_seq);
}

/** NUL and lone surrogates cannot be stored in PostgreSQL text: the attention path must always write. */
function storable(text: string): string {
  return text
    .replaceAll(String.fromCharCode(0), '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
function storableDeep(value: unknown): unknown {
  if (typeof value === 'string') return storable(value);
  if (Array.isArray(value)) return value.map(storableDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storableDeep(v)]));
  }
  return value;
}

/**
 * Copies workflow state into PostgreSQL after each step (list views read these rows, never the
 * workflow), in one transaction on one connection. Snapshots carry the workflow's counter, so a late
 * retry of an older one changes nothing.
 */
export function projectionActivities({ orm }: ActivityDeps) {
  const filingMeta = orm.getMetadata().get(Filing.meta.className);
  const referralMeta = orm.getMetadata().get(Referral.meta.className);
  // The row is created when the workflow first projects it.
  const upsertFiling = (trx: Knex.Transaction, filing: FilingSnapshot) =>
    upsertSnapshot(trx, filingMeta, filing, { created_at: new Date(filing.updated_at) });
  const upsertReferral = (trx: Knex.Transaction, referral: ReferralSnapshot) =>
    upsertSnapshot(trx, referralMeta, referral);
  return {
    /** A case's rows and its new timeline events, written together or not at all. */
    async projectCase(args: {
      case_id: string;
      filing: FilingSnapshot;
      referral: ReferralSnapshot | null;
      events: EventRow[];
    }): Promise<void> {
      await orm.em.fork().transactional(async (tx) => {
        const trx = trxOf(tx);
        await upsertFiling(trx, args.filing);
        if (args.referral) await upsertReferral(trx, args.referral);
        await insertEvents(trx, args.case_id, args.events);
      });
    },
    /**
     * A case that needs a person (or that staff closed from there): its snapshot and events made
     * storable (NUL and lone surrogates replaced); where even that is refused (a constraint), only its
     * status and reason. It must succeed where the full projection failed for good.
     */
    async projectCaseStatus(args: {
      case_id: string;
      filing: FilingSnapshot;
      events: EventRow[];
    }): Promise<void> {
      const events = storableDeep(args.events) as EventRow[];
      try {
        await orm.em.fork().transactional(async (tx) => {
          const trx = trxOf(tx);
          await upsertFiling(trx, storableDeep(args.filing) as FilingSnapshot);
          await insertEvents(trx, args.case_id, events);
        });
      } catch {
        await orm.em.fork().transactional(async (tx) => {
          const trx = trxOf(tx);
          await trx('filing')
            .update({
              status: args.filing.status,
              reason: storable(args.filing.reason ?? '').slice(0, 2000),
              updated_at: new Date(),
              projection_seq: args.filing.projection_seq,
            })
            .where('id', args.case_id)
            .andWhere('projection_seq', '<', args.filing.projection_seq);
          await insertEvents(trx, args.case_id, events);
        });
      }
    },
    /** Filing v1 (frozen workflow): the filing row and its events. */
    async projectFiling({ filing, events }: { filing: FilingSnapshot; events: EventRow[] }): Promise<void> {
      await orm.em.fork().transactional(async (tx) => {
        const trx = trxOf(tx);
        await upsertFiling(trx, filing);
        await insertEvents(trx, filing.id, events);
      });
    },
    /** Referral v1 (frozen child workflow): the referral row and its events on the filing's timeline. */
    async projectReferral({
      referral,
      case_id,
      events,
    }: {
      referral: ReferralSnapshot;
      case_id: string;
      events: EventRow[];
    }): Promise<void> {
      await orm.em.fork().transactional(async (tx) => {
        const trx = trxOf(tx);
        await upsertReferral(trx, referral);
        await insertEvents(trx, case_id, events);
      });
    },
    /** 2502 (filing v1): the referral's own row follows its filing's revocation. */
    async markReferralRevoked({ id, memo }: { id: string; memo: string }): Promise<void> {
      const em = orm.em.fork();
      await em.nativeUpdate(Referral, { id }, { status: 'REVOKED', memo, updated_at: new Date() });
    },
  };
}
