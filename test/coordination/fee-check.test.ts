import path from 'node:path';
import request from 'supertest';
import { feeCheckBatchId, feeCheckMonthOf, feeCheckParamsFor, nextMonth, WORKFLOW_TYPES } from '../../cases';
import { HAINAN_CASE_CODES } from '../../db/catalogue-data';
import { FeeCheckItem, LedgerEntry } from '../../db/entities';
import { settledStay, type TestLine } from '../compensation/settled-stay';
import { eventually } from '../support/eventually';
import { recordAndReplay } from '../support/histories';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { bundleCaseWorkflows } from '../support/temporal';

/** Recorded by `YIDI_RECORD_HISTORIES=1 npx jest test/coordination/fee-check.test.ts`; replayed there too. */
const HISTORIES_DIR = path.join(__dirname, '..', 'cases', 'histories', 'fee-check');

/** 35,380.00 yuan at 华西 (成都) for a person insured in 海南: above the 30,000 threshold. */
const BIG: TestLine[] = [
  ['003310000010000', 380_000, 1], // 0001 乳腺癌改良根治术 3,800.00
  ['001107000010000', 6_000, 10], // 0002 ward bed 600.00
  [HAINAN_CASE_CODES.trastuzumab, 520_000, 5], // 0003 26,000.00
  [HAINAN_CASE_CODES.pertuzumab, 498_000, 1], // 0004 4,980.00
];
const SMALL: TestLine[] = [
  ['003311000010000', 260_000, 1],
  ['001107000010000', 6_000, 5],
];

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
}, 180_000);
afterAll(async () => {
  if (platform) {
    const { failures, replayed } = await recordAndReplay(
      platform.worker.client,
      await bundleCaseWorkflows(),
      HISTORIES_DIR,
      new Set([WORKFLOW_TYPES.feeCheckBatch]),
    );
    expect(failures).toEqual([]);
    expect(replayed).toBeGreaterThan(0);
  }
  await platform?.close();
}, 120_000);

function stay(lines: TestLine[]) {
  return settledStay(platform.orm, {
    psn_no: 'P46000000000001',
    psn_name: '王芳',
    insuplc_admdvs: '460000',
    insutype: '390',
    mdtrtarea_admvs: '510100',
    fixmedins_code: 'H51010000001',
    fixmedins_name: '四川大学华西医院',
    lines,
    endtime: new Date(Date.now() - 86_400_000),
  });
}

const api = () => request(platform.app);
async function post(user: string, url: string, body: object, key?: string) {
  const r = api()
    .post(`/api/v1${url}`)
    .set(await platform.as(user));
  if (key) r.set('Idempotency-Key', key);
  return r.send(body);
}
async function get(user: string, url: string) {
  return api()
    .get(`/api/v1${url}`)
    .set(await platform.as(user));
}
/** Σ debit − Σ credit over the whole ledger: zero when every entry set balances. */
async function ledgerImbalance(): Promise<number> {
  const [row] = await platform.orm.em
    .fork()
    .getKnex()('ledger_entry')
    .select(platform.orm.em.getKnex().raw('coalesce(sum(debit) - sum(credit), 0)::bigint as d'));
  return Number(row.d);
}

const month = () => feeCheckMonthOf(Date.now(), feeCheckParamsFor('460000').freeze_day);

