import path from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { createActivities } from '../../activities';
import {
  type CompensationStart,
  compensationWorkflowId,
  type DecisionMessage,
  decideUpdate,
} from '../../cases';
import { HAINAN_CASE_CODES } from '../../db/catalogue-data';
import { CaseEvent, Compensation, HumanTask, LedgerEntry, Settlement } from '../../db/entities';
import { compensationWorkflow } from '../../workflows';
import { eventually } from '../support/eventually';
import { expectReplays } from '../support/histories';
import { caseWorkerPerTest } from '../support/temporal';
import { settledStay, type TestLine } from './settled-stay';

/** Recorded by `YIDI_RECORD_HISTORIES=1 npx jest test/compensation/workflow.test.ts`; replayed by replay.test.ts. */
const HISTORIES_DIR = path.join(__dirname, 'histories');

// Every history a test produced must replay on the current workflow code (determinism check).
const suite = caseWorkerPerTest(({ worker, bundle }) => expectReplays(worker.client, bundle, HISTORIES_DIR));

/** 王芳's stay at 华西 in 成都: two targeted drugs that Chengdu does not list and Hainan does. */
const GAP_LINES: TestLine[] = [
  ['003310000010000', 380_000, 1], // 乳腺癌改良根治术 3,800.00
  ['001107000010000', 6_000, 10], // ward bed 60.00 × 10
  [HAINAN_CASE_CODES.trastuzumab, 520_000, 2], // 丙 in 成都, 乙 20% in 海南
  [HAINAN_CASE_CODES.pertuzumab, 498_000, 1],
];
/** Items graded alike in both places: the comparison finds nothing. */
const NO_GAP_LINES: TestLine[] = [
  ['003311000010000', 260_000, 1], // 腹腔镜胆囊切除术
  ['001107000010000', 6_000, 5],
  ['XJ01DDT070B002010101443', 2_500, 6], // 头孢曲松 甲
];

const DAY = 86_400_000;

async function settled(
  lines: TestLine[],
  dischargedDaysAgo = 1,
  ids?: { mdtrt_id: string; setl_id: string },
) {
  return settledStay(suite.orm, {
    psn_no: 'P46000000000001',
    psn_name: '王芳',
    insuplc_admdvs: '460000',
    insutype: '390',
    mdtrtarea_admvs: '510100',
    fixmedins_code: 'H51010000001',
    fixmedins_name: '四川大学华西医院',
    lines,
    endtime: new Date(Date.now() - dischargedDaysAgo * DAY),
    ids,
  });
}

function start(s: { mdtrt_id: string; setl_id: string }, over: Partial<CompensationStart> = {}) {
  const input: CompensationStart = {
    setl_id: s.setl_id,
    mdtrt_id: s.mdtrt_id,
    psn_no: 'P46000000000001',
    insuplc_admdvs: '460000',
    origin: 'detected',
    applied_by: null,
    at: new Date().toISOString(),
    ...over,
  };
  return suite.worker.client.workflow.start(compensationWorkflow, {
    workflowId: compensationWorkflowId(s.setl_id),
    taskQueue: suite.worker.taskQueue,
    args: [input],
  });
}

const row = (setl_id: string, status: string) => async () => {
  const r = await suite.orm.em.fork().findOne(Compensation, { setl_id });
  return r?.status === status ? r : undefined;
};
const taskOf =
  (setl_id: string, status = 'open') =>
  async () =>
    (await suite.orm.em.fork().findOne(HumanTask, {
      case_id: compensationWorkflowId(setl_id),
      status: status as HumanTask['status'],
    })) ?? undefined;
const texts = async (mdtrt_id: string) =>
  (
    await suite.orm.em.fork().find(CaseEvent, { case_id: mdtrt_id }, { orderBy: { at: 'asc', id: 'asc' } })
  ).map((e) => String(e.detail.text ?? e.kind));

function decision(task: HumanTask, d: Partial<DecisionMessage>): DecisionMessage {
  return {
    decision_id: crypto.randomUUID(),
    task_id: task.id,
    decision: 'approve',
    reason: null,
    decided_by: 'staff-hi',
    decided_at: new Date().toISOString(),
    ...d,
  };
}

test('detected with no difference between the catalogues: NOT_ELIGIBLE, no task, and the citizen is told why', async () => {
  const s = await settled(NO_GAP_LINES);
  const handle = await start(s);
  const view = await handle.result();
  expect(view.status).toBe('NOT_ELIGIBLE');
  expect(view.gap).toBe(0);
  // Hainan's own price limits are lower (95%): the manual claim would have paid less, not more.
  expect(view.recomputed_fund_pay).toBeLessThan(view.direct_fund_pay);
  const r = await eventually(row(s.setl_id, 'NOT_ELIGIBLE'));
  expect(r.items.map((i) => [i.direct.chrgitm_lv, i.insured_place.chrgitm_lv])).toEqual([
    ['01', '01'],
    ['01', '01'],
    ['01', '01'],
  ]);
  expect(await suite.orm.em.fork().count(HumanTask, { case_id: compensationWorkflowId(s.setl_id) })).toBe(0);
  expect((await texts(s.mdtrt_id)).at(-1)).toBe(
    '按参保地目录和政策重算，直接结算已报销的不少于手工报销应报销的金额，比较后无需补差',
  );
});

