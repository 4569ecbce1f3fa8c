import path from 'node:path';
import request from 'supertest';
import { manualClaimActivities } from '../../activities/manual-claim';
import {
  manualClaimWorkflowId,
  settleUpdate,
  stayWorkflowId,
  ticketActionUpdate,
  ticketWorkflowId,
} from '../../cases';
import { HumanTask, LedgerEntry, ManualClaim, Stay, Ticket } from '../../db/entities';
import { insureInHefei } from '../support/db';
import { eventually } from '../support/eventually';
import { recordAndReplay } from '../support/histories';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { decideAsStaff } from '../support/tasks';
import { bundleCaseWorkflows } from '../support/temporal';
import { lostFiling, stuckStay } from './story';

/** Recorded by `YIDI_RECORD_HISTORIES=1 npx jest test/tickets`; replayed by test/cases/replay.test.ts. */
const HISTORIES_DIR = path.join(__dirname, '..', 'cases', 'histories', 'tickets', 'workflow');
const TYPES = new Set([
  'hospitalizationWorkflow',
  'settlementWorkflow',
  'settlementErrorWorkflow',
  'manualClaimWorkflow',
]);

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
  // One more person insured in 合肥 per scenario: a person has one bed at a time.
  await insureInHefei(
    p.orm,
    [1, 2, 3].map((i) => ({
      psn_no: `P3401000000008${i}`,
      psn_name: `测试${i}`,
      certno: `34010219900101208${i}`,
    })),
  );
}, 180_000);
afterAll(async () => {
  try {
    const { failures } = await recordAndReplay(
      p.worker.client,
      await bundleCaseWorkflows(),
      HISTORIES_DIR,
      TYPES,
    );
    expect(failures).toEqual([]);
  } finally {
    await p?.close();
  }
}, 120_000);

const act = (ticket_id: string, action: string, side: 'insured' | 'treatment', user: string) => {
  const action_id = crypto.randomUUID();
  return p.worker.client.workflow.getHandle(ticketWorkflowId(ticket_id)).executeUpdate(ticketActionUpdate, {
    updateId: action_id,
    args: [{ action_id, action: action as 'withdraw', side, user, note: null, params: {} }],
  });
};

test('SLA lapse: the first responder’s task goes to 安徽’s supervisors after its working days, the other side keeps its own', async () => {
  const { ticket } = await stuckStay(p.worker, p.orm, { psn_no: 'P34010000000081' });
  const first = await eventually(async () => {
    const t = await p.orm.em.fork().findOne(HumanTask, { case_id: ticket.ticket_id, prov_admdvs: '340000' });
    return t ?? undefined;
  });
  expect(first).toMatchObject({ kind: 'ticket_response', role: 'coordinator', status: 'open' });
  // 2 working days for the first responder (3 for the assisting side): skip a calendar week.
  await p.worker.env.sleep('8 days');
  const escalated = await eventually(async () => {
    const t = await p.orm.em.fork().findOne(HumanTask, { id: first.id });
    return t?.status === 'escalated' ? t : undefined;
  });
  expect(escalated.role).toBe('supervisor');
  const supervisors = (
    await request(p.app)
      .get('/api/v1/tasks')
      .set(await p.as('super-ah'))
      .expect(200)
  ).body.items.map((t: { id: string }) => t.id);
  expect(supervisors).toContain(first.id);
  const row = await eventually(async () => {
    const t = await p.orm.em.fork().findOne(Ticket, { ticket_id: ticket.ticket_id });
    return t?.sides.find((s) => s.side === 'insured')?.escalated ? t : undefined;
  });
  expect(row.status).toBe('OPEN');
  // Withdrawn: both tasks close, nothing more is asked of anyone.
  await act(ticket.ticket_id, 'withdraw', 'insured', 'coord-ah');
  await eventually(async () => {
    const open = await p.orm.em
      .fork()
      .count(HumanTask, { case_id: ticket.ticket_id, status: { $in: ['open', 'claimed', 'escalated'] } });
    return open === 0 ? true : undefined;
  });
});

