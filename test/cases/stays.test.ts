import path from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import request from 'supertest';
import { createActivities } from '../../activities';
import {
  type Admission,
  admissionUpdate,
  cancelAdmissionUpdate,
  cancelDischargeUpdate,
  cancelFeesUpdate,
  changeAdmissionUpdate,
  cstDate,
  dischargeUpdate,
  type FeeDetailIn,
  type FilingInput,
  newMdtrtId,
  presettleUpdate,
  reverseSettlementUpdate,
  type SettlementResult,
  settleUpdate,
  stayStateQuery,
  stayWorkflowId,
  transactionUpdateId,
  uploadFeesUpdate,
} from '../../cases';
import { Filing, Stay } from '../../db/entities';
import type { Orm } from '../../db/orm';
import { seedReferenceData } from '../../db/seed';
import { filingWorkflow, hospitalizationWorkflow } from '../../workflows';
import { TRANSACTIONS_PER_RUN } from '../../workflows/hospitalization';
import { insureInHefei, migratedOrm } from '../support/db';
import { eventually } from '../support/eventually';
import { recordHistory } from '../support/histories';
import { demoLogins } from '../support/login';
import { testApp } from '../support/platform';
import { bundleCaseWorkflows, caseWorker } from '../support/temporal';

/** Recorded by `YIDI_RECORD_HISTORIES=1 npx jest test/cases/stays.test.ts`; replayed by replay.test.ts. */
const HISTORIES_DIR = path.join(__dirname, 'histories', 'stays');
/** The workflow types of this issue; the compensation children belong to the comp helper's tests. */
const OUR_TYPES = new Set(['hospitalizationWorkflow', 'settlementWorkflow', 'filingWorkflow']);

let orm: Orm;
let close: () => Promise<void>;
let bundle: WorkflowBundleWithSourceMap;
let w: Awaited<ReturnType<typeof caseWorker>>;
/** The first recordSettlement attempts of these request keys fail after their transaction committed. */
const failAfterCommit = new Set<string>();
const failedOnce = new Set<string>();

beforeAll(async () => {
  const db = await migratedOrm();
  orm = db.orm;
  close = db.close;
  await seedReferenceData(orm.em.fork());
  // More people insured in 合肥 (310, in service), one per scenario: a person has one bed at a time.
  await insureInHefei(
    orm,
    Array.from({ length: 10 }, (_, i) => ({
      psn_no: `P3401000000009${i}`,
      psn_name: `测试${i}`,
      certno: `34010219900101${String(100 + i)}X`.slice(0, 18),
    })),
  );
  bundle = await bundleCaseWorkflows();
  const real = createActivities({ orm });
  const activities = {
    ...real,
    async recordSettlement(args: Parameters<typeof real.recordSettlement>[0]) {
      const r = await real.recordSettlement(args);
      if (failAfterCommit.has(args.request_key) && !failedOnce.has(args.request_key)) {
        failedOnce.add(args.request_key);
        throw new Error('worker lost after the settlement transaction committed');
      }
      return r;
    },
  };
  w = await caseWorker(orm, 'time-skipping', bundle, activities);
}, 180_000);

afterAll(async () => {
  try {
    // Every history this file produced must replay on the current code (and is recorded on request).
    const histories = [];
    for await (const e of w.client.workflow.list()) {
      if (!OUR_TYPES.has(e.type)) continue;
      const history = await w.client.workflow.getHandle(e.workflowId, e.runId).fetchHistory();
      histories.push({ workflowId: e.workflowId, history });
    }
    for (const { workflowId, history } of histories) {
      if (!workflowId.startsWith('filing-')) await recordHistory(HISTORIES_DIR, workflowId, history);
    }
    const failures: string[] = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
      if (r.error) failures.push(`${r.workflowId}: ${String(r.error)}`);
    }
    expect(failures).toEqual([]);
  } finally {
    await w?.teardown();
    await close?.();
  }
}, 120_000);