describe('费用协查: request, freeze, answer per item, confirm, recovery in the ledger', () => {
  let setl_id: string;
  let check_id: string;

  test('the insured side requests a check on a settlement above the threshold', async () => {
    ({ setl_id } = await stay(BIG));
    // The request form's search: the insured side finds it by setl_id or psn_no; the treatment side does not.
    const found = await get('coord-hi', `/fee-check-candidates?q=${setl_id}`);
    expect(found.body).toEqual([
      expect.objectContaining({
        setl_id,
        psn_no: 'P46000000000001',
        psn_name: '王*',
        medfee_sumamt: 3_538_000,
      }),
    ]);
    const byPsn = await get('coord-hi', '/fee-check-candidates?q=P46000000000001');
    expect(byPsn.body.map((c: { setl_id: string }) => c.setl_id)).toContain(setl_id);
    expect((await get('coord-sc', `/fee-check-candidates?q=${setl_id}`)).body).toEqual([]);
    const r = await post('coord-hi', '/fee-checks', { setl_id, reason: '曲妥珠单抗用量异常' });
    expect(r.status).toBe(201);
    check_id = r.body.check_id;
    expect(r.body).toMatchObject({
      setl_id,
      status: 'REQUESTED',
      insured_prov: '460000',
      treatment_prov: '510000',
      medfee_sumamt: 3_538_000,
      batch_id: feeCheckBatchId('460000', '510000', month()),
      rolled_over: false,
    });
    expect(r.body.items.map((i: { feedetl_sn: string }) => i.feedetl_sn)).toEqual([
      '0001',
      '0002',
      '0003',
      '0004',
    ]);
    expect((await get('coord-hi', `/fee-check-candidates?q=${setl_id}`)).body).toEqual([]);
    // A retried POST (no Idempotency-Key): the same check again, nothing recorded twice.
    const retried = await post('coord-hi', '/fee-checks', { setl_id, reason: '曲妥珠单抗用量异常' });
    expect([retried.status, retried.body.check_id]).toEqual([200, check_id]);
    expect(await platform.orm.em.fork().count(FeeCheckItem, { check_id })).toBe(4);
    // Once per settlement.
    const again = await post('coord-hi', '/fee-checks', { setl_id, reason: '再次' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'FEE_CHECK_DUPLICATE', existing_id: check_id });
  });

  test('below the threshold is refused, with the threshold in the message', async () => {
    const small = await stay(SMALL);
    const r = await post('coord-hi', '/fee-checks', { setl_id: small.setl_id, reason: '核查' });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('FEE_CHECK_NOT_ELIGIBLE');
    expect(r.body.detail).toContain('30,000.00 元');
    expect(r.body.threshold).toBe(3_000_000);
    expect(
      (await get('coord-hi', '/fee-checks')).body.map((c: { setl_id: string }) => c.setl_id),
    ).not.toContain(small.setl_id);
  });

  test('the wrong side is refused; a third province sees nothing (404)', async () => {
    const bySc = await post('coord-sc', '/fee-checks', { setl_id, reason: '就医地不能发起' });
    expect(bySc.status).toBe(403);
    expect(bySc.body.code).toBe('FEE_CHECK_WRONG_SIDE');
    const third = await get('coord-ah', `/fee-checks/${check_id}`);
    // The same words as for a missing check, in Chinese: scope does not leak.
    expect([third.status, third.body.title, third.body.detail]).toEqual([
      404,
      '未找到',
      `没有费用协查 ${check_id}，或当前用户无权查看`,
    ]);
    expect((await get('coord-ah', '/fee-checks')).body).toEqual([]);
    expect((await get('coord-ah', '/fee-check-batches')).body).toEqual([]);
    const answerByAh = await post('coord-ah', `/fee-checks/${check_id}/answers`, {
      items: [{ feedetl_sn: '0001', outcome: 'correct' }],
    });
    expect(answerByAh.status).toBe(404);
    expect((await post('coord-ah', `/fee-checks/${check_id}/confirm`, {})).status).toBe(404);
    const answerByHi = await post('coord-hi', `/fee-checks/${check_id}/answers`, {
      items: [{ feedetl_sn: '0001', outcome: 'correct' }],
    });
    expect(answerByHi.status).toBe(403);
    expect(answerByHi.body.code).toBe('FEE_CHECK_WRONG_SIDE');
    // Both sides see it.
    expect((await get('coord-sc', `/fee-checks/${check_id}`)).body.check_id).toBe(check_id);
  });

  test('before the freeze the treatment side cannot answer; staff freeze the month', async () => {
    const early = await post('coord-sc', `/fee-checks/${check_id}/answers`, {
      items: [{ feedetl_sn: '0001', outcome: 'correct' }],
    });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('FEE_CHECK_NOT_FROZEN');
    const r = await post('staff-hi', '/fee-check-batches/freeze', { month: month() });
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(1);
    expect(r.body[0]).toMatchObject({ status: 'FROZEN', month: month() });
    expect(r.body[0].checks[0]).toMatchObject({ check_id, status: 'BATCHED' });
    expect(r.body[0].answer_due).toEqual(expect.any(String));
    const tasks = await platform.orm.em
      .fork()
      .getKnex()('human_task')
      .where({ case_id: r.body[0].batch_id, kind: 'fee_check_answer' });
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ prov_admdvs: '510000', role: 'coordinator', status: 'open' });
  });

  test('the treatment side answers per item: 核查无误, 核查有误 with reason and amount ≤ the line', async () => {
    const tooMuch = await post('coord-sc', `/fee-checks/${check_id}/answers`, {
      items: [{ feedetl_sn: '0003', outcome: 'incorrect', reason: '超量', amount: '26000.01' }],
    });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.code).toBe('FEE_CHECK_AMOUNT_INVALID');
    const first = await post(
      'coord-sc',
      `/fee-checks/${check_id}/answers`,
      {
        items: [
          { feedetl_sn: '0001', outcome: 'correct' },
          { feedetl_sn: '0003', outcome: 'incorrect', reason: '超出医嘱用量一支', amount: '5200.00' },
        ],
      },
      'answer-1',
    );
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('BATCHED');
    const item3 = first.body.items.find((i: { feedetl_sn: string }) => i.feedetl_sn === '0003');
    expect(item3).toMatchObject({ outcome: 'incorrect', amount: 520_000, reason: '超出医嘱用量一支' });
    // The same item again is refused; nothing changes.
    const twice = await post('coord-sc', `/fee-checks/${check_id}/answers`, {
      items: [{ feedetl_sn: '0003', outcome: 'correct' }],
    });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('FEE_CHECK_ALREADY_ANSWERED');
    const rest = await post('coord-sc', `/fee-checks/${check_id}/answers`, {
      items: [
        { feedetl_sn: '0002', outcome: 'correct' },
        { feedetl_sn: '0004', outcome: 'correct' },
      ],
    });
    expect(rest.status).toBe(200);
    expect(rest.body.status).toBe('ANSWERED');
    // The same answer retried without a key answers the same; a different one is refused.
    const retried = await post('coord-sc', `/fee-checks/${check_id}/answers`, {
      items: [
        { feedetl_sn: '0002', outcome: 'correct' },
        { feedetl_sn: '0004', outcome: 'correct' },
      ],
    });
    expect([retried.status, retried.body.status]).toEqual([200, 'ANSWERED']);
  });

  test('the insured side confirms: the recovery is in the ledger once, and the ledger balances', async () => {
    await eventually(async () => {
      const c = await get('coord-hi', `/fee-checks/${check_id}`);
      return c.body.confirm_due ? c.body : undefined;
    });
    const bySc = await post('coord-sc', `/fee-checks/${check_id}/confirm`, {});
    expect(bySc.status).toBe(403);
    expect(bySc.body.code).toBe('FEE_CHECK_WRONG_SIDE');
    const r = await post('coord-hi', `/fee-checks/${check_id}/confirm`, {}, 'confirm-1');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'CONFIRMED', recovered: 520_000 });
    // A retried confirmation (same key, or a new one) answers the same and writes nothing more.
    const retried = await post('coord-hi', `/fee-checks/${check_id}/confirm`, {}, 'confirm-1');
    expect(retried.body).toMatchObject({ status: 'CONFIRMED', recovered: 520_000 });
    const again = await post('coord-hi', `/fee-checks/${check_id}/confirm`, {}, 'confirm-2');
    expect(again.body).toMatchObject({ status: 'CONFIRMED', recovered: 520_000 });
    const entries = await platform.orm.em
      .fork()
      .find(LedgerEntry, { setl_id: check_id }, { orderBy: { seq: 'asc' } });
    expect(entries.map((e) => [e.account, e.admdvs, e.debit, e.credit])).toEqual([
      ['treatment_place_receivable', '510100', 0, 520_000],
      ['insured_fund_payable', '460000', 520_000, 0],
    ]);
    expect(await ledgerImbalance()).toBe(0);
    // 王芳 reads the check on her stay's timeline, in plain Chinese.
    const mdtrt_id = entries[0]?.mdtrt_id as string;
    const timeline = (await get('wangfang', `/stays/${mdtrt_id}`)).body.timeline as {
      event: string;
      text: string;
    }[];
    expect(timeline.filter((e) => e.event.startsWith('fee_check_'))).toEqual([
      {
        event: 'fee_check_requested',
        text: '参保地医保部门对本次住院结算发起费用协查（4 项费用），由就医地逐项核查',
        at: expect.any(String),
        actor: 'coord-hi',
      },
      {
        event: 'fee_check_answered',
        text: '就医地已答复费用协查：3 项核查无误，1 项核查有误（共 5200.00 元），待参保地确认',
        at: expect.any(String),
        actor: 'coord-sc',
      },
      {
        event: 'fee_check_confirmed',
        text: '参保地已确认费用协查结果：核查有误的 5200.00 元由医保基金向医院追回',
        at: expect.any(String),
        actor: 'coord-hi',
      },
    ]);
    const batch = await eventually(async () => {
      const b = await get('coord-sc', `/fee-check-batches/${feeCheckBatchId('460000', '510000', month())}`);
      return b.body.status === 'CLOSED' ? b.body : undefined;
    });
    expect(batch.checks[0]).toMatchObject({ check_id, status: 'CONFIRMED', recovered: 520_000 });
  });

  test('an answer after the batch closed is refused and nothing is recorded', async () => {
    const before = await platform.orm.em
      .fork()
      .find(FeeCheckItem, { check_id }, { orderBy: { feedetl_sn: 'asc' } });
    const late = await post('coord-sc', `/fee-checks/${check_id}/answers`, {
      items: [{ feedetl_sn: '0002', outcome: 'incorrect', reason: '补充', amount: '1.00' }],
    });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('FEE_CHECK_BATCH_CLOSED');
    const after = await platform.orm.em
      .fork()
      .find(FeeCheckItem, { check_id }, { orderBy: { feedetl_sn: 'asc' } });
    expect(after).toEqual(before);
    expect(await platform.orm.em.fork().count(LedgerEntry, { setl_id: check_id })).toBe(2);
  });
});