test('convert_manual: the stay leaves direct settlement, the manual claim is computed at home, approved by 安徽 staff and paid once in the ledger', async () => {
  await lostFiling(p.worker, p.orm, 'P34010000000082');
  const { mdtrt_id, ticket } = await stuckStay(p.worker, p.orm, { psn_no: 'P34010000000082' });
  // Only the insured side may convert.
  await expect(act(ticket.ticket_id, 'convert_manual', 'treatment', 'coord-hi')).rejects.toMatchObject({
    cause: { type: 'TICKET_WRONG_SIDE' },
  });
  await act(ticket.ticket_id, 'convert_manual', 'insured', 'coord-ah');
  await eventually(async () => {
    const t = await p.orm.em.fork().findOne(Ticket, { ticket_id: ticket.ticket_id });
    return t?.status === 'MANUAL' ? t : undefined;
  });
  const stay = await eventually(async () => {
    const s = await p.orm.em.fork().findOne(Stay, { mdtrt_id });
    return s?.status === 'MANUAL_CLAIM' ? s : undefined;
  });
  expect(stay.setl_id).toBeNull();
  const task = await eventually(async () => {
    const t = await p.orm.em
      .fork()
      .findOne(HumanTask, { case_id: manualClaimWorkflowId(mdtrt_id), status: 'open' });
    return t ?? undefined;
  });
  expect(task).toMatchObject({ kind: 'manual_claim_review', prov_admdvs: '340000', role: 'staff' });
  const computed = await eventually(async () => {
    const c = await p.orm.em.fork().findOne(ManualClaim, { mdtrt_id });
    return c?.task_id === task.id ? c : undefined;
  });
  expect(computed.status).toBe('UNDER_REVIEW');
  expect(computed.fund_pay_sumamt).toBeGreaterThan(0);
  expect(computed.medfee_sumamt).toBe(6000 * 3 + 380_000);

  const staff = await p.as('staff-ah');
  await decideAsStaff(p.app, task.id, staff);
  const paid = await eventually(async () => {
    const c = await p.orm.em.fork().findOne(ManualClaim, { mdtrt_id });
    return c?.status === 'PAID' ? c : undefined;
  });
  const ledger = await p.orm.em.fork().find(LedgerEntry, { setl_id: `MC${mdtrt_id}` });
  expect(ledger.reduce((sum, l) => sum + l.credit, 0)).toBe(paid.fund_pay_sumamt);
  expect(ledger.reduce((sum, l) => sum + l.debit - l.credit, 0)).toBe(0);

  // The person's accumulators of the year moved by the claim: the deductible met, the fund's share counted.
  const accumulators = async () =>
    p.orm.em
      .fork()
      .getKnex()('accumulator')
      .where({ psn_no: 'P34010000000082', insuplc_admdvs: '340100' })
      .select(
        'year',
        'dedc_paid_ytd',
        'hifp_paid_ytd',
        'si_paid_ytd',
        'cvlserv_paid_ytd',
        'oth_paid_ytd',
        'maf_paid_ytd',
        'version',
      );
  const moved = await accumulators();
  expect(moved).toHaveLength(1);
  const [a] = moved;
  expect(Number(a.dedc_paid_ytd)).toBeGreaterThan(0);
  expect(
    ['hifp_paid_ytd', 'si_paid_ytd', 'cvlserv_paid_ytd', 'oth_paid_ytd', 'maf_paid_ytd'].reduce(
      (sum, k) => sum + Number(a[k]),
      0,
    ),
  ).toBe(paid.fund_pay_sumamt);
  // A retry of the payment (the activity run again with its recorded input) pays and moves nothing more.
  const history = await p.worker.client.workflow.getHandle(manualClaimWorkflowId(mdtrt_id)).fetchHistory();
  const scheduled = (history.events ?? []).find(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'payManualClaim',
  )?.activityTaskScheduledEventAttributes?.input?.payloads?.[0]?.data;
  if (!scheduled) throw new Error('payManualClaim not scheduled');
  const input = JSON.parse(Buffer.from(scheduled).toString('utf8'));
  await manualClaimActivities({ orm: p.orm }).payManualClaim(input);
  expect(await accumulators()).toEqual(moved);
  expect(await p.orm.em.fork().count(LedgerEntry, { setl_id: `MC${mdtrt_id}` })).toBe(2);

  const view = (
    await request(p.app)
      .get(`/api/v1/stays/${mdtrt_id}`)
      .set(await p.as('staff-ah'))
      .expect(200)
  ).body;
  const texts = view.timeline.map((e: { text: string }) => e.text).join('\n');
  expect(texts).toContain('参保地协同人员：已转为手工报销');
  expect(texts).toContain('本次住院转为手工报销');
  expect(texts).toMatch(/按参保地目录和政策计算手工报销：总费用 3,?980\.00 元/);
  expect(texts).toContain('审核通过手工报销');
  // Paid: the stay leaves MANUAL_CLAIM, closed, on the citizen's timeline and in the stay list.
  expect(view.status).toBe('MANUAL_PAID');
  expect(texts).toMatch(/本次住院已办结：手工报销已支付，基金支付 [\d,.]+ 元/);
  const list = (
    await request(p.app)
      .get('/api/v1/stays?status=MANUAL_PAID')
      .set(await p.as('staff-ah'))
      .expect(200)
  ).body;
  expect(list.items.map((s: { mdtrt_id: string }) => s.mdtrt_id)).toContain(mdtrt_id);
});

