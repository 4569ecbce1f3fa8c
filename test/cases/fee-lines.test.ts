import { stayActivities } from '../../activities/stay';
import { type FeeDetailIn, STAY_REFUSALS } from '../../cases';
import { seededOrmForFile } from '../support/db';

/**
 * 2301's storage (`storeFeeLines`): a batch of the most lines a HIS may send at once goes in one
 * INSERT, all or none, and a batch repeated or partly repeated answers as before.
 */
const db = seededOrmForFile();

const CODES = ['BED001', 'SUR001', 'DRG001', 'DRG002', 'MAT001', 'XXX901'];
const MDTRT = '510100202612020000000001';
const BEGNTIME = '2026-11-28T02:00:00.000Z';

function lines(n: number, from = 1): FeeDetailIn[] {
  // A line's content follows its feedetl_sn, so the same sn in two batches is the same line.
  return Array.from({ length: n }, (_, i) => {
    const k = from + i;
    return {
      feedetl_sn: String(k).padStart(4, '0'),
      rx_drord_no: `RX${k}`,
      med_list_codg: CODES[k % CODES.length]!,
      medins_list_codg: `H-${k}`,
      medins_list_name: '院内项目',
      fee_ocur_time: BEGNTIME,
      cnt_e4: 10_000,
      pric_e4: 1_000_000 + k * 100,
      det_item_fee_sumamt: 10_000 + k,
      bilg_dept_codg: 'A03',
      bilg_dr_codg: 'D001',
    };
  });
}

/** The statements `work` sends (their SQL text). */
async function statements<T>(work: () => Promise<T>): Promise<{ result: T; sent: string[] }> {
  const sent: string[] = [];
  const knex = db.orm.em.getKnex();
  const listen = (q: { sql: string }) => sent.push(q.sql);
  knex.on('query', listen);
  try {
    return { result: await work(), sent };
  } finally {
    knex.removeListener('query', listen);
  }
}

const stored = async (mdtrt_id: string) =>
  Number((await db.orm.em.getKnex()('fee_detail').where({ mdtrt_id }).count({ n: '*' }))[0]!.n);

test('a batch of 500 lines is stored with one INSERT and answered line by line', async () => {
  const batch = lines(500);
  const store = stayActivities({ orm: db.orm }).storeFeeLines;
  const { result, sent } = await statements(() =>
    store({ mdtrt_id: MDTRT, mdtrtarea_admvs: '510100', begntime: BEGNTIME, lines: batch }),
  );
  if ('refused' in result) throw new Error(result.refused.message);
  expect(result.result).toHaveLength(500);
  expect(result.fee_count).toBe(500);
  expect(result.medfee_sumamt).toBe(batch.reduce((s, l) => s + l.det_item_fee_sumamt, 0));
  // One statement inserts the batch (and brings the stay's totals before it back with the rows).
  expect(sent.filter((s) => /\binsert into "fee_detail"/.test(s))).toHaveLength(1);
  expect(sent.filter((s) => /\bfrom "fee_detail"/.test(s) && !/\binsert\b/.test(s))).toHaveLength(0);
  expect(await stored(MDTRT)).toBe(500);

  // Sent again (a retried activity, a resent message): the same answer, nothing added.
  const again = await store({ mdtrt_id: MDTRT, mdtrtarea_admvs: '510100', begntime: BEGNTIME, lines: batch });
  expect(again).toEqual(result);
  expect(await stored(MDTRT)).toBe(500);
});

test('one line of a 500-line batch that differs from its stored content refuses the whole batch, naming it', async () => {
  const mdtrt_id = '510100202612020000000002';
  const store = stayActivities({ orm: db.orm }).storeFeeLines;
  const first = await store({
    mdtrt_id,
    mdtrtarea_admvs: '510100',
    begntime: BEGNTIME,
    lines: lines(1, 437),
  });
  expect('refused' in first).toBe(false);
  const batch = lines(500);
  batch[436] = { ...batch[436]!, det_item_fee_sumamt: batch[436]!.det_item_fee_sumamt + 1 };
  const r = await store({ mdtrt_id, mdtrtarea_admvs: '510100', begntime: BEGNTIME, lines: batch });
  expect(r).toMatchObject({
    refused: { code: STAY_REFUSALS.FEE_LINE_CONFLICT, details: { feedetl_sn: '0437' } },
  });
  // All or none: only the line stored before.
  expect(await stored(mdtrt_id)).toBe(1);
});

test('a second batch of new lines answers the totals of both; after a cancellation, only the active lines count', async () => {
  const mdtrt_id = '510100202612020000000003';
  const { storeFeeLines: store, cancelFeeLines } = stayActivities({ orm: db.orm });
  const sum = (ls: FeeDetailIn[]) => ls.reduce((s, l) => s + l.det_item_fee_sumamt, 0);
  const a = lines(3, 1);
  const b = lines(2, 10);
  const c = lines(4, 20);
  await store({ mdtrt_id, mdtrtarea_admvs: '510100', begntime: BEGNTIME, lines: a });
  const second = await store({ mdtrt_id, mdtrtarea_admvs: '510100', begntime: BEGNTIME, lines: b });
  expect(second).toMatchObject({ fee_count: 5, medfee_sumamt: sum([...a, ...b]) });
  const cancelled = await cancelFeeLines({ mdtrt_id, feedetl_sn: [a[0]!.feedetl_sn] });
  expect(cancelled).toEqual({ fee_count: 4, medfee_sumamt: sum([...a.slice(1), ...b]) });
  const third = await store({ mdtrt_id, mdtrtarea_admvs: '510100', begntime: BEGNTIME, lines: c });
  expect(third).toMatchObject({ fee_count: 8, medfee_sumamt: sum([...a.slice(1), ...b, ...c]) });
  // The cancelled line sent again with new lines: stored again, every active line counted.
  const fourth = await store({
    mdtrt_id,
    mdtrtarea_admvs: '510100',
    begntime: BEGNTIME,
    lines: [a[0]!, ...lines(1, 30)],
  });
  expect(fourth).toMatchObject({ fee_count: 10, medfee_sumamt: sum([...a, ...b, ...c, ...lines(1, 30)]) });
});