describe('费用协查: a check not answered by the due date rolls over into the next batch', () => {
  test('late → ROLLED_OVER (flagged) in next month’s batch; answered there after its freeze', async () => {
    const { setl_id } = await stay(BIG);
    const r = await post('coord-hi', '/fee-checks', { setl_id, reason: '用量核查' });
    expect(r.status).toBe(201);
    const check_id = r.body.check_id as string;
    // This month's batch is closed already: the request went into the next open month.
    const first = r.body.batch_id as string;
    const firstMonth = nextMonth(month());
    expect(first).toBe(feeCheckBatchId('460000', '510000', firstMonth));
    await post('staff-hi', '/fee-check-batches/freeze', { month: firstMonth });
    await eventually(async () => {
      const c = await get('coord-sc', `/fee-checks/${check_id}`);
      return c.body.status === 'BATCHED' ? c.body : undefined;
    });
    // Past the treatment side's answer limit (working days) with no answer.
    await platform.worker.env.sleep('20 days');
    const rolled = await eventually(async () => {
      const c = await get('coord-sc', `/fee-checks/${check_id}`);
      return c.body.status === 'ROLLED_OVER' ? c.body : undefined;
    });
    const secondMonth = nextMonth(firstMonth);
    expect(rolled).toMatchObject({
      rolled_over: true,
      batch_id: feeCheckBatchId('460000', '510000', secondMonth),
      answer_due: null,
    });
    const late = await post('coord-sc', `/fee-checks/${check_id}/answers`, {
      items: [{ feedetl_sn: '0001', outcome: 'correct' }],
    });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('FEE_CHECK_BATCH_CLOSED');
    const old = await get('coord-sc', `/fee-check-batches/${first}`);
    expect(old.body.status).toBe('CLOSED');
    // The next batch takes it at its freeze, still flagged.
    await eventually(async () => {
      const f = await post('staff-hi', '/fee-check-batches/freeze', { month: secondMonth });
      return f.body[0]?.status === 'FROZEN' ? f.body : undefined;
    });
    const answered = await post('coord-sc', `/fee-checks/${check_id}/answers`, {
      items: ['0001', '0002', '0003', '0004'].map((feedetl_sn) => ({ feedetl_sn, outcome: 'correct' })),
    });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ status: 'ANSWERED', rolled_over: true });

    // The insured side does not confirm within its working days: the task goes to its supervisors.
    const batch_id = feeCheckBatchId('460000', '510000', secondMonth);
    const knex = platform.orm.em.fork().getKnex();
    const open = await eventually(async () =>
      knex('human_task')
        .where({ id: `${batch_id}-confirm`, status: 'open' })
        .first(),
    );
    expect(open).toMatchObject({ kind: 'fee_check_confirm', prov_admdvs: '460000', role: 'coordinator' });
    await platform.worker.env.sleep('10 days');
    const escalated = await eventually(async () =>
      knex('human_task')
        .where({ id: `${batch_id}-confirm`, status: 'escalated' })
        .first(),
    );
    expect(escalated.role).toBe('supervisor');
    expect(new Date(escalated.due_at).getTime()).toBeGreaterThan(new Date(open.due_at).getTime());
    // Confirmed late, by the supervisor's province: the task is done.
    const confirmed = await post('coord-hi', `/fee-checks/${check_id}/confirm`, {});
    expect(confirmed.body).toMatchObject({ status: 'CONFIRMED' });
    await eventually(async () =>
      knex('human_task')
        .where({ id: `${batch_id}-confirm`, status: 'decided' })
        .first(),
    );
  });
});