test('the hospital’s own later 2304 counts as an attempt: a 补备案 made meanwhile settles the stay and resolves the ticket', async () => {
  const { mdtrt_id, ticket } = await stuckStay(p.worker, p.orm, { psn_no: 'P34010000000083' });
  // Only the first responder (安徽, for a filing) may hand the ticket over.
  await expect(act(ticket.ticket_id, 'hand_over', 'treatment', 'coord-hi')).rejects.toMatchObject({
    cause: { type: 'TICKET_WRONG_SIDE' },
  });
  await act(ticket.ticket_id, 'hand_over', 'insured', 'coord-ah');
  const handed = await eventually(async () => {
    const t = await p.orm.em.fork().findOne(Ticket, { ticket_id: ticket.ticket_id });
    return t?.first_responder === 'treatment' ? t : undefined;
  });
  expect(handed.sides.map((s) => [s.side, s.task_id])).toEqual([
    ['insured', `${ticket.ticket_id}-insured-h2-t1`],
    ['treatment', `${ticket.ticket_id}-treatment-h2-t1`],
  ]);
  const response = await eventually(async () => {
    const t = await p.orm.em.fork().findOne(HumanTask, { id: `${ticket.ticket_id}-treatment-h2-t1` });
    return t ?? undefined;
  });
  expect(response).toMatchObject({ kind: 'ticket_response', prov_admdvs: '460000' });

  // The citizen files again (补备案, from before the admission); the hospital retries 2304 itself.
  await lostFiling(p.worker, p.orm, 'P34010000000083');
  await p.orm.em
    .fork()
    .getKnex()('filing')
    .where({ psn_no: 'P34010000000083' })
    .update({ status: 'ACTIVE', reason: null });
  const stay = p.worker.client.workflow.getHandle(stayWorkflowId(mdtrt_id));
  const settled = await stay.executeUpdate(settleUpdate, {
    updateId: `retry-${mdtrt_id}`,
    args: [{ acct_used_flag: false, mid_setl_flag: false, opter: 'his-hn' }],
  });
  expect(settled.setl_id).toBe(`${mdtrt_id}S01`);
  const resolved = await eventually(async () => {
    const t = await p.orm.em.fork().findOne(Ticket, { ticket_id: ticket.ticket_id });
    return t?.status === 'RESOLVED' ? t : undefined;
  });
  expect(resolved.retries).toEqual([
    expect.objectContaining({ ok: true, message: expect.stringContaining('医院重新结算成功') }),
  ]);
});