let seq = 0;
const HUAXI = {
  fixmedins_code: 'H51010000001',
  fixmedins_name: '四川大学华西医院',
  mdtrtarea_admvs: '510100',
};

function admission(psn_no: string, overrides: Partial<Admission> = {}): Admission {
  seq += 1;
  return {
    psn_no,
    insutype: '310',
    mdtrt_cert_type: '02',
    mdtrt_cert_no: psn_no,
    med_type: '21',
    ipt_no: `ZY${Date.now()}${seq}`,
    begntime: new Date().toISOString(),
    ...HUAXI,
    insuplc_admdvs: '340100',
    adm_dept_codg: 'A03',
    adm_dept_name: '普外科',
    atddr_name: '王医生',
    adm_diag_dscr: '胆囊结石',
    emergency: false,
    diseinfo: [
      { diag_type: '1', diag_srt_no: 1, diag_code: 'K80.2', diag_name: '胆囊结石', maindiag_flag: true },
    ],
    opter: 'his-001',
    opter_name: '收费员',
    ...overrides,
  };
}

async function admit(a: Admission) {
  const mdtrt_id = newMdtrtId(a.mdtrtarea_admvs, cstDate(Date.now()), String(1_000_000_000 + seq * 7919));
  const handle = await w.client.workflow.start(hospitalizationWorkflow, {
    workflowId: stayWorkflowId(mdtrt_id),
    taskQueue: w.taskQueue,
    args: [{ mdtrt_id, admission: a, msgid: `m2401-${mdtrt_id}` }],
  });
  // One msgid per message: each transaction is applied once, a repeat only where a test means it.
  const msg = (infno: string) => {
    seq += 1;
    return { updateId: transactionUpdateId(infno, `${mdtrt_id}-${seq}`) };
  };
  return { mdtrt_id, handle, msg };
}

const line = (sn: string, code: string, cnt: number, pric_yuan: number): FeeDetailIn => ({
  feedetl_sn: sn,
  rx_drord_no: null,
  med_list_codg: code,
  medins_list_codg: `H-${code}`,
  medins_list_name: null,
  fee_ocur_time: new Date().toISOString(),
  cnt_e4: cnt * 10_000,
  pric_e4: pric_yuan * 10_000,
  det_item_fee_sumamt: cnt * pric_yuan * 100,
  bilg_dept_codg: 'A03',
  bilg_dr_codg: null,
});

/** 成都's fixture catalogue: a price-limited 甲 bed, 甲 surgery, 乙 10% drug, 丙 drug, and an unlisted code. */
const FEES = [
  line('1', 'BED001', 10, 80), // limit 60/day: 200.00 over the limit
  line('2', 'SUR001', 1, 5000),
  line('3', 'DRG001', 20, 15), // 乙 10%: 30.00 先行自付
  line('4', 'DRG002', 2, 1200), // 丙 in Sichuan
  line('5', 'XXX999', 1, 50), // not in 成都's catalogue: 丙 with a reason
];
const FEES_TOTAL = 80_000 + 500_000 + 30_000 + 240_000 + 5_000;

const discharge = (opter = 'his-001') => ({
  endtime: new Date().toISOString(),
  dscg_way: '1',
  dscg_maindiag_code: 'K80.2',
  dscg_maindiag_name: '胆囊结石',
  diseinfo: [],
  opter,
});
const flags = { acct_used_flag: true, mid_setl_flag: false, opter: 'his-001' };

/** The refusal code of a failed update (the ApplicationFailure type the edge maps to infcode). */
async function refusedWith(p: Promise<unknown>): Promise<{ type: string; message: string }> {
  try {
    await p;
  } catch (error) {
    if (!(error instanceof WorkflowUpdateFailedError)) throw error;
    const cause = error.cause as { type?: string; message: string };
    return { type: cause.type ?? '', message: cause.message };
  }
  throw new Error('the update was accepted');
}

