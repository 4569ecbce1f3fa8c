import { ActivityFailure, patched, setHandler } from '@temporalio/workflow';
import type { CompensationAssessment, CompensationSnapshot } from '../activities/compensation';
import {
  type CompensationStart,
  type CompensationStatus,
  type CompensationView,
  calendarFor,
  casePolicyFor,
  compensationWorkflowId,
  cstDate,
  REFUSALS,
  settlementReversedSignal,
} from '../cases';
import { formatYuan } from '../settlement';
import { localDb, db as remoteDb } from './_shared';
import { caseClock } from './lib/clock';
import { failureReason } from './lib/failure';
import { taskDesk } from './lib/human-task';
import { caseTimeline, type TimelineEvent } from './lib/timeline';

const CLOSED: readonly CompensationStatus[] = [
  'PAID',
  'REJECTED',
  'NOT_ELIGIBLE',
  'WITHDRAWN',
  'RECOVERED',
  'CAP_EXHAUSTED',
];

/** Why a comparison closes when its settlement is reversed (2305). */
const SETTLEMENT_REVERSED = '结算已撤销';

/**
 * Comparisons started since run the comparison, their projections and the payment as local activities
 * (each idempotent: a read, upserts guarded by the counter, a payment keyed by the settlement).
 */
export const COMPENSATION_LOCAL_PATCH = 'compensation-local';

/** Amounts as the citizen reads them: 12,345.60. */
function y(fen: number): string {
  const [int, dec] = formatYuan(fen as Parameters<typeof formatYuan>[0]).split('.');
  return `${(int ?? '0').replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${dec}`;
}

/**
 * 待遇补差, one execution per settlement (`compensation-<setl_id>`): started by the settlement workflow
 * after each settlement (`detected`) or by the citizen's application (`applied`). The stay is recomputed
 * as a manual claim under the insured place's catalogue and the policy the direct settlement used; no
 * gap (or below the province's threshold, or too late) ends it NOT_ELIGIBLE with the reason; a gap goes
 * to the insured province's staff as a review task (SLA, escalation to the supervisor), and an approval
 * is paid through the ledger once. Every step is on the stay's timeline in plain Chinese.
 */