test('a gap goes to 海南 staff with what they need; approved, it is paid once through a balanced ledger entry', async () => {
  const s = await settled(GAP_LINES);
  const handle = await start(s);
  const task = await eventually(taskOf(s.setl_id));
  expect(task).toMatchObject({
    kind: 'compensation_review',
    case_type: 'compensation',
    prov_admdvs: '460000',
    role: 'staff',
  });
  const summary = task.summary as Record<string, unknown>;
  // In scope at 成都: 3,800 + 600 = 4,400; the drugs (15,380) all self-paid. At 海南 the drugs are 乙 20%.
  expect(summary).toMatchObject({ psn_no: 'P46000000000001', mdtrt_id: s.mdtrt_id, setl_id: s.setl_id });
  expect(summary.direct_fund_pay).toBe(s.fund_pay_sumamt);
  expect(Number(summary.gap)).toBeGreaterThan(100_000);
  expect(Number(summary.gap)).toBe(Number(summary.recomputed_fund_pay) - s.fund_pay_sumamt);
  expect((summary.changed_items as { med_list_codg: string }[]).map((i) => i.med_list_codg)).toEqual([
    HAINAN_CASE_CODES.trastuzumab,
    HAINAN_CASE_CODES.pertuzumab,
  ]);
  expect((await eventually(row(s.setl_id, 'UNDER_REVIEW'))).task_id).toBe(task.id);

  const approve = decision(task, {});
  await handle.executeUpdate(decideUpdate, { args: [approve], updateId: approve.decision_id });
  // Redelivered (the API's outbox retrying): answered as the first time, nothing paid twice.
  await handle.executeUpdate(decideUpdate, { args: [approve], updateId: approve.decision_id });
  const view = await handle.result();
  expect(view.status).toBe('PAID');
  const paid = await eventually(row(s.setl_id, 'PAID'));
  expect(paid.paid_at).not.toBeNull();
  expect(paid.decision).toMatchObject({ decision: 'approve' });
  const ledger = await suite.orm.em
    .fork()
    .find(LedgerEntry, { setl_id: `BC${s.setl_id}` }, { orderBy: { seq: 'asc' } });
  expect(ledger.map((l) => [l.account, l.debit, l.credit])).toEqual([
    ['personal_cash', view.gap, 0],
    ['insured_fund_payable', 0, view.gap],
  ]);
  expect(ledger.reduce((sum, l) => sum + l.debit - l.credit, 0)).toBe(0);
  expect(ledger[1]?.fund_pay_type).toBe('390100');
  const story = await texts(s.mdtrt_id);
  expect(story.join('\n')).toMatch(/差额 [\d,]+\.\d{2} 元，待参保地经办机构审核/);
  expect(story.at(-1)).toMatch(/^待遇补差 [\d,]+\.\d{2} 元已支付$/);
});

test("paid, the gap moves the person's accumulators of the year once, with the ledger pair; a payment retried after its commit moves nothing again", async () => {
  // 符海燕 (no other test here touches her accumulators); her row as the direct settlement left it.
  const psn_no = 'P46000000000002';
  const s = await settledStay(suite.orm, {
    psn_no,
    psn_name: '符海燕',
    insuplc_admdvs: '460000',
    insutype: '390',
    mdtrtarea_admvs: '510100',
    fixmedins_code: 'H51010000001',
    fixmedins_name: '四川大学华西医院',
    lines: GAP_LINES,
    endtime: new Date(Date.now() - DAY),
  });
  const direct = await suite.orm.em.fork().findOneOrFail(Settlement, { setl_id: s.setl_id });
  const knex = suite.orm.em.getKnex();
  await knex('accumulator').insert({
    psn_no,
    insuplc_admdvs: '460000',
    year: direct.acc_year,
    ...direct.accumulators_after,
    version: 1,
    updated_at: new Date(),
  });
  const FUND = ['hifp_paid_ytd', 'si_paid_ytd', 'cvlserv_paid_ytd', 'oth_paid_ytd', 'maf_paid_ytd'] as const;
  const accumulators = async () => {
    const r = await knex('accumulator')
      .where({ psn_no, insuplc_admdvs: '460000', year: direct.acc_year })
      .first();
    return Object.fromEntries(
      [...FUND, 'dedc_paid_ytd', 'si_base_ytd', 'acct_balc', 'version'].map((k) => [k, Number(r[k])]),
    );
  };
  const before = await accumulators();

  // The payment's first run commits and then its worker is lost before it reports: Temporal runs it again.
  const activities = createActivities({ orm: suite.orm });
  let payments = 0;
  const pay = activities.payCompensation;
  activities.payCompensation = async (args) => {
    payments += 1;
    const paid = await pay(args);
    if (payments === 1) throw new Error('worker lost after the payment committed');
    return paid;
  };
  await suite.restartWorker(activities);

  const handle = await start(s, { psn_no });
  const task = await eventually(taskOf(s.setl_id));
  const approve = decision(task, {});
  await handle.executeUpdate(decideUpdate, { args: [approve], updateId: approve.decision_id });
  const view = await handle.result();
  expect(view.status).toBe('PAID');
  expect(payments).toBe(2);

  const after = await accumulators();
  // The fund's year-to-date payments (what the cap counts) grew by the gap paid, once; the account untouched.
  expect(FUND.reduce((sum, k) => sum + (after[k] ?? 0) - (before[k] ?? 0), 0)).toBe(view.gap);
  expect(after.hifp_paid_ytd).toBeGreaterThan(before.hifp_paid_ytd ?? 0);
  expect(after.acct_balc).toBe(before.acct_balc);
  expect(after.version).toBe((before.version ?? 0) + 1);
  expect(await suite.orm.em.fork().count(LedgerEntry, { setl_id: `BC${s.setl_id}` })).toBe(2);
});

