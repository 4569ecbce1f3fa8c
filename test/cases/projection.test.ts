import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import type { FilingSnapshot } from '../../activities/projection';
import { CaseEvent, Filing } from '../../db/entities';
import type { Orm } from '../../db/orm';
import { migratedOrm } from '../support/db';

/** Projections: rows and events in one transaction on one connection, and bad data never retried. */
let orm: Orm;
let close: () => Promise<void>;
let activities: ReturnType<typeof createActivities>;

beforeAll(async () => {
  const db = await migratedOrm();
  orm = db.orm;
  close = db.close;
  activities = createActivities({ orm });
}, 120_000);
afterAll(async () => {
  await close?.();
});

const snapshot = (id: string, seq: number, memo: string | null = null): FilingSnapshot => ({
  id,
  psn_no: 'P34010000000001',
  insuplc_admdvs: '340100',
  prov_admdvs: '340000',
  category: 'other_temporary',
  status: 'ACTIVE',
  mdtrtarea_admdvs: '510100',
  fixmedins_code: null,
  begndate: '2026-12-01',
  enddate: '2027-05-31',
  commitment: true,
  deemed: false,
  retro: false,
  trt_dcla_detl_sn: null,
  effective_at: '2026-12-01T00:00:00.000Z',
  reason: null,
  memo,
  form: {},
  updated_at: '2026-12-01T00:00:00.000Z',
  projection_seq: seq,
});
const event = (id: string, n: number, detail: Record<string, unknown> = {}) => ({
  id: `${id}:e${n}`,
  at: '2026-12-01T00:00:00.000Z',
  actor: 'system',
  kind: 'active',
  detail,
});

test('a projection whose events cannot be stored writes nothing, and fails as non-retryable InvalidData', async () => {
  const id = `filing-atomic-${Date.now()}`;
  await activities.projectCase({
    case_id: id,
    filing: snapshot(id, 1),
    referral: null,
    events: [event(id, 1)],
  });
  const failure = await activities
    .projectCase({
      case_id: id,
      filing: snapshot(id, 2, 'changed'),
      referral: null,
      // PostgreSQL refuses a NUL character in jsonb: the event fails after the row was written in the same transaction.
      events: [event(id, 2, { memo: 'a\u0000b' })],
    })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: 'InvalidData', nonRetryable: true });
  // Atomic: the row kept its first projection; no event of the failed one.
  const row = await orm.em.fork().findOneOrFail(Filing, { id });
  expect([row.projection_seq, row.memo]).toEqual([1, null]);
  expect(await orm.em.fork().count(CaseEvent, { case_id: id })).toBe(1);
});

test('a late retry of an older snapshot changes nothing (projection_seq guard)', async () => {
  const id = `filing-late-${Date.now()}`;
  await activities.projectCase({ case_id: id, filing: snapshot(id, 2, 'newer'), referral: null, events: [] });
  await activities.projectCase({ case_id: id, filing: snapshot(id, 1, 'older'), referral: null, events: [] });
  expect((await orm.em.fork().findOneOrFail(Filing, { id })).memo).toBe('newer');
});

test('a burst of projections finishes with one connection each (more than the pool size at once)', async () => {
  const ids = Array.from({ length: 30 }, (_, i) => `filing-burst-${Date.now()}-${i}`);
  await Promise.all(
    ids.map((id) =>
      activities.projectCase({
        case_id: id,
        filing: snapshot(id, 1),
        referral: null,
        events: [event(id, 1)],
      }),
    ),
  );
  expect(await orm.em.fork().count(Filing, { id: { $in: ids } })).toBe(30);
  expect(await orm.em.fork().count(CaseEvent, { case_id: { $in: ids } })).toBe(30);
});