test('convert_manual paid after another stay of the person used the 统筹基金 cap: the claim pays what the cap leaves and says which cap', async () => {
  const psn_no = 'P34010000000084';
  await insureInHefei(p.orm, [{ psn_no, psn_name: '测试4', certno: '340102199001012084' }]);
  await lostFiling(p.worker, p.orm, psn_no);
  const { mdtrt_id, ticket } = await stuckStay(p.worker, p.orm, { psn_no });
  await act(ticket.ticket_id, 'convert_manual', 'insured', 'coord-ah');
  const task = await eventually(
    async () =>
      (await p.orm.em
        .fork()
        .findOne(HumanTask, { case_id: manualClaimWorkflowId(mdtrt_id), status: 'open' })) ?? undefined,
  );
  const computed = await eventually(async () => {
    const c = await p.orm.em.fork().findOne(ManualClaim, { mdtrt_id });
    return c?.task_id === task.id ? c : undefined;
  });
  // What the claim asks of each fund, computed as the workflow did (her year had nothing before it).
  const asked = await manualClaimActivities({ orm: p.orm }).computeManualClaim({ mdtrt_id });
  expect(asked.fund_pay_sumamt).toBe(computed.fund_pay_sumamt);
  const hifpPart = asked.accumulator_effect.hifp_paid_ytd;
  const left = Math.floor(hifpPart / 2);
  expect(left).toBeGreaterThan(0);
  // Another stay of hers settled meanwhile: the year's 统筹基金 paid to within `left` of the 300,000.00 cap.
  const knex = p.orm.em.fork().getKnex();
  const key = { psn_no, insuplc_admdvs: '340100', year: asked.acc_year };
  await knex('accumulator').insert({
    ...key,
    dedc_paid_ytd: 0,
    hifp_paid_ytd: 30_000_000 - left,
    si_base_ytd: 0,
    si_paid_ytd: 0,
    cvlserv_paid_ytd: 0,
    oth_paid_ytd: 0,
    maf_paid_ytd: 0,
    acct_balc: 0,
    version: 1,
    updated_at: new Date(),
  });

  const staff = await p.as('staff-ah');
  await decideAsStaff(p.app, task.id, staff);
  const paid = await eventually(async () => {
    const c = await p.orm.em.fork().findOne(ManualClaim, { mdtrt_id });
    return c?.status === 'PAID' ? c : undefined;
  });
  // At least the approved amount less the 统筹 part the cap cut (what cap cuts may fall to the next
  // layer when the claim is computed again from her year as it stands), less than approved.
  const paidAmount = paid.paid_amount as number;
  expect(paidAmount).toBeGreaterThanOrEqual((computed.fund_pay_sumamt as number) - (hifpPart - left));
  expect(paidAmount).toBeLessThan(computed.fund_pay_sumamt as number);
  expect(paid.fund_pay_sumamt).toBe(computed.fund_pay_sumamt);
  const ledger = await p.orm.em.fork().find(LedgerEntry, { setl_id: `MC${mdtrt_id}` });
  expect(ledger.reduce((sum, l) => sum + l.credit, 0)).toBe(paidAmount);
  // The capped funds moved by exactly what was paid.
  const after = await knex('accumulator').where(key).first();
  expect(
    ['si_paid_ytd', 'cvlserv_paid_ytd', 'oth_paid_ytd', 'maf_paid_ytd'].reduce(
      (t, k) => t + Number(after[k]),
      0,
    ) + left,
  ).toBe(paidAmount);
  // The cap is reached to the fen, never passed.
  expect(Number((await knex('accumulator').where(key).first()).hifp_paid_ytd)).toBe(30_000_000);
  const view = (await request(p.app).get(`/api/v1/stays/${mdtrt_id}`).set(staff).expect(200)).body;
  const texts = view.timeline.map((e: { text: string }) => e.text).join('\n');
  expect(texts).toMatch(
    /受本年度统筹基金最高支付限额所限，实付 [\d,.]+ 元 已支付给参保人：统筹基金年度最高支付限额 300,000\.00 元/,
  );
  expect(texts).toMatch(/本次住院已办结：手工报销已支付，基金支付 [\d,.]+ 元（受年度最高支付限额所限）/);
});