test('rejected with a reason: REJECTED, nothing paid, the citizen reads the reason; no reason, no rejection', async () => {
  const s = await settled(GAP_LINES);
  const handle = await start(s);
  const task = await eventually(taskOf(s.setl_id));
  const bare = decision(task, { decision: 'reject' });
  const refused = await handle.executeUpdate(decideUpdate, { args: [bare], updateId: bare.decision_id }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((refused as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'REASON_REQUIRED' });
  const reject = decision(task, { decision: 'reject', reason: '曲妥珠单抗用药未附病理及HER2检测报告' });
  await handle.executeUpdate(decideUpdate, { args: [reject], updateId: reject.decision_id });
  expect((await handle.result()).status).toBe('REJECTED');
  const r = await eventually(row(s.setl_id, 'REJECTED'));
  expect(r.decision).toMatchObject({ decision: 'reject', reason: '曲妥珠单抗用药未附病理及HER2检测报告' });
  expect(await suite.orm.em.fork().count(LedgerEntry, { setl_id: `BC${s.setl_id}` })).toBe(0);
  expect((await texts(s.mdtrt_id)).at(-1)).toBe(
    '参保地经办机构未通过待遇补差：曲妥珠单抗用药未附病理及HER2检测报告',
  );
});

test('the review SLA lapses: the task goes to the supervisors (督办), who approve it', async () => {
  const s = await settled(GAP_LINES);
  const handle = await start(s);
  await eventually(taskOf(s.setl_id));
  await suite.worker.env.sleep('12 days'); // more than 5 working days, whatever the weekday or holiday
  const escalated = await eventually(taskOf(s.setl_id, 'escalated'));
  expect(escalated.role).toBe('supervisor');
  expect(await texts(s.mdtrt_id)).toContain('escalated');
  const approve = decision(escalated, { decided_by: 'super-hi' });
  await handle.executeUpdate(decideUpdate, { args: [approve], updateId: approve.decision_id });
  expect((await handle.result()).status).toBe('PAID');
});

test('after the deadline the comparison still runs and says it is too late (a detection that came late)', async () => {
  const s = await settled(GAP_LINES, 400);
  const view = await (await start(s, { origin: 'applied', applied_by: 'wangfang' })).result();
  expect(view.status).toBe('NOT_ELIGIBLE');
  expect(view.steps.find((x) => x.step === 'deadline')?.passed).toBe(false);
  expect((await texts(s.mdtrt_id)).at(-1)).toBe('已超过出院后 365 天的申请期限，比较后无需补差');
});

test('a comparison that cannot read its settlement goes to 海南 staff (case_attention): retried once the data is there', async () => {
  const ids = { mdtrt_id: `510100T${Date.now()}`, setl_id: `SLATE${Date.now()}` };
  const handle = await start(ids);
  const attention = await eventually(taskOf(ids.setl_id));
  expect(attention).toMatchObject({
    kind: 'case_attention',
    case_type: 'compensation',
    prov_admdvs: '460000',
  });
  expect((attention.summary as { reason: string }).reason).toMatch(/^InvalidData: no settlement/);
  await eventually(async () =>
    (await texts(ids.mdtrt_id)).includes('待遇补差比较未能完成，已转参保地经办人员处理') ? true : undefined,
  );
  // The settlement is recorded after all; staff retry, and the comparison finds the gap.
  await settled(GAP_LINES, 1, ids);
  const retry = decision(attention, { decision: 'retry' });
  await handle.executeUpdate(decideUpdate, { args: [retry], updateId: retry.decision_id });
  // (The attention task stays open in the table: these tests decide by update, not through the API.)
  const review = await eventually(
    async () =>
      (await suite.orm.em
        .fork()
        .findOne(HumanTask, { case_id: compensationWorkflowId(ids.setl_id), kind: 'compensation_review' })) ??
      undefined,
  );
  const reject = decision(review, { decision: 'reject', reason: '已另行手工报销' });
  await handle.executeUpdate(decideUpdate, { args: [reject], updateId: reject.decision_id });
  expect((await handle.result()).status).toBe('REJECTED');
  expect(await texts(ids.mdtrt_id)).toContain('经办人员已重新发起待遇补差比较');
});
