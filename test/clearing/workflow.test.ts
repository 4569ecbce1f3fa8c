import path from 'node:path';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { clearingWorkflowId, WORKFLOW_TYPES } from '../../cases';
import {
  type ClearingActionRequest,
  type ClearingInput,
  clearingActionUpdate,
  clearingStateQuery,
} from '../../cases/clearing';
import { readAdvanceFunds } from '../../db/advance-funds';
import { readStatements } from '../../db/clearing';
import { type DemoSettlement, insertSettlements } from '../../db/clearing-demo';
import type { Orm } from '../../db/orm';
import { seedReferenceData } from '../../db/seed';
import { migratedOrm } from '../support/db';
import { eventually } from '../support/eventually';
import { recordAndReplay } from '../support/histories';
import { bundleCaseWorkflows, caseWorker } from '../support/temporal';

const MONTH = '2026-10';
const HISTORIES = path.join(__dirname, '..', 'cases', 'histories', 'clearing');

let orm: Orm;
let close: () => Promise<void>;
let w: Awaited<ReturnType<typeof caseWorker>>;

const s = (
  setl_id: string,
  insuplc_admdvs: string,
  mdtrtarea_admvs: string,
  insutype: string,
  hifp_pay: number,
  maf_pay: number,
  acct_pay: number,
  day: number,
): DemoSettlement => ({
  setl_id,
  insuplc_admdvs,
  mdtrtarea_admvs,
  fixmedins_code: 'H51010000001',
  psn_no: `P${setl_id}`,
  insutype,
  hifp_pay,
  maf_pay,
  acct_pay,
  psn_cash_pay: 123_457,
  day,
});

/** Settled the month before: its reversal in October counts against October. */
const SEPTEMBER = [s('T0900S01', '340100', '510100', '310', 333_333, 0, 11_111, 28)];
/** October: two insurance types, 医疗救助, reversals, both directions of 海南–四川, one same-province stay. */
const OCTOBER: DemoSettlement[] = [
  s('T1001S01', '340100', '510100', '310', 1_000_001, 0, 50_003, 2),
  s('T1002S01', '340100', '510100', '390', 700_007, 80_009, 0, 5),
  s('T1003S01', '340100', '510100', '390', 410_011, 0, 0, 7),
  { ...s('T1003R01', '340100', '510100', '390', 0, 0, 0, 9), reverses: 'T1003S01' },
  { ...s('T0900R01', '340100', '510100', '310', 0, 0, 0, 10), reverses: 'T0900S01' },
  s('T1004S01', '460000', '510100', '390', 1_900_013, 300_017, 0, 12),
  s('T1005S01', '460000', '510100', '310', 980_019, 0, 45_023, 14),
  s('T1006S01', '510100', '460000', '310', 760_029, 0, 30_031, 20),
  s('T1007S01', '510100', '510100', '310', 555_555, 0, 0, 21),
];
/** Outside the month: November's settlement stays out of October. */
const NOVEMBER = [s('T1101S01', '340100', '510100', '310', 999_999, 0, 0, 1)];

beforeAll(async () => {
  const db = await migratedOrm();
  orm = db.orm;
  close = db.close;
  await seedReferenceData(orm.em.fork());
  const knex = orm.em.getKnex();
  await insertSettlements(knex, '2026-09', SEPTEMBER);
  await insertSettlements(knex, MONTH, OCTOBER, SEPTEMBER);
  await insertSettlements(knex, '2026-11', NOVEMBER);
  w = await caseWorker(orm, 'time-skipping', await bundleCaseWorkflows());
}, 180_000);
afterAll(async () => {
  await w?.teardown();
  await close?.();
});