async function fileTemporary(psn_no: string, overrides: Partial<FilingInput> = {}): Promise<string> {
  seq += 1;
  const i: FilingInput = {
    filing_id: `filing-${psn_no}-s${seq}`,
    psn_no,
    category: 'other_temporary',
    mdtrtarea_admdvs: '510100',
    fixmedins_code: null,
    begndate: cstDate(Date.now()),
    enddate: null,
    commitment: true,
    emergency_adm_date: null,
    retro: null,
    referral: null,
    form: {},
    submitted_by: psn_no,
    ...overrides,
  };
  await w.client.workflow.start(filingWorkflow, {
    workflowId: i.filing_id,
    taskQueue: w.taskQueue,
    args: [i],
  });
  await eventually(async () => {
    const f = await orm.em.fork().findOne(Filing, { id: i.filing_id });
    return f?.status === 'ACTIVE' ? f : undefined;
  });
  return i.filing_id;
}

const knex = () => orm.em.fork().getKnex();
const ledgerBalance = async (mdtrt_id: string) =>
  Number(
    (
      await knex()('ledger_entry')
        .where({ mdtrt_id })
        .sum({ s: knex().raw('debit - credit') })
        .first()
    )?.s ?? 0,
  );

// First: skipping time needs every other execution idle (a settlement's 待遇补差 child may not be).
test('a filing that expires during the stay still covers it at settlement', async () => {
  const psn = 'P34010000000095';
  const today = cstDate(Date.now());
  await fileTemporary(psn, { enddate: today });
  const { handle, msg } = await admit(admission(psn));
  expect((await handle.executeUpdate(admissionUpdate, msg('2401'))).coverage.kind).toBe('filing');
  await handle.executeUpdate(uploadFeesUpdate, {
    ...msg('2301'),
    args: [{ feedetail: FEES.slice(0, 2), opter: 'x' }],
  });
  await w.env.sleep('2 days');
  await eventually(async () => {
    const f = await orm.em.fork().findOne(Filing, { psn_no: psn });
    return f?.status === 'EXPIRED' ? f : undefined;
  });
  await handle.executeUpdate(dischargeUpdate, { ...msg('2402'), args: [discharge()] });
  const settled = await handle.executeUpdate(settleUpdate, { ...msg('2304'), args: [flags] });
  expect(settled.setl_id).not.toBeNull();
}, 120_000);

