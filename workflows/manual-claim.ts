import { patched } from '@temporalio/workflow';
import type { ManualClaimComputed, ManualClaimSnapshot } from '../activities/manual-claim';
import {
  calendarFor,
  type ManualClaimStart,
  type ManualClaimStatus,
  manualClaimWorkflowId,
  REFUSALS,
} from '../cases';
import { type Fen, formatYuan } from '../settlement';
import { db } from './_shared';
import { caseClock } from './lib/clock';
import { taskDesk } from './lib/human-task';
import { caseTimeline } from './lib/timeline';

const yuanText = (fen: number) => `${formatYuan(fen as Fen)} 元`;

/** A paid claim closes its stay (MANUAL_CLAIM → MANUAL_PAID) with an event on the citizen's timeline. */
export const MANUAL_CLAIM_CLOSES_STAY_PATCH = 'manual-claim-closes-stay';

/**
 * 手工报销 at the insured place, one execution per stay (`manual-claim-<mdtrt_id>`): started by the stay
 * when its ticket converts it. The stay is computed by the settlement core as a claim at home (the
 * insured place's catalogue and policy), the insured province's staff review it (SLA, then the
 * supervisors), and an approval pays the fund's share to the person through the ledger once, moving
 * the person's accumulators of the year with it (so a later stay of the year starts from them).
 */
export async function manualClaimWorkflow(start: ManualClaimStart): Promise<ManualClaimStatus> {
  const claim_id = manualClaimWorkflowId(start.mdtrt_id);
  const clock = caseClock(start.at);
  const state: {
    status: ManualClaimStatus;
    c: ManualClaimComputed | null;
    task_id: string | null;
    decision: { decision: string; reason: string | null; decided_at: string } | null;
    paid_at: string | null;
  } = { status: 'UNDER_REVIEW', c: null, task_id: null, decision: null, paid_at: null };
  let projectionSeq = 0;
  const snapshot = (): ManualClaimSnapshot => ({
    claim_id,
    mdtrt_id: start.mdtrt_id,
    ticket_id: start.ticket_id,
    psn_no: start.psn_no,
    insuplc_admdvs: start.insuplc_admdvs,
    prov_admdvs: state.c?.prov_admdvs ?? `${start.insuplc_admdvs.slice(0, 2)}0000`,
    status: state.status,
    medfee_sumamt: state.c?.medfee_sumamt ?? null,
    fund_pay_sumamt: state.c?.fund_pay_sumamt ?? null,
    psn_part_amt: state.c?.psn_part_amt ?? null,
    catalogue_admvs: state.c?.catalogue_admvs ?? null,
    policy_id: state.c?.policy.policy_id ?? null,
    policy_version: state.c?.policy.version ?? null,
    task_id: state.task_id,
    decision: state.decision,
    paid_at: state.paid_at,
    updated_at: clock.iso(),
    projection_seq: projectionSeq,
  });
  const timeline = caseTimeline({
    idPrefix: `${claim_id}:e`,
    clock,
    snapshot,
    write: ({ events }) => {
      projectionSeq += 1;
      return db.projectManualClaim({ claim: snapshot(), events });
    },
  });
  const desk = taskDesk({
    clock,
    calendar: calendarFor,
    timeline,
    closed: () =>
      state.status !== 'UNDER_REVIEW' ? { code: REFUSALS.CASE_CLOSED, message: '该手工报销已办结' } : null,
  });

  const c = await db.computeManualClaim({ mdtrt_id: start.mdtrt_id });
  state.c = c;
  timeline.record('manual_claim_computed', 'system', {
    text: `按参保地目录和政策计算手工报销：总费用 ${yuanText(c.medfee_sumamt)}，应由基金支付 ${yuanText(c.fund_pay_sumamt)}，待参保地经办机构审核`,
  });
  const review = desk.reviewTask({
    kind: 'manual_claim_review',
    case_type: 'manual_claim',
    case_id: claim_id,
    task_prefix: claim_id,
    side: { prov_admdvs: c.prov_admdvs },
    escalation: [
      { role: 'staff', working_days: 5 },
      { role: 'supervisor', working_days: 3 },
    ],
    summary: {
      mdtrt_id: start.mdtrt_id,
      ticket_id: start.ticket_id,
      psn_no: start.psn_no,
      psn_name: c.psn_name,
      fixmedins_name: c.fixmedins_name,
      medfee_sumamt: c.medfee_sumamt,
      fund_pay_sumamt: c.fund_pay_sumamt,
      psn_part_amt: c.psn_part_amt,
      catalogue_admvs: c.catalogue_admvs,
      policy: c.policy,
      converted_by: start.converted_by,
      note: start.note,
    },
    more_info: false,
    project: async () => {
      state.task_id = review.state.task_id;
      await timeline.project();
    },
  });
  const outcome = await review.run();
  const d = outcome.outcome === 'decided' ? outcome.decision : null;
  state.decision = {
    decision: d?.decision ?? 'reject',
    reason: d ? d.reason : outcome.outcome === 'withdrawn' ? outcome.reason : null,
    decided_at: d?.decided_at ?? clock.iso(),
  };
  if (d?.decision !== 'approve' || c.fund_pay_sumamt <= 0) {
    state.status = 'REJECTED';
    timeline.record('manual_claim_rejected', d?.decided_by ?? 'system', {
      text: `参保地经办机构未通过手工报销：${state.decision.reason ?? '基金无应支付金额'}`,
    });
    await timeline.project();
    return state.status;
  }
  state.status = 'PAID';
  state.paid_at = clock.iso();
  timeline.record('manual_claim_paid', d.decided_by, {
    text: `参保地经办机构审核通过手工报销，基金支付 ${yuanText(c.fund_pay_sumamt)} 已支付给参保人`,
  });
  projectionSeq += 1;
  const events = timeline.drain();
  const payment = await db.payManualClaim({
    claim: snapshot(),
    events,
    insutype: c.insutype,
    acc_year: c.acc_year,
    accumulator_effect: c.accumulator_effect,
    stay_closed: patched(MANUAL_CLAIM_CLOSES_STAY_PATCH)
      ? {
          id: `${claim_id}:stay-closed`,
          at: state.paid_at,
          actor: 'system',
          kind: 'stay_closed',
          detail: { text: `本次住院已办结：手工报销已支付，基金支付 ${yuanText(c.fund_pay_sumamt)}` },
        }
      : null,
  });
  // Nothing paid when the annual caps were used by another stay since the claim was computed (a payment
  // recorded by older code answered nothing and paid the whole amount).
  if (payment?.paid === 0) {
    state.status = 'CAP_EXHAUSTED';
    state.paid_at = null;
  }
  return state.status;
}