const knex = () => orm.em.getKnex();
let seq = 0;
const act = (req: Omit<ClearingActionRequest, 'action_id' | 'user'> & { user?: string }) => {
  seq += 1;
  const action_id = `t-${seq}`;
  return w.client.workflow.getHandle(clearingWorkflowId(MONTH)).executeUpdate(clearingActionUpdate, {
    updateId: action_id,
    args: [{ user: 'tester', ...req, action_id }],
  });
};
const refusedWith = async (p: Promise<unknown>, code: string) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(((e as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe(code);
};
const statement = async (pair_id: string) =>
  (await readStatements(knex(), { clr_month: MONTH, pair_id, provs: null }))[0];
const pairState = async (pair_id: string) =>
  (await w.client.workflow.getHandle(clearingWorkflowId(MONTH)).query(clearingStateQuery)).pairs.find(
    (p) => p.pair_id === pair_id,
  );
const ready = (pair_id: string) =>
  eventually(async () => {
    const p = await pairState(pair_id);
    return p?.status === 'GENERATED' && p.task_ids.insured && p.task_ids.treatment ? p : undefined;
  });

describe('a month of settlements and reversals', () => {
  beforeAll(async () => {
    // Advances sized so October's draw crosses 安徽→四川's yellow level and 海南→四川's red one.
    await knex()('advance_fund').where({ pair_id: '340000-510000' }).update({ granted: 1_900_000, used: 0 });
    await knex()('advance_fund').where({ pair_id: '460000-510000' }).update({ granted: 3_400_000, used: 0 });
    await w.client.workflow.start(WORKFLOW_TYPES.clearing, {
      workflowId: clearingWorkflowId(MONTH),
      taskQueue: w.taskQueue,
      args: [{ clr_month: MONTH, requested_by: 'staff-ah', confirm_working_days: 3 } satisfies ClearingInput],
    });
    await ready('340000-510000');
  }, 180_000);

  test('clears to the fen, split by insurance type and fund, as the settlements table sums it', async () => {
    // The expectation straight from the settlements table (reversal rows carry negated amounts).
    const sums = await knex()
      .raw(
        `select left(insuplc_admdvs,2)||'0000-'||left(mdtrtarea_admvs,2)||'0000' as pair_id, insutype,
                sum(fund_pay_sumamt - maf_pay)::bigint as fund, sum(acct_pay)::bigint as acct, sum(maf_pay)::bigint as maf
           from settlement
          where setl_time >= '2026-09-30T16:00:00Z' and setl_time < '2026-10-31T16:00:00Z'
            and left(insuplc_admdvs,2) <> left(mdtrtarea_admvs,2)
          group by 1, 2 order by 1, 2`,
      )
      .then(
        (r: { rows: { pair_id: string; insutype: string; fund: string; acct: string; maf: string }[] }) =>
          r.rows,
      );
    const statements = await readStatements(knex(), { clr_month: MONTH, provs: null });
    expect(statements.map((x) => x.pair_id)).toEqual(['340000-510000', '460000-510000', '510000-460000']);
    for (const row of sums) {
      const st = statements.find((x) => x.pair_id === row.pair_id);
      for (const fund of ['fund', 'acct', 'maf'] as const) {
        const line = st?.lines.find((l) => l.insutype === row.insutype && l.fund === fund);
        expect([row.pair_id, row.insutype, fund, line?.amount ?? 0]).toEqual([
          row.pair_id,
          row.insutype,
          fund,
          Number(row[fund]),
        ]);
      }
    }
    const ah = statements[0];
    // 310: 1,000,001 − 333,333 (September's, reversed in October) = 666,668; 390: 700,007 + 410,011 − 410,011.
    expect(ah?.lines).toEqual([
      {
        insutype: '310',
        fund: 'fund',
        settlements: 1,
        reversals: 1,
        medfee_sumamt: 1_173_461 - 467_901,
        amount: 666_668,
      },
      {
        insutype: '310',
        fund: 'acct',
        settlements: 1,
        reversals: 1,
        medfee_sumamt: 1_173_461 - 467_901,
        amount: 38_892,
      },
      {
        insutype: '390',
        fund: 'fund',
        settlements: 2,
        reversals: 1,
        medfee_sumamt: 903_473,
        amount: 700_007,
      },
      { insutype: '390', fund: 'maf', settlements: 1, reversals: 0, medfee_sumamt: 903_473, amount: 80_009 },
    ]);
    expect(ah?.owed).toBe(666_668 + 38_892 + 700_007 + 80_009);
    expect(ah?.net_transfer).toBe(ah?.owed);
    // 海南↔四川 net against each other.
    const hn = statements[1];
    const sc = statements[2];
    expect(hn?.owed).toBe(1_900_013 + 300_017 + 980_019 + 45_023);
    expect(sc?.owed).toBe(760_029 + 30_031);
    expect(hn?.net_transfer).toBe((hn?.owed ?? 0) - (sc?.owed ?? 0));
    expect(sc?.net_transfer).toBe(-(hn?.net_transfer ?? 0));
    expect(ah?.status).toBe('GENERATED');
    expect(ah?.confirmations.map((c) => [c.side, c.by])).toEqual([
      ['insured', null],
      ['treatment', null],
    ]);
    const tasks = await knex()('human_task')
      .where({ case_id: `clearing-${MONTH}-340000-510000` })
      .orderBy('id');
    expect(tasks.map((t) => [t.kind, t.prov_admdvs, t.role, t.status])).toEqual([
      ['clearing_confirm', '340000', 'coordinator', 'open'],
      ['clearing_confirm', '510000', 'coordinator', 'open'],
    ]);
  });

  test('预付金: the month’s draw reaches yellow on one pair, red with an emergency top-up on another', async () => {
    const funds = await readAdvanceFunds(knex(), ['510000']);
    const ah = funds.find((f) => f.insured_prov === '340000' && f.treatment_prov === '510000');
    const hn = funds.find((f) => f.insured_prov === '460000');
    expect(ah).toMatchObject({ used: 1_485_576, usage_ppm: 781_882, level: 'yellow', top_up_requests: [] });
    expect(hn).toMatchObject({ used: 3_225_072, level: 'red', top_up: 3_050_144 });
    expect(hn?.top_up_requests).toHaveLength(1);
    expect(hn?.top_up_requests[0]?.amount).toBe(hn?.top_up);
    const log = await knex()('advance_fund_event').where({ pair_id: '460000-510000' }).orderBy('id');
    expect(log.map((e) => e.event)).toEqual(['drawn', 'warning_red', 'top_up_requested']);
  });

  test('the wrong side’s confirmation and a transfer before both confirmed are refused', async () => {
    await refusedWith(
      act({ pair_id: '340000-510000', action: 'confirm', side: 'insured', prov_admdvs: '510000' }),
      'CLEARING_WRONG_SIDE',
    );
    await refusedWith(
      act({ pair_id: '340000-510000', action: 'confirm', side: 'insured', prov_admdvs: '460000' }),
      'CLEARING_WRONG_SIDE',
    );
    await refusedWith(
      act({
        pair_id: '340000-510000',
        action: 'transfer',
        side: 'insured',
        prov_admdvs: '340000',
        reference: 'X',
      }),
      'CLEARING_NOT_ALLOWED',
    );
    await refusedWith(
      act({ pair_id: '340000-999999', action: 'confirm', side: 'insured', prov_admdvs: '340000' }),
      'CLEARING_NOT_FOUND',
    );
  });

  test('both confirm → the insured side transfers the net → RECONCILED; the advance is given back', async () => {
    const pair_id = '340000-510000';
    await act({ pair_id, action: 'confirm', side: 'insured', prov_admdvs: '340000', user: 'coord-ah' });
    await refusedWith(
      act({ pair_id, action: 'confirm', side: 'insured', prov_admdvs: '340000' }),
      'CLEARING_NOT_ALLOWED',
    );
    const both = await act({
      pair_id,
      action: 'confirm',
      side: 'treatment',
      prov_admdvs: '510000',
      user: 'coord-sc',
    });
    expect(both.status).toBe('CONFIRMED');
    await refusedWith(
      act({ pair_id, action: 'transfer', side: 'treatment', prov_admdvs: '510000', reference: 'X' }),
      'CLEARING_WRONG_SIDE',
    );
    const paid = await act({
      pair_id,
      action: 'transfer',
      side: 'insured',
      prov_admdvs: '340000',
      user: 'coord-ah',
      reference: 'GK-2026-11-0001',
    });
    expect(paid.status).toBe('TRANSFERRED');
    const done = await eventually(async () => {
      const st = await statement(pair_id);
      return st?.status === 'RECONCILED' ? st : undefined;
    });
    expect(done.transfer).toMatchObject({
      amount: done.net_transfer,
      by: 'coord-ah',
      reference: 'GK-2026-11-0001',
    });
    expect(done.confirmations.map((c) => c.by)).toEqual(['coord-ah', 'coord-sc']);
    const tasks = await knex()('human_task')
      .where({ case_id: `clearing-${MONTH}-${pair_id}` })
      .orderBy('id');
    expect(tasks.map((t) => [t.status, t.decision, t.decided_by])).toEqual([
      ['decided', 'approve', 'coord-ah'],
      ['decided', 'approve', 'coord-sc'],
    ]);
    await refusedWith(
      act({ pair_id, action: 'dispute', side: 'insured', prov_admdvs: '340000', reason: '晚了' }),
      'CLEARING_CLOSED',
    );
    const fund = (await readAdvanceFunds(knex(), ['340000'])).find((f) => f.treatment_prov === '510000');
    expect(fund?.used).toBe(0);
    // One transfer row, one confirmation per side: nothing recorded twice.
    expect(await knex()('clearing_transfer').where({ clr_month: MONTH, pair_id }).count({ n: '*' })).toEqual([
      { n: '1' },
    ]);
  });

  test('a direction netted to nothing of its own: both confirm, no transfer of its own, RECONCILED', async () => {
    const pair_id = '510000-460000';
    await ready(pair_id);
    await act({ pair_id, action: 'confirm', side: 'insured', prov_admdvs: '510000', user: 'coord-sc' });
    await act({ pair_id, action: 'confirm', side: 'treatment', prov_admdvs: '460000', user: 'coord-hi' });
    const done = await eventually(async () => {
      const st = await statement(pair_id);
      return st?.status === 'RECONCILED' ? st : undefined;
    });
    expect(done.net_transfer).toBeLessThan(0);
    expect(done.transfer).toMatchObject({ amount: 0, by: 'system' });
  });

  test('a dispute waits for a re-clear, which recomputes the statement in a new round', async () => {
    const pair_id = '460000-510000';
    await ready(pair_id);
    const before = await statement(pair_id);
    const disputed = await act({
      pair_id,
      action: 'dispute',
      side: 'insured',
      prov_admdvs: '460000',
      user: 'coord-hi',
      reason: '有一笔结算漏报',
      fee_check_ids: ['FC-1'],
      ticket_ids: ['SE1'],
    });
    expect(disputed.status).toBe('DISPUTED');
    await refusedWith(
      act({ pair_id, action: 'confirm', side: 'treatment', prov_admdvs: '510000' }),
      'CLEARING_NOT_ALLOWED',
    );
    // The missing settlement arrives (a late 3201 reconciliation), then staff re-clear.
    await insertSettlements(knex(), MONTH, [
      s('T1008S01', '460000', '510100', '390', 100_003, 20_011, 0, 25),
    ]);
    const again = await act({
      pair_id,
      action: 'reclear',
      side: null,
      prov_admdvs: '460000',
      user: 'staff-hi',
    });
    expect(again).toMatchObject({ status: 'GENERATED', round: 2 });
    const after = await statement(pair_id);
    expect(after?.owed).toBe((before?.owed ?? 0) + 100_003 + 20_011);
    // The opposite direction (四川 → 海南) is netted against the new amounts too, in the table and the run.
    const back = await statement('510000-460000');
    expect(after?.net_transfer).toBe((before?.net_transfer ?? 0) + 100_003 + 20_011);
    expect(back?.net_transfer).toBe(-(after?.net_transfer ?? 0));
    expect((await pairState('510000-460000'))?.net_transfer).toBe(back?.net_transfer);
    expect(after?.disputes).toEqual([
      expect.objectContaining({
        side: 'insured',
        reason: '有一笔结算漏报',
        fee_check_ids: ['FC-1'],
        ticket_ids: ['SE1'],
      }),
    ]);
    const round2 = await ready(pair_id);
    expect(round2.task_ids.insured).toMatch(/-r2$/);
    const tasks = await knex()('human_task')
      .where({ case_id: `clearing-${MONTH}-${pair_id}` })
      .orderBy('id');
    expect(tasks.map((t) => [t.id.replace(`clearing-${MONTH}-${pair_id}-`, ''), t.status])).toEqual([
      ['insured-r1', 'decided'],
      ['insured-r2', 'open'],
      ['treatment-r1', 'cancelled'],
      ['treatment-r2', 'open'],
    ]);
  });

  test('an unconfirmed statement’s tasks go to the supervisors once the working days lapse', async () => {
    const pair_id = '460000-510000';
    await ready(pair_id);
    await act({ pair_id, action: 'confirm', side: 'treatment', prov_admdvs: '510000', user: 'coord-sc' });
    await w.env.sleep('8 days');
    const tasks = await eventually(async () => {
      const t = await knex()('human_task')
        .where({ case_id: `clearing-${MONTH}-${pair_id}` })
        .where('id', 'like', '%-r2');
      return t.some((x) => x.status === 'escalated') ? t : undefined;
    });
    expect(tasks.map((t) => [t.prov_admdvs, t.status, t.role]).sort()).toEqual([
      ['460000', 'escalated', 'supervisor'],
      ['510000', 'decided', 'coordinator'],
    ]);
  });

  test('clearing a month twice is refused: by Temporal’s id and by the run’s key; nothing recorded twice', async () => {
    await expect(
      w.client.workflow.start(WORKFLOW_TYPES.clearing, {
        workflowId: clearingWorkflowId(MONTH),
        taskQueue: w.taskQueue,
        args: [{ clr_month: MONTH, requested_by: 'staff-hi' }],
      }),
    ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    const lines = await knex()('clearing_line').where({ clr_month: MONTH }).count({ n: '*' });
    const h = await w.client.workflow.start(WORKFLOW_TYPES.clearing, {
      workflowId: `${clearingWorkflowId(MONTH)}-again`,
      taskQueue: w.taskQueue,
      args: [{ clr_month: MONTH, requested_by: 'staff-hi' }],
    });
    const e = await h.result().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(WorkflowFailedError);
    expect(((e as WorkflowFailedError).cause as ApplicationFailure).type).toBe('CLEARING_MONTH_DONE');
    expect(await knex()('clearing_line').where({ clr_month: MONTH }).count({ n: '*' })).toEqual(lines);
    expect(await knex()('clearing_run').count({ n: '*' })).toEqual([{ n: '1' }]);
    expect(
      await knex()('advance_fund_event')
        .where({ event: 'drawn', clr_month: MONTH, pair_id: '340000-510000' })
        .count({ n: '*' }),
    ).toEqual([{ n: '1' }]);
  });

  test('the recorded clearing histories replay on the current code', async () => {
    const { failures, replayed } = await recordAndReplay(
      w.client,
      await bundleCaseWorkflows(),
      HISTORIES,
      new Set([WORKFLOW_TYPES.clearing]),
    );
    expect(replayed).toBeGreaterThanOrEqual(2);
    expect(failures).toEqual([]);
  });
});
