import request from 'supertest';
import {
  type Admission,
  admissionUpdate,
  compensationWorkflowId,
  cstDate,
  type DecisionMessage,
  decideUpdate,
  dischargeUpdate,
  type FeeDetailIn,
  type FilingInput,
  newMdtrtId,
  settleUpdate,
  stayWorkflowId,
  transactionUpdateId,
  uploadFeesUpdate,
} from '../../cases';
import { Compensation, Filing, HumanTask, LedgerEntry } from '../../db/entities';
import {
  HAINAN_EXPECTED,
  HAINAN_HOSPITAL,
  HAINAN_PERSON,
  type hainanScenario,
} from '../../db/scenario-hainan';
import { parseYuan } from '../../settlement';
import { filingWorkflow, hospitalizationWorkflow } from '../../workflows';
import { eventually } from '../support/eventually';
import { testPlatformForFile } from '../support/platform';
import { claimTask, decideTask } from '../support/tasks';
import { settledStay } from './settled-stay';

const p = testPlatformForFile({ timeout: 180_000 });

/** The scenario's national-interface inputs as the edge parses them (decimal strings → fen, CST → ISO). */
const iso = (cst: string) => new Date(`${cst.replace(' ', 'T')}+08:00`).toISOString();
const fen = (yuan: string) => {
  const v = parseYuan(yuan, 'amount');
  if (typeof v !== 'number') throw new Error(v.message);
  return v;
};
const e4 = (d: string) => {
  const [i, f = ''] = d.split('.');
  return Number(i) * 10_000 + Number(f.padEnd(4, '0'));
};
const yuan = (s: string) => fen(s);

async function referredToChengdu(): Promise<string> {
  const i: FilingInput = {
    filing_id: `filing-${HAINAN_PERSON.psn_no}-hn1`,
    psn_no: HAINAN_PERSON.psn_no,
    category: 'referral',
    mdtrtarea_admdvs: '510100',
    fixmedins_code: HAINAN_HOSPITAL.fixmedins_code,
    begndate: cstDate(Date.now() - 20 * 86_400_000),
    enddate: null,
    commitment: false,
    emergency_adm_date: null,
    retro: null,
    referral: { refl_fil_type: '1', summary: { diag_name: '乳腺恶性肿瘤' } },
    form: {},
    submitted_by: 'wangfang',
  };
  const handle = await p.worker.client.workflow.start(filingWorkflow, {
    workflowId: i.filing_id,
    taskQueue: p.worker.taskQueue,
    args: [i],
  });
  const task = await eventually(
    async () => (await p.orm.em.fork().findOne(HumanTask, { case_id: i.filing_id })) ?? undefined,
  );
  const d: DecisionMessage = {
    decision_id: crypto.randomUUID(),
    task_id: task.id,
    decision: 'approve',
    reason: null,
    decided_by: 'staff-hi',
    decided_at: new Date().toISOString(),
  };
  await handle.executeUpdate(decideUpdate, { args: [d], updateId: d.decision_id });
  await eventually(async () => {
    const f = await p.orm.em.fork().findOne(Filing, { id: i.filing_id });
    return f?.status === 'ACTIVE' ? f : undefined;
  });
  return i.filing_id;
}