export async function compensationWorkflow(start: CompensationStart): Promise<CompensationView> {
  const db = patched(COMPENSATION_LOCAL_PATCH) ? localDb : remoteDb;
  const compensation_id = compensationWorkflowId(start.setl_id);
  const clock = caseClock(start.at);
  const state: {
    status: CompensationStatus;
    a: CompensationAssessment | null;
    task_id: string | null;
    decision: CompensationView['decision'];
    paid_at: string | null;
    /** What the payment paid, and its step when an annual cap limited it (from the payment's result). */
    paid: number | null;
    cap_step: CompensationView['steps'][number] | null;
  } = {
    status: start.origin === 'applied' ? 'APPLIED' : 'DETECTED',
    a: null,
    task_id: null,
    decision: null,
    paid_at: null,
    paid: null,
    cap_step: null,
  };
  let projectionSeq = 0;
  const snapshot = (): Omit<CompensationSnapshot, 'projection_seq'> => ({
    compensation_id,
    setl_id: start.setl_id,
    mdtrt_id: start.mdtrt_id,
    psn_no: start.psn_no,
    insuplc_admdvs: start.insuplc_admdvs,
    prov_admdvs: state.a?.prov_admdvs ?? `${start.insuplc_admdvs.slice(0, 2)}0000`,
    origin: start.origin,
    applied_by: start.applied_by,
    status: state.status,
    direct_fund_pay: state.a?.direct_fund_pay ?? null,
    recomputed_fund_pay: state.a?.recomputed_fund_pay ?? null,
    gap: state.a?.gap ?? 0,
    steps: state.a?.steps ?? [],
    items: state.a?.items ?? [],
    catalogue_admvs: state.a?.catalogue_admvs ?? null,
    policy_id: state.a?.policy?.policy_id ?? null,
    policy_version: state.a?.policy?.version ?? null,
    task_id: state.task_id,
    decision: state.decision,
    paid_at: state.paid_at,
    updated_at: clock.iso(),
  });
  const next = (): CompensationSnapshot => {
    projectionSeq += 1;
    return { ...snapshot(), projection_seq: projectionSeq };
  };
  const timeline = caseTimeline({
    idPrefix: `${compensation_id}:e`,
    clock,
    snapshot,
    write: ({ events }) => db.projectCompensation({ compensation: next(), events }),
  });
  const desk = taskDesk({
    clock,
    calendar: calendarFor,
    timeline,
    closed: () =>
      CLOSED.includes(state.status)
        ? { code: REFUSALS.CASE_CLOSED, message: `该待遇补差已结束（${state.status}）` }
        : null,
  });
  const view = (): CompensationView => ({
    compensation_id,
    setl_id: start.setl_id,
    status: state.status,
    direct_fund_pay: state.a?.direct_fund_pay ?? 0,
    recomputed_fund_pay: state.a?.recomputed_fund_pay ?? 0,
    gap: state.a?.gap ?? 0,
    paid: state.paid,
    steps: [...(state.a?.steps ?? []), ...(state.cap_step ? [state.cap_step] : [])],
    items: state.a?.items ?? [],
    task_id: state.task_id,
    decision: state.decision,
  });

  /**
   * The settlement reversed (2305) while the comparison is open: the open task is withdrawn and the
   * comparison closes WITHDRAWN — there is no settlement left to compare. A re-settlement after it has
   * its own comparison.
   */
  let reversed: { reversed_by: string; at: string } | null = null;
  let openTask: { withdraw: (reason: string) => void } | null = null;
  setHandler(settlementReversedSignal, (r) => {
    if (reversed) return;
    reversed = { reversed_by: r.reversed_by, at: r.at };
    openTask?.withdraw(SETTLEMENT_REVERSED);
  });
  const watched = <T extends { withdraw: (reason: string) => void }>(task: T): T => {
    openTask = task;
    if (reversed) task.withdraw(SETTLEMENT_REVERSED);
    return task;
  };
  const closeWithdrawn = async (by: { reversed_by: string }): Promise<CompensationView> => {
    state.status = 'WITHDRAWN';
    state.decision = { decision: 'reject', reason: SETTLEMENT_REVERSED, decided_at: clock.iso() };
    timeline.record('compensation_withdrawn', 'system', {
      reason: SETTLEMENT_REVERSED,
      reversed_by: by.reversed_by,
      text: '医院已撤销本次结算，待遇补差比较随之终止；重新结算后将另行比较是否需要补差',
    });
    await timeline.project();
    return view();
  };

  /**
   * The comparison; a failure for good (data the activity cannot read) goes to the insured province's
   * staff as a case_attention task: they retry once the data is fixed, or close the comparison.
   */
  async function assess(): Promise<CompensationAssessment | { closed: string; by: string }> {
    for (let round = 1; ; round += 1) {
      try {
        return await db.assessCompensation({ setl_id: start.setl_id, appy_date: cstDate(clock.submitted) });
      } catch (error) {
        if (!(error instanceof ActivityFailure)) throw error;
        const reason = failureReason(error);
        const prov_admdvs = `${start.insuplc_admdvs.slice(0, 2)}0000`;
        const policy = casePolicyFor(prov_admdvs);
        timeline.record('needs_attention', 'system', {
          step: 'assess',
          reason,
          text: '待遇补差比较未能完成，已转参保地经办人员处理',
        });
        const task = watched(
          desk.reviewTask({
            kind: 'case_attention',
            case_type: 'compensation',
            case_id: compensation_id,
            task_prefix: `${compensation_id}-attention${round}`,
            side: { prov_admdvs },
            escalation: [
              { role: 'staff', working_days: policy.referral_sla_working_days },
              { role: 'supervisor', working_days: policy.supervisor_sla_working_days },
            ],
            summary: {
              psn_no: start.psn_no,
              mdtrt_id: start.mdtrt_id,
              setl_id: start.setl_id,
              step: 'assess',
              reason,
            },
            more_info: false,
          }),
        );
        const outcome = await task.run();
        const d = outcome.outcome === 'decided' ? outcome.decision : null;
        if (d?.decision !== 'retry') return { closed: d?.reason ?? reason, by: d?.decided_by ?? 'system' };
        timeline.record('attention_retried', d.decided_by, {
          step: 'assess',
          text: '经办人员已重新发起待遇补差比较',
        });
      }
    }
  }

  timeline.record(
    start.origin === 'applied' ? 'compensation_applied' : 'compensation_detected',
    start.applied_by ?? 'system',
    {
      setl_id: start.setl_id,
      text:
        start.origin === 'applied'
          ? '您申请了待遇补差：将按参保地目录和政策重新计算本次住院应报销的金额'
          : '结算完成后，系统将按参保地目录和政策重新计算本次住院应报销的金额，比较是否需要待遇补差',
    },
  );
  await timeline.project();

  const assessed = await assess();
  if (reversed) return closeWithdrawn(reversed);
  if ('closed' in assessed) {
    state.status = 'REJECTED';
    state.decision = { decision: 'reject', reason: assessed.closed, decided_at: clock.iso() };
    timeline.record('compensation_rejected', assessed.by, {
      reason: assessed.closed,
      text: `待遇补差未能完成比较，经办人员已终止：${assessed.closed}`,
    });
    await timeline.project();
    return view();
  }
  const a = assessed;
  state.a = a;
  if (!a.qualifies) {
    state.status = 'NOT_ELIGIBLE';
    timeline.record('compensation_not_eligible', 'system', {
      direct_fund_pay: a.direct_fund_pay,
      recomputed_fund_pay: a.recomputed_fund_pay,
      text: a.not_eligible_reason ?? '比较后无需补差',
    });
    await timeline.project();
    return view();
  }

  state.status = 'UNDER_REVIEW';
  timeline.record('compensation_compared', 'system', {
    gap: a.gap,
    text: `按参保地目录和政策重算，本次住院应由基金支付 ${y(a.recomputed_fund_pay)} 元，直接结算已支付 ${y(a.direct_fund_pay)} 元，差额 ${y(a.gap)} 元，待参保地经办机构审核`,
  });
  const review = watched(
    desk.reviewTask({
      kind: 'compensation_review',
      case_type: 'compensation',
      case_id: compensation_id,
      task_prefix: compensation_id,
      side: { prov_admdvs: a.prov_admdvs },
      escalation: [
        { role: 'staff', working_days: a.sla.review_working_days },
        { role: 'supervisor', working_days: a.sla.supervisor_working_days },
      ],
      summary: {
        psn_no: a.psn_no,
        psn_name: a.psn_name,
        mdtrt_id: a.mdtrt_id,
        setl_id: start.setl_id,
        fixmedins_name: a.fixmedins_name,
        dscg_date: a.dscg_date,
        origin: start.origin,
        medfee_sumamt: a.medfee_sumamt,
        direct_fund_pay: a.direct_fund_pay,
        recomputed_fund_pay: a.recomputed_fund_pay,
        gap: a.gap,
        catalogue_admvs: a.catalogue_admvs,
        policy: a.policy,
        // The lines the two catalogues grade differently: what the reviewer checks first.
        changed_items: a.items.filter((i) => i.direct.chrgitm_lv !== i.insured_place.chrgitm_lv),
      },
      more_info: false,
      project: async () => {
        state.task_id = review.state.task_id;
        await timeline.project();
      },
    }),
  );
  const outcome = await review.run();
  openTask = null;
  if (reversed && outcome.outcome === 'withdrawn') return closeWithdrawn(reversed);
  const decided = outcome.outcome === 'decided' ? outcome.decision : null;
  state.decision = {
    decision: decided?.decision ?? 'reject',
    reason: decided ? decided.reason : outcome.outcome === 'withdrawn' ? outcome.reason : null,
    decided_at: decided?.decided_at ?? clock.iso(),
  };
  if (decided?.decision !== 'approve') {
    state.status = 'REJECTED';
    timeline.record('compensation_rejected', decided?.decided_by ?? 'system', {
      reason: state.decision.reason,
      text: `参保地经办机构未通过待遇补差：${state.decision.reason ?? ''}`,
    });
    await timeline.project();
    return view();
  }

  state.status = 'RECOMPUTED';
  timeline.record('compensation_approved', decided.decided_by, {
    gap: a.gap,
    text: `参保地经办机构审核通过，核定补差 ${y(a.gap)} 元`,
  });
  await timeline.project();
  // Reversed after the approval: nothing is paid against a settlement that no longer stands.
  if (reversed) return closeWithdrawn(reversed);

  state.status = 'PAID';
  state.paid_at = clock.iso();
  timeline.record('compensation_paid', 'system', {
    gap: a.gap,
    text: `待遇补差 ${y(a.gap)} 元已支付`,
  });
  const events: TimelineEvent[] = timeline.drain();
  // The accumulator effect rides with the payment (same command; a comparison assessed before it had
  // one leaves it out, and the activity computes it again).
  const payment = await db.payCompensation({
    compensation: next(),
    events,
    insutype: a.insutype,
    acc_year: a.acc_year,
    accumulator_effect: a.accumulator_effect,
  });
  if (payment?.withdrawn) {
    // The reversal committed first (its signal not yet here): the events of the payment were not written.
    state.status = 'RECOMPUTED';
    state.paid_at = null;
    return closeWithdrawn(reversed ?? { reversed_by: '' });
  }
  // Less than the gap when another stay of the person used the annual caps since the comparison; nothing
  // at all → CAP_EXHAUSTED (a payment recorded by older code paid the whole gap).
  state.paid = payment?.paid ?? a.gap;
  state.cap_step = payment?.cap_step ?? null;
  if (state.paid === 0) {
    state.status = 'CAP_EXHAUSTED';
    state.paid_at = null;
  }
  return view();
}