test('admission → fees → pre-settlement → discharge → settlement → reversal → settlement again', async () => {
  const psn = 'P34010000000090';
  const filing_id = await fileTemporary(psn);
  const { mdtrt_id, handle, msg } = await admit(admission(psn));
  const admitted = await handle.executeUpdate(admissionUpdate, msg('2401'));
  expect(admitted.coverage).toEqual({ kind: 'filing', filing_id, category: 'other_temporary' });

  // A stay with fees cannot be cancelled; fees cannot be settled before discharge.
  const upload = await handle.executeUpdate(uploadFeesUpdate, {
    ...msg('2301'),
    args: [{ feedetail: FEES, opter: 'his-001' }],
  });
  const bySn = new Map(upload.result.map((r) => [r.feedetl_sn, r]));
  expect(bySn.get('1')).toMatchObject({ chrgitm_lv: '01', overlmt_amt: 20_000, pric_uplmt_amt: 6_000 });
  expect(bySn.get('3')).toMatchObject({ chrgitm_lv: '02', preselfpay_amt: 3_000, selfpay_prop: 100_000 });
  expect(bySn.get('4')).toMatchObject({ chrgitm_lv: '03', fulamt_ownpay_amt: 240_000 });
  expect(bySn.get('5')!.explanation).toContain('目录未收录 XXX999');
  // The same lines again: the same answer, nothing doubled. The same sn with other content: refused.
  const again = await handle.executeUpdate(uploadFeesUpdate, {
    ...msg('2301'),
    args: [{ feedetail: FEES, opter: 'his-001' }],
  });
  expect(again.result).toEqual(upload.result);
  const conflict = await refusedWith(
    handle.executeUpdate(uploadFeesUpdate, {
      ...msg('2301'),
      args: [{ feedetail: [{ ...FEES[1]!, det_item_fee_sumamt: 400_000, cnt_e4: 8_000 }], opter: 'his-001' }],
    }),
  );
  expect(conflict.type).toBe('FEE_LINE_CONFLICT');
  expect(conflict.message).toContain('2');
  expect((await handle.query(stayStateQuery)).medfee_sumamt).toBe(FEES_TOTAL);
  expect(
    (
      await refusedWith(
        handle.executeUpdate(cancelAdmissionUpdate, { ...msg('2404'), args: [{ reason: null, opter: 'x' }] }),
      )
    ).type,
  ).toBe('STAY_HAS_FEES');
  const early = await refusedWith(handle.executeUpdate(settleUpdate, { ...msg('2304'), args: [flags] }));
  expect(early).toEqual({ type: 'STAY_NOT_DISCHARGED', message: '请先办理出院（2402）再结算' });

  const pre = await handle.executeUpdate(presettleUpdate, { ...msg('2303'), args: [flags] });
  expect(pre.setl_id).toBeNull();
  expect(pre.setlinfo.medfee_sumamt).toBe(FEES_TOTAL);
  expect(pre.setlinfo.fulamt_ownpay_amt).toBe(245_000);
  expect(pre.setlinfo.overlmt_selfpay).toBe(20_000);
  expect(pre.setlinfo.preselfpay_amt).toBe(3_000);
  expect(await knex()('settlement').where({ mdtrt_id }).count({ n: '*' }).first()).toEqual({ n: '0' });

  await handle.executeUpdate(dischargeUpdate, { ...msg('2402'), args: [discharge()] });
  const fees = await refusedWith(
    handle.executeUpdate(uploadFeesUpdate, {
      ...msg('2301'),
      args: [{ feedetail: [line('9', 'SUR001', 1, 1)], opter: 'x' }],
    }),
  );
  expect(fees.type).toBe('STAY_DISCHARGED');

  const first = await handle.executeUpdate(settleUpdate, { ...msg('2304'), args: [flags] });
  expect(first.setl_id).toBe(`${mdtrt_id}S01`);
  // Pre-settlement and settlement compute the same; the split adds up to the fen.
  expect(first.setlinfo).toEqual(pre.setlinfo);
  const s = first.setlinfo;
  expect(s.fund_pay_sumamt + s.psn_part_amt).toBe(FEES_TOTAL);
  expect(s.hifp_pay).toBeGreaterThan(0);
  expect(first.policy.policy_id).toMatch(/^340100-310-21/);
  expect(first.setldetail.map((d) => d.step)).toContain('deductible');
  expect(await ledgerBalance(mdtrt_id)).toBe(0);
  const acc1 = await knex()('accumulator').where({ psn_no: psn }).first();
  expect(Number(acc1.hifp_paid_ytd)).toBe(s.hifp_pay);
  expect(Number(acc1.dedc_paid_ytd)).toBe(s.act_pay_dedc);
  expect(
    (
      await refusedWith(
        handle.executeUpdate(cancelDischargeUpdate, { ...msg('2405'), args: [{ opter: 'x' }] }),
      )
    ).type,
  ).toBe('STAY_SETTLED');

  const reversal = await handle.executeUpdate(reverseSettlementUpdate, {
    ...msg('2305'),
    args: [{ setl_id: first.setl_id!, psn_no: psn, opter: 'his-001' }],
  });
  expect(reversal.original_setl_id).toBe(first.setl_id);
  expect(reversal.setlinfo.fund_pay_sumamt).toBe(-s.fund_pay_sumamt);
  expect((await handle.query(stayStateQuery)).status).toBe('DISCHARGED');
  const acc2 = await knex()('accumulator').where({ psn_no: psn }).first();
  expect([Number(acc2.hifp_paid_ytd), Number(acc2.dedc_paid_ytd)]).toEqual([0, 0]);
  const twice = await refusedWith(
    handle.executeUpdate(reverseSettlementUpdate, {
      ...msg('2305'),
      args: [{ setl_id: first.setl_id!, psn_no: psn, opter: 'x' }],
    }),
  );
  expect(twice).toEqual({ type: 'ALREADY_REVERSED', message: '该结算已撤销，不能重复撤销' });

  // Settling again after the reversal: the accumulators were given back, so the same amounts.
  const second = await handle.executeUpdate(settleUpdate, { ...msg('2304'), args: [flags] });
  expect(second.setl_id).not.toBe(first.setl_id);
  expect(second.setlinfo).toEqual(first.setlinfo);
  expect(await ledgerBalance(mdtrt_id)).toBe(0);
  const row = await eventually(async () => {
    const r = await orm.em.fork().findOne(Stay, { mdtrt_id });
    return r?.status === 'SETTLED' && r.setl_id === second.setl_id ? r : undefined;
  });
  expect(row.fund_pay_sumamt).toBe(s.fund_pay_sumamt);
  expect(row.medfee_sumamt).toBe(FEES_TOTAL);
  const events = await knex()('case_event').where({ case_id: mdtrt_id }).orderBy('at').select('kind');
  expect(events.map((e) => e.kind)).toEqual(
    expect.arrayContaining([
      'stay_admitted',
      'fees_uploaded',
      'presettled',
      'discharged',
      'settled',
      'settlement_reversed',
    ]),
  );
}, 120_000);