test('the Hainan case: settled at 华西 under Chengdu’s catalogue, a gap found under Hainan’s, approved by 海南 staff, paid to the fen', async () => {
  await referredToChengdu();
  const scenario = (
    await request(p.app)
      .get('/api/v1/demo/scenarios/hainan')
      .set(await p.as('hosp-huaxi'))
      .expect(200)
  ).body as ReturnType<typeof hainanScenario>;
  const [s2401, s2301, s2402] = scenario.steps as unknown as [
    { input: { mdtrtinfo: Record<string, string>; diseinfo: Record<string, string | number>[] } },
    { input: { feedetail: Record<string, string>[] } },
    { input: { dscginfo: Record<string, string> } },
  ];
  const m = s2401.input.mdtrtinfo;
  const admission: Admission = {
    psn_no: m.psn_no as string,
    insutype: m.insutype as string,
    mdtrt_cert_type: m.mdtrt_cert_type as string,
    mdtrt_cert_no: m.mdtrt_cert_no as string,
    med_type: m.med_type as string,
    ipt_no: m.ipt_otp_no as string,
    begntime: iso(m.begntime as string),
    ...HAINAN_HOSPITAL,
    insuplc_admdvs: HAINAN_PERSON.insuplc_admdvs,
    adm_dept_codg: m.adm_dept_codg ?? null,
    adm_dept_name: m.adm_dept_name ?? null,
    atddr_name: m.atddr_name ?? null,
    adm_diag_dscr: m.adm_diag_dscr ?? null,
    emergency: false,
    diseinfo: s2401.input.diseinfo.map((d) => ({
      diag_type: String(d.diag_type),
      diag_srt_no: Number(d.diag_srt_no),
      diag_code: String(d.diag_code),
      diag_name: String(d.diag_name),
      maindiag_flag: d.maindiag_flag === '1',
    })),
    opter: 'his-hx',
    opter_name: '华西收费员',
  };
  const mdtrt_id = newMdtrtId('510100', cstDate(Date.now()), '4600000001');
  const stay = await p.worker.client.workflow.start(hospitalizationWorkflow, {
    workflowId: stayWorkflowId(mdtrt_id),
    taskQueue: p.worker.taskQueue,
    args: [{ mdtrt_id, admission, msgid: 'hn-2401' }],
  });
  const msg = (infno: string) => ({ updateId: transactionUpdateId(infno, `hn-${infno}`) });
  expect((await stay.executeUpdate(admissionUpdate, msg('2401'))).coverage.kind).toBe('filing');
  const feedetail: FeeDetailIn[] = s2301.input.feedetail.map((l) => ({
    feedetl_sn: l.feedetl_sn as string,
    rx_drord_no: l.drord_no ?? null,
    med_list_codg: l.med_list_codg as string,
    medins_list_codg: l.medins_list_codg as string,
    medins_list_name: l.medins_list_name ?? null,
    fee_ocur_time: iso(l.fee_ocur_time as string),
    cnt_e4: e4(l.cnt as string),
    pric_e4: e4(l.pric as string),
    det_item_fee_sumamt: fen(l.det_item_fee_sumamt as string),
    bilg_dept_codg: l.bilg_dept_codg ?? null,
    bilg_dr_codg: null,
  }));
  const upload = await stay.executeUpdate(uploadFeesUpdate, {
    ...msg('2301'),
    args: [{ feedetail, opter: 'his-hx' }],
  });
  // The targeted drugs and the film: 丙 in 成都, all self-paid.
  expect(upload.result.filter((r) => r.chrgitm_lv === '03').map((r) => r.fulamt_ownpay_amt)).toEqual([
    1_040_000, 498_000, 150_000,
  ]);
  const d = s2402.input.dscginfo;
  await stay.executeUpdate(dischargeUpdate, {
    ...msg('2402'),
    args: [
      {
        endtime: iso(d.endtime as string),
        dscg_way: d.dscg_way ?? null,
        dscg_maindiag_code: d.dise_codg as string,
        dscg_maindiag_name: d.dise_name as string,
        diseinfo: [],
        opter: 'his-hx',
      },
    ],
  });
  const settled = await stay.executeUpdate(settleUpdate, {
    ...msg('2304'),
    args: [{ acct_used_flag: false, mid_setl_flag: false, opter: 'his-hx' }],
  });
  const setl_id = settled.setl_id as string;
  expect(settled.setlinfo.medfee_sumamt).toBe(yuan(HAINAN_EXPECTED.medfee_sumamt));
  expect(settled.setlinfo.fund_pay_sumamt).toBe(yuan(HAINAN_EXPECTED.fund_pay_sumamt));
  expect(settled.setlinfo.psn_part_amt).toBe(yuan(HAINAN_EXPECTED.psn_part_amt));

  // The settlement detected the comparison: a task for 海南's staff, through the generic task router.
  const task = await eventually(
    async () =>
      (await p.orm.em
        .fork()
        .findOne(HumanTask, { case_id: compensationWorkflowId(setl_id), status: 'open' })) ?? undefined,
  );
  const staff = await p.as('staff-hi');
  await claimTask(p.app, task.id, staff);
  const review = (await request(p.app).get(`/api/v1/tasks/${task.id}`).set(staff).expect(200)).body;
  expect(review.task.summary).toMatchObject({
    mdtrt_id,
    setl_id,
    direct_fund_pay: yuan(HAINAN_EXPECTED.fund_pay_sumamt),
    recomputed_fund_pay: yuan(HAINAN_EXPECTED.recomputed_fund_pay),
    gap: yuan(HAINAN_EXPECTED.gap),
  });
  expect(review.case.compensation).toMatchObject({ status: 'UNDER_REVIEW', gap: yuan(HAINAN_EXPECTED.gap) });
  expect(review.case.stay).toMatchObject({ mdtrt_id, psn_name: '王芳', fixmedins_name: '四川大学华西医院' });
  expect(review.case.timeline.map((e: { text: string }) => e.text).join('\n')).toContain(
    '按参保地目录和政策重算，本次住院应由基金支付 27,533.27 元，直接结算已支付 16,824.24 元，差额 10,709.03 元',
  );
  // Another province's staff do not see it.
  await request(p.app)
    .get(`/api/v1/tasks/${task.id}`)
    .set(await p.as('staff-ah'))
    .expect(404);

  await decideTask(p.app, task.id, staff);
  const paid = await eventually(async () => {
    const r = await p.orm.em.fork().findOne(Compensation, { setl_id });
    return r?.status === 'PAID' ? r : undefined;
  });
  expect(paid.gap).toBe(yuan(HAINAN_EXPECTED.gap));
  const ledger = await p.orm.em.fork().find(LedgerEntry, { setl_id: `BC${setl_id}` });
  expect(ledger.reduce((sum, l) => sum + l.debit, 0)).toBe(yuan(HAINAN_EXPECTED.gap));
  expect(ledger.reduce((sum, l) => sum + l.debit - l.credit, 0)).toBe(0);
  // The stay's whole ledger (settlement and 待遇补差) still balances.
  const all = await p.orm.em.fork().find(LedgerEntry, { mdtrt_id });
  expect(all.reduce((sum, l) => sum + l.debit - l.credit, 0)).toBe(0);

  // The citizen's stay page: the comparison item by item, the decision, and the story in plain Chinese.
  const view = (
    await request(p.app)
      .get(`/api/v1/stays/${mdtrt_id}`)
      .set(await p.as('wangfang'))
      .expect(200)
  ).body;
  expect(view.compensation).toMatchObject({
    status: 'PAID',
    direct_fund_pay: yuan(HAINAN_EXPECTED.fund_pay_sumamt),
    recomputed_fund_pay: yuan(HAINAN_EXPECTED.recomputed_fund_pay),
    gap: yuan(HAINAN_EXPECTED.gap),
    decision: { decision: 'approve' },
  });
  expect(view.compensation.steps.map((x: { rule: string }) => x.rule)).toEqual([
    expect.stringMatching(
      /^按海南省（省级统筹）目录和.+重算：符合医保范围 [\d,.]+ 元（直接结算时 [\d,.]+ 元）$/,
    ),
    '重算应由基金支付 27,533.27 元 − 直接结算已支付 16,824.24 元',
    '参保地开展待遇补差',
    '差额须超过 1,000.00 元',
    expect.stringMatching(/^出院（\d{4}-\d{2}-\d{2}）后第 \d+ 天申请，期限 365 天$/),
  ]);
  const trastuzumab = view.compensation.items.find(
    (i: { med_list_codg: string }) => i.med_list_codg === 'XL01FDT021B002010101443',
  );
  expect(trastuzumab).toMatchObject({
    list_name: '注射用曲妥珠单抗',
    det_item_fee_sumamt: 1_040_000,
    direct: { chrgitm_lv: '03', inscp_scp_amt: 0 },
    insured_place: { chrgitm_lv: '02', inscp_scp_amt: 832_000 },
  });
  expect(view.timeline.map((e: { text: string }) => e.text)).toEqual(
    expect.arrayContaining(['参保地经办机构审核通过，核定补差 10,709.03 元', '待遇补差 10,709.03 元已支付']),
  );

  // The citizen applying now gets the one comparison there is; another citizen cannot apply for her stay.
  const mine = await request(p.app)
    .post(`/api/v1/stays/${mdtrt_id}/compensation`)
    .set(await p.as('wangfang'))
    .expect(200);
  expect(mine.body).toMatchObject({ compensation_id: compensationWorkflowId(setl_id), status: 'PAID' });
  await request(p.app)
    .post(`/api/v1/stays/${mdtrt_id}/compensation`)
    .set(await p.as('zhangwei'))
    .expect(404);
}, 180_000);