test('admission without a filing waits for 补备案: settlement is refused until one is made, then covered', async () => {
  const psn = 'P34010000000091';
  const a = admission(psn);
  const { handle, msg } = await admit(a);
  expect((await handle.executeUpdate(admissionUpdate, msg('2401'))).coverage).toEqual({
    kind: 'pending_retro',
  });
  await handle.executeUpdate(uploadFeesUpdate, {
    ...msg('2301'),
    args: [{ feedetail: FEES.slice(0, 2), opter: 'x' }],
  });
  await handle.executeUpdate(dischargeUpdate, { ...msg('2402'), args: [discharge()] });
  const refused = await refusedWith(handle.executeUpdate(settleUpdate, { ...msg('2304'), args: [flags] }));
  expect(refused.type).toBe('FILING_REQUIRED');
  expect(refused.message).toContain('补办备案');
  // 补备案 for the stay: a filing made now whose start is moved back to the admission date.
  const filing_id = await fileTemporary(psn, {
    begndate: cstDate(Date.now() + 86_400_000),
    retro: { mdtrt_id: null, adm_date: cstDate(Date.parse(a.begntime)) },
  });
  const settled = await handle.executeUpdate(settleUpdate, { ...msg('2304'), args: [flags] });
  expect(settled.setl_id).not.toBeNull();
  expect((await handle.query(stayStateQuery)).coverage).toEqual({
    kind: 'filing',
    filing_id,
    category: 'other_temporary',
  });
}, 120_000);

test('an emergency admission without a filing is deemed filed, its emergency filing made, and settles', async () => {
  const psn = 'P34010000000092';
  const stay = await admit(admission(psn, { emergency: true }));
  const { handle, msg } = stay;
  expect((await handle.executeUpdate(admissionUpdate, msg('2401'))).coverage).toEqual({
    kind: 'emergency',
    filing_id: null,
  });
  await handle.executeUpdate(uploadFeesUpdate, {
    ...msg('2301'),
    args: [{ feedetail: FEES.slice(0, 2), opter: 'x' }],
  });
  await handle.executeUpdate(dischargeUpdate, { ...msg('2402'), args: [discharge()] });
  const settled = await handle.executeUpdate(settleUpdate, { ...msg('2304'), args: [flags] });
  expect(settled.setlinfo.fund_pay_sumamt).toBeGreaterThan(0);
}, 120_000);