const wangfangStay = (dischargedDaysAgo: number) =>
  settledStay(p.orm, {
    ...HAINAN_PERSON,
    insutype: '390',
    ...HAINAN_HOSPITAL,
    lines: [
      ['003310000010000', 380_000, 1],
      ['XL01FDT021B002010101443', 520_000, 2],
    ],
    endtime: new Date(Date.now() - dischargedDaysAgo * 86_400_000),
  });

test('the citizen applies within the deadline: the comparison runs on her application, once', async () => {
  const s = await wangfangStay(30);
  const first = await request(p.app)
    .post(`/api/v1/stays/${s.mdtrt_id}/compensation`)
    .set(await p.as('wangfang'))
    .expect(202);
  expect(first.body).toMatchObject({ compensation_id: compensationWorkflowId(s.setl_id), status: 'APPLIED' });
  const row = await eventually(async () => {
    const r = await p.orm.em.fork().findOne(Compensation, { setl_id: s.setl_id });
    return r?.status === 'UNDER_REVIEW' ? r : undefined;
  });
  expect(row).toMatchObject({ origin: 'applied', applied_by: 'wangfang' });
  const again = await request(p.app)
    .post(`/api/v1/stays/${s.mdtrt_id}/compensation`)
    .set(await p.as('wangfang'))
    .expect(200);
  expect(again.body.compensation_id).toBe(first.body.compensation_id);
});

test('the citizen applies after the deadline: refused in Chinese with the dates, nothing started', async () => {
  const s = await wangfangStay(400);
  const res = await request(p.app)
    .post(`/api/v1/stays/${s.mdtrt_id}/compensation`)
    .set(await p.as('wangfang'))
    .expect(409);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.code).toBe('COMPENSATION_DEADLINE_PASSED');
  expect(res.body.detail).toMatch(
    /^待遇补差须在出院后 365 天内申请（出院日期 \d{4}年\d{1,2}月\d{1,2}日，截至 \d{4}年\d{1,2}月\d{1,2}日），已超过申请期限$/,
  );
  expect(await p.orm.em.fork().count(Compensation, { setl_id: s.setl_id })).toBe(0);
});