test('refused admissions: insurance suspended, an inpatient elsewhere, an inpatient number already used', async () => {
  const suspended = await admit(admission('P44030000000001', { insuplc_admdvs: '440300' }));
  const r1 = await refusedWith(suspended.handle.executeUpdate(admissionUpdate, suspended.msg('2401')));
  expect(r1.type).toBe('PERSON_NOT_INSURED');
  expect(r1.message).toContain('全额自付');

  const psn = 'P34010000000093';
  const first = await admit(admission(psn, { emergency: true }));
  const a1 = await first.handle.executeUpdate(admissionUpdate, first.msg('2401'));
  const elsewhere = await admit(admission(psn, { emergency: true, fixmedins_code: 'H51010000002' }));
  const r2 = await refusedWith(elsewhere.handle.executeUpdate(admissionUpdate, elsewhere.msg('2401')));
  expect(r2.type).toBe('INPATIENT_ELSEWHERE');
  expect(r2.message).toContain('该人员在院状态不能办理入院');

  const dup = await admit(admission('P34010000000094', { emergency: true, ipt_no: a1.ipt_no }));
  expect((await refusedWith(dup.handle.executeUpdate(admissionUpdate, dup.msg('2401')))).type).toBe(
    'ADMISSION_DUPLICATE',
  );
  // No row for refused admissions.
  expect(await orm.em.fork().count(Stay, { mdtrt_id: dup.mdtrt_id })).toBe(0);
  // The first stay has no fees yet: 2404 cancels it, and the bed is free again.
  await first.handle.executeUpdate(cancelAdmissionUpdate, {
    ...first.msg('2404'),
    args: [{ reason: '误登记', opter: 'x' }],
  });
  const again = await admit(admission(psn, { emergency: true }));
  await again.handle.executeUpdate(admissionUpdate, again.msg('2401'));
}, 120_000);

test('the settlement activity failing after its transaction committed is retried: one settlement, one set of ledger rows', async () => {
  const psn = 'P34010000000096';
  const { mdtrt_id, handle, msg } = await admit(admission(psn, { emergency: true }));
  await handle.executeUpdate(admissionUpdate, msg('2401'));
  await handle.executeUpdate(uploadFeesUpdate, { ...msg('2301'), args: [{ feedetail: FEES, opter: 'x' }] });
  await handle.executeUpdate(dischargeUpdate, { ...msg('2402'), args: [discharge()] });
  failAfterCommit.add(`settlement-${mdtrt_id}S01`);
  const settled: SettlementResult = await handle.executeUpdate(settleUpdate, {
    ...msg('2304'),
    args: [flags],
  });
  expect(failedOnce.has(`settlement-${mdtrt_id}S01`)).toBe(true);
  const k = knex();
  expect(await k('settlement').where({ mdtrt_id }).count({ n: '*' }).first()).toEqual({ n: '1' });
  const ledger = await k('ledger_entry').where({ setl_id: settled.setl_id });
  expect(ledger.length).toBe(new Set(ledger.map((l) => l.seq)).size);
  expect(ledger.filter((l) => l.account === 'treatment_place_receivable')).toHaveLength(1);
  expect(await k('setl_detail').where({ setl_id: settled.setl_id }).count({ n: '*' }).first()).toEqual({
    n: String(settled.setldetail.length),
  });
  const acc = await k('accumulator').where({ psn_no: psn }).first();
  expect(Number(acc.hifp_paid_ytd)).toBe(settled.setlinfo.hifp_pay);
  expect(acc.version).toBe(1);
}, 120_000);

test('two stays of one person settling at the same time: the accumulators hold both', async () => {
  const psn = 'P34010000000097';
  const stays = [];
  for (const code of ['H51010000001', 'H51010000002']) {
    const s = await admit(admission(psn, { emergency: true, fixmedins_code: code }));
    await s.handle.executeUpdate(admissionUpdate, s.msg('2401'));
    await s.handle.executeUpdate(uploadFeesUpdate, {
      ...s.msg('2301'),
      args: [{ feedetail: FEES, opter: 'x' }],
    });
    await s.handle.executeUpdate(dischargeUpdate, { ...s.msg('2402'), args: [discharge()] });
    stays.push(s);
  }
  const [a, b] = await Promise.all(
    stays.map((s) => s.handle.executeUpdate(settleUpdate, { ...s.msg('2304'), args: [flags] })),
  );
  const acc = await knex()('accumulator').where({ psn_no: psn }).first();
  expect(acc.version).toBe(2);
  expect(Number(acc.hifp_paid_ytd)).toBe(a!.setlinfo.hifp_pay + b!.setlinfo.hifp_pay);
  expect(Number(acc.dedc_paid_ytd)).toBe(a!.setlinfo.act_pay_dedc + b!.setlinfo.act_pay_dedc);
  // Each saw the other's figures or none: the one settled second started from the first's "after".
  const rows = await knex()('settlement').where({ psn_no: psn }).orderBy('created_at');
  expect(rows[1].accumulators_before).toEqual(rows[0].accumulators_after);
}, 120_000);

test('fee lines cancelled (2302) leave the totals; an unknown feedetl_sn is refused naming it', async () => {
  const psn = 'P34010000000098';
  const { mdtrt_id, handle, msg } = await admit(admission(psn, { emergency: true }));
  await handle.executeUpdate(admissionUpdate, msg('2401'));
  await handle.executeUpdate(uploadFeesUpdate, { ...msg('2301'), args: [{ feedetail: FEES, opter: 'x' }] });
  const missing = await refusedWith(
    handle.executeUpdate(cancelFeesUpdate, {
      ...msg('2302'),
      args: [{ feedetl_sn: ['4', '77'], opter: 'x' }],
    }),
  );
  expect(missing.type).toBe('FEE_LINE_NOT_FOUND');
  expect(missing.message).toContain('77');
  const after = await handle.executeUpdate(cancelFeesUpdate, {
    ...msg('2302'),
    args: [{ feedetl_sn: ['4'], opter: 'x' }],
  });
  expect(after.medfee_sumamt).toBe(FEES_TOTAL - 240_000);
  const none = await handle.executeUpdate(cancelFeesUpdate, {
    ...msg('2302'),
    args: [{ feedetl_sn: 'ALL', opter: 'x' }],
  });
  expect([none.fee_count, none.status]).toEqual([0, 'ADMITTED']);
  await handle.executeUpdate(cancelAdmissionUpdate, { ...msg('2404'), args: [{ reason: null, opter: 'x' }] });
  // The cancelled stay's workflow ends (polled: the time-skipping client's result() would skip time).
  await eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined));
  expect((await orm.em.fork().findOne(Stay, { mdtrt_id }))?.status).toBe('CANCELLED');
}, 120_000);

test('GET /stays and /stays/{mdtrt_id}: the citizen, the admitting hospital and the insured province see the stay; others do not', async () => {
  const app = testApp({
    cases: { orm, temporal: w.client, taskQueue: w.taskQueue, tokenSecret: 'test-secret' },
  });
  const login = demoLogins(() => app);
  const get = async (username: string, url: string) =>
    request(app)
      .get(url)
      .set('Authorization', `Bearer ${await login(username)}`);

  const psn = 'P34010000000001'; // zhangwei
  const { mdtrt_id, handle, msg } = await admit(admission(psn, { emergency: true }));
  await handle.executeUpdate(admissionUpdate, msg('2401'));
  await handle.executeUpdate(uploadFeesUpdate, { ...msg('2301'), args: [{ feedetail: FEES, opter: 'x' }] });
  await handle.executeUpdate(dischargeUpdate, { ...msg('2402'), args: [discharge()] });
  const settled = await handle.executeUpdate(settleUpdate, { ...msg('2304'), args: [flags] });
  await eventually(async () =>
    (await orm.em.fork().findOne(Stay, { mdtrt_id }))?.status === 'SETTLED' ? true : undefined,
  );

  for (const username of ['zhangwei', 'hosp-huaxi', 'staff-ah']) {
    const list = await get(username, '/api/v1/stays');
    expect(list.status).toBe(200);
    expect(list.body.items.map((s: { mdtrt_id: string }) => s.mdtrt_id)).toContain(mdtrt_id);
  }
  for (const username of ['lixiuying', 'staff-hi', 'coord-ah']) {
    const list = await get(username, '/api/v1/stays');
    expect(list.body.items.map((s: { mdtrt_id: string }) => s.mdtrt_id)).not.toContain(mdtrt_id);
    expect((await get(username, `/api/v1/stays/${mdtrt_id}`)).status).toBe(404);
  }
  const detail = await get('zhangwei', `/api/v1/stays/${mdtrt_id}`);
  expect(detail.status).toBe(200);
  const view = detail.body;
  expect(view).toMatchObject({
    status: 'SETTLED',
    psn_name: '张伟',
    medfee_sumamt: FEES_TOTAL,
  });
  // The settlement's 待遇补差 comparison (the compensation child) shows on the stay once it has run.
  const compared = await eventually(async () => {
    const c = (await get('zhangwei', `/api/v1/stays/${mdtrt_id}`)).body.compensation;
    return c ?? undefined;
  });
  expect(compared.setl_id).toBe(settled.setl_id);
  expect(view.fund_pay_sumamt).toBe(settled.setlinfo.fund_pay_sumamt);
  expect(view.fees).toHaveLength(FEES.length);
  expect(view.fees.find((f: { feedetl_sn: string }) => f.feedetl_sn === '1').explanation).toContain('超限价');
  expect(view.settlements).toHaveLength(1);
  expect(view.settlements[0]).toMatchObject({
    setl_id: settled.setl_id,
    status: 'SETTLED',
    policy: settled.policy,
  });
  expect(view.settlements[0].setldetail).toEqual(settled.setldetail);
  expect(view.timeline.map((e: { text: string }) => e.text).join('\n')).toContain('急诊抢救，视同已备案');
  // The hospital reads the stay it admitted with the person's name masked.
  expect((await get('hosp-huaxi', `/api/v1/stays/${mdtrt_id}`)).body.psn_name).not.toBe('张伟');
}, 120_000);

test('a stay continues as new after its transactions per run, keeping its state, counters and timeline', async () => {
  const psn = 'P34010000000099';
  const { mdtrt_id, handle, msg } = await admit(admission(psn, { emergency: true }));
  await handle.executeUpdate(admissionUpdate, msg('2401'));
  await handle.executeUpdate(uploadFeesUpdate, { ...msg('2301'), args: [{ feedetail: FEES, opter: 'x' }] });
  const firstRun = (await handle.describe()).runId;
  for (let i = 1; i < TRANSACTIONS_PER_RUN + 5; i++) {
    await handle.executeUpdate(changeAdmissionUpdate, {
      ...msg('2403'),
      args: [{ atddr_name: `医生${i}`, opter: 'x' }],
    });
  }
  expect((await handle.describe()).runId).not.toBe(firstRun);
  const state = await handle.query(stayStateQuery);
  expect([state.status, state.fee_count, state.medfee_sumamt]).toEqual([
    'FEES_UPLOADED',
    FEES.length,
    FEES_TOTAL,
  ]);
  await handle.executeUpdate(dischargeUpdate, { ...msg('2402'), args: [discharge()] });
  const settled = await handle.executeUpdate(settleUpdate, { ...msg('2304'), args: [flags] });
  expect(settled.setl_id).toBe(`${mdtrt_id}S01`);
  // Every event of both runs is on the timeline: admission, upload, the changes, discharge, settlement.
  // (The settlement's 待遇补差 comparison adds its own events, `compensation-…`, whenever it has run.)
  const n = await knex()('case_event')
    .where({ case_id: mdtrt_id })
    .andWhere('id', 'like', `${mdtrt_id}:%`)
    .count({ n: '*' })
    .first();
  expect(Number(n?.n)).toBe(2 + (TRANSACTIONS_PER_RUN + 4) + 2);
}, 300_000);
