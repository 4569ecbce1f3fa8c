import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { FilingSnapshot, ReferralSnapshot } from '../activities/projection';
import {
  addDays,
  addMonths,
  addMonthsToInstant,
  calendarFor,
  cancelFilingUpdate,
  casePolicyFor,
  changeFilingUpdate,
  cstDate,
  cstEndOf,
  type DecisionMessage,
  type FilingInput,
  type FilingState,
  type FilingStatus,
  filingStateQuery,
  formatCstDate,
  LONG_TERM_CATEGORIES,
  REFUSALS,
  referralIdOf,
  revokeReferralUpdate,
} from '../cases';
import { ACTIVITY_OPTIONS, db } from './_shared';
import { filingWorkflowV1 } from './legacy/filing-v1';
import { caseClock } from './lib/clock';
import { failureReason } from './lib/failure';
import { taskDesk } from './lib/human-task';
import { refusal } from './lib/refusal';
import { caseTimeline } from './lib/timeline';

/** The patch that moved the referral review into the filing (updates, one owner of cancel vs decision). */
export const CASE_KERNEL_PATCH = 'case-kernel';

/**
 * The attention path writes only a status and sanitized events, so only an outage can stop it: it
 * retries until the database answers again (never a failure that could loop on bad data).
 */
const attentionDb = proxyActivities<
  Pick<typeof db, 'projectCaseStatus' | 'createTask' | 'escalateTask' | 'cancelTask'>
>({
  ...ACTIVITY_OPTIONS,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

const OPEN: readonly FilingStatus[] = ['SUBMITTED', 'UNDER_REVIEW', 'ACTIVE'];

/** Ends the workflow's main path: staff closed the case from NEEDS_ATTENTION. */
class ClosedByStaff extends Error {}

/**
 * 异地就医备案, one execution per filing. Insured status is checked first; commitment, long-term and
 * other temporary filings take effect at once, emergencies are deemed at admission, referrals are
 * reviewed here by the human-task helper. Decisions, answers, changes and cancellation are all updates
 * of this one workflow, so a cancellation racing an approval is decided in one place: the first one
 * accepted wins, the other is refused naming it. A step that fails for good (bad data, attempts run
 * out) puts the case in NEEDS_ATTENTION with a task for staff, who retry it or close the case.
 */
export async function filingWorkflow(input: FilingInput): Promise<FilingState> {
  // Executions started before the case kernel run the frozen v1 code (replay of running cases).
  if (!patched(CASE_KERNEL_PATCH)) return filingWorkflowV1(input);

  const clock = caseClock(input.submitted_at);
  const longTerm = LONG_TERM_CATEGORIES.includes(input.category);
  const state: FilingState = {
    status: 'SUBMITTED',
    insuplc_admdvs: null,
    prov_admdvs: input.prov_admdvs ?? null,
    mdtrtarea_admdvs: input.mdtrtarea_admdvs,
    fixmedins_code: input.fixmedins_code,
    begndate: input.begndate,
    enddate: input.enddate,
    trt_dcla_detl_sn: null,
    effective_at: null,
    reason: null,
    memo: null,
    deemed: false,
    locked_until: null,
    review: null,
  };
  let endChanged = false;
  let projectionSeq = 0;
  const referralId = referralIdOf(input.filing_id);

  const filingSnapshot = (): Omit<FilingSnapshot, 'projection_seq'> => ({
    id: input.filing_id,
    psn_no: input.psn_no,
    insuplc_admdvs: state.insuplc_admdvs ?? '',
    prov_admdvs: state.prov_admdvs ?? '',
    category: input.category,
    status: state.status,
    mdtrtarea_admdvs: state.mdtrtarea_admdvs,
    fixmedins_code: state.fixmedins_code,
    begndate: state.begndate,
    enddate: state.enddate,
    commitment: input.commitment,
    deemed: state.deemed,
    retro: input.retro !== null,
    trt_dcla_detl_sn: state.trt_dcla_detl_sn,
    effective_at: state.effective_at,
    reason: state.reason,
    memo: state.memo,
    form: input.form,
    updated_at: clock.iso(),
  });
  const referralSnapshot = (): Omit<ReferralSnapshot, 'projection_seq'> | null =>
    state.review && input.referral
      ? {
          id: referralId,
          filing_id: input.filing_id,
          psn_no: input.psn_no,
          prov_admdvs: state.prov_admdvs ?? '',
          status: state.review.status,
          refl_fil_type: input.referral.refl_fil_type,
          mdtrtarea_admdvs: state.mdtrtarea_admdvs,
          fixmedins_code: state.fixmedins_code,
          trt_dcla_detl_sn: state.trt_dcla_detl_sn,
          reason: state.review.status === 'REJECTED' ? state.reason : null,
          memo: state.review.questions,
          escalated: state.review.escalated,
          summary: input.referral.summary,
          updated_at: clock.iso(),
        }
      : null;
  const timeline = caseTimeline({
    idPrefix: `${input.filing_id}:e`,
    clock,
    snapshot: () => ({ filing: filingSnapshot(), referral: referralSnapshot() }),
    write: ({ snapshot, events }) => {
      projectionSeq += 1;
      return db.projectCase({
        case_id: input.filing_id,
        filing: { ...snapshot.filing, projection_seq: projectionSeq },
        referral: snapshot.referral ? { ...snapshot.referral, projection_seq: projectionSeq } : null,
        events,
      });
    },
  });
  const record = timeline.record;

  const desk = taskDesk({
    clock,
    calendar: calendarFor,
    timeline,
    closed: () =>
      state.status === 'CANCELLED'
        ? { code: REFUSALS.CASE_WITHDRAWN, message: `参保人已取消该备案：${state.reason ?? ''}` }
        : OPEN.includes(state.status) || state.status === 'NEEDS_ATTENTION'
          ? null
          : { code: REFUSALS.CASE_CLOSED, message: `该备案已结束（${state.status}）` },
  });
  let review: ReturnType<typeof desk.reviewTask> | undefined;

  // ---- needs attention: a step failed for good; staff retry it or close the case ----
  let attention: Promise<'retry' | 'reject'> | undefined;
  let attentionRound = 0;
  const raiseAttention = (step: string, error: unknown): Promise<'retry' | 'reject'> => {
    attention ??= (async () => {
      const before = state.status;
      const reason = failureReason(error);
      attentionRound += 1;
      state.status = 'NEEDS_ATTENTION';
      state.reason = `${step}: ${reason}`;
      record('needs_attention', 'system', { step, reason });
      await projectStatus();
      const policy = casePolicyFor(state.prov_admdvs ?? '');
      const task = desk.reviewTask({
        kind: 'case_attention',
        case_type: 'filing',
        case_id: input.filing_id,
        task_prefix: `${input.filing_id}-attention${attentionRound}`,
        side: { prov_admdvs: state.prov_admdvs ?? '' },
        escalation: [
          { role: 'staff', working_days: policy.referral_sla_working_days },
          { role: 'supervisor', working_days: policy.supervisor_sla_working_days },
        ],
        summary: { psn_no: input.psn_no, filing_id: input.filing_id, step, reason },
        more_info: false,
        // Its own steps write only the status and sanitized events, so only an outage can stop them.
        tasks: attentionDb,
        project: projectStatus,
      });
      const outcome = await task.run();
      attention = undefined;
      if (outcome.outcome === 'decided' && outcome.decision.decision === 'retry') {
        state.status = before;
        state.reason = null;
        record('attention_retried', outcome.decision.decided_by, { step });
        return 'retry';
      }
      state.status = 'REJECTED';
      state.reason = outcome.outcome === 'decided' ? (outcome.decision.reason ?? '') : outcome.reason;
      record('rejected', outcome.outcome === 'decided' ? outcome.decision.decided_by : 'system', {
        reason: state.reason,
      });
      review?.withdraw(state.reason);
      await projectStatus();
      return 'reject';
    })();
    return attention;
  };
  const takeEvents = () => timeline.drain();
  const projectStatus = () => {
    projectionSeq += 1;
    return attentionDb.projectCaseStatus({
      case_id: input.filing_id,
      filing: { ...filingSnapshot(), projection_seq: projectionSeq },
      events: takeEvents(),
    });
  };

  /** Runs a step of the main path; a failure for good goes to NEEDS_ATTENTION and is retried if staff say so. */
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await fn();
      } catch (error) {
        if (!(error instanceof ActivityFailure)) throw error;
        if ((await raiseAttention(name, error)) === 'reject') throw new ClosedByStaff();
      }
    }
  };
  const project = () => step('projection', timeline.project);
  /** From an update handler: the person's message is applied; a failing projection shows as NEEDS_ATTENTION. */
  const projectFromHandler = async () => {
    try {
      await timeline.project();
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      void raiseAttention('projection', error).then((r) =>
        r === 'retry' ? projectFromHandler() : undefined,
      );
    }
  };

  const isActive = () => state.status === 'ACTIVE';
  const refuseWhenLocked = () => {
    if (state.locked_until && clock.now() < Date.parse(state.locked_until)) {
      throw refusal(
        REFUSALS.FILING_LOCKED,
        `长期备案生效后${casePolicyFor(state.prov_admdvs ?? '').long_term_lock_months}个月内不能变更或取消，${formatCstDate(Date.parse(state.locked_until))}后可办理`,
        { locked_until: state.locked_until },
      );
    }
  };

  setHandler(filingStateQuery, () => state);
  setHandler(
    changeFilingUpdate,
    async (request) => {
      if (request.mdtrtarea_admdvs) state.mdtrtarea_admdvs = request.mdtrtarea_admdvs;
      if (request.fixmedins_code !== undefined) state.fixmedins_code = request.fixmedins_code;
      if (request.enddate !== undefined) {
        state.enddate = request.enddate;
        endChanged = true;
      }
      state.memo = request.memo;
      record('changed', request.requested_by, { ...request, requested_by: undefined });
      await projectFromHandler();
      return state;
    },
    {
      validator: (request) => {
        if (state.status !== 'ACTIVE') {
          throw refusal(REFUSALS.FILING_NOT_ACTIVE, `只有已生效的备案可以变更（当前：${state.status}）`);
        }
        refuseWhenLocked();
        if (request.enddate && request.enddate < state.begndate) {
          throw refusal(REFUSALS.FILING_NOT_ACTIVE, '结束日期不能早于开始日期');
        }
      },
    },
  );
  setHandler(
    cancelFilingUpdate,
    async (request) => {
      state.status = 'CANCELLED';
      state.reason = request.reason;
      record('cancelled', request.requested_by, { reason: request.reason });
      if (review) {
        review.withdraw(request.reason);
        // Whatever the review reached, a cancelled filing's referral is withdrawn with it.
        if (state.review) state.review.status = 'WITHDRAWN';
      }
      await projectFromHandler();
      return state;
    },
    {
      validator: (_request) => {
        if (!OPEN.includes(state.status)) {
          throw refusal(REFUSALS.CASE_CLOSED, `该备案已结束（${state.status}），不能取消`);
        }
        // A decision already accepted wins over a cancellation that arrives after it.
        const decided: DecisionMessage | undefined = review?.decided();
        if (state.status === 'UNDER_REVIEW' && decided) {
          throw refusal(REFUSALS.REVIEW_DECIDED, `审核已由 ${decided.decided_by} 作出决定，不能再取消`, {
            decision: decided.decision,
            decided_by: decided.decided_by,
            decided_at: decided.decided_at,
          });
        }
        refuseWhenLocked();
      },
    },
  );
  setHandler(
    revokeReferralUpdate,
    async (request) => {
      state.status = 'REVOKED';
      state.reason = request.memo;
      if (state.review) state.review.status = 'REVOKED';
      record('referral_revoked', request.requested_by, {
        trt_dcla_detl_sn: request.trt_dcla_detl_sn,
        memo: request.memo,
      });
      await projectFromHandler();
      return state;
    },
    {
      validator: (request) => {
        if (input.category !== 'referral' || state.status !== 'ACTIVE') {
          throw refusal(REFUSALS.REVOKE_NOT_ALLOWED, '只有已生效的转诊备案可以撤销');
        }
        if (request.trt_dcla_detl_sn !== state.trt_dcla_detl_sn || request.psn_no !== input.psn_no) {
          throw refusal(REFUSALS.REVOKE_NOT_ALLOWED, '待遇申报明细流水号或人员编号与该备案不符');
        }
        if (!request.memo.trim()) throw refusal(REFUSALS.REVOKE_NOT_ALLOWED, '须填写撤销原因');
      },
    },
  );

  const activate = (validityMonths: number | null, lockMonths: number, at = clock.now()) => {
    state.status = 'ACTIVE';
    state.effective_at = clock.iso(at);
    if (state.enddate === null && validityMonths !== null) {
      state.enddate = addDays(addMonths(state.begndate, validityMonths), -1);
    }
    if (longTerm) state.locked_until = clock.iso(addMonthsToInstant(at, lockMonths));
  };
  const stillSubmitted = () => state.status === 'SUBMITTED';

  try {
    record(
      'submitted',
      input.submitted_by,
      { category: input.category, commitment: input.commitment },
      clock.iso(clock.submitted),
    );
    const person = await step('insured_status', () => db.checkInsuredStatus({ psn_no: input.psn_no }));
    state.insuplc_admdvs = person.insuplc_admdvs;
    state.prov_admdvs = person.prov_admdvs;
    const policy = casePolicyFor(person.prov_admdvs);
    if (!stillSubmitted()) {
      await project(); // cancelled while the status check ran
      await condition(allHandlersFinished);
      return state;
    }
    if (person.insu_status !== 'active') {
      state.status = 'REJECTED';
      state.reason = `参保状态异常（${person.insu_status}）：备案须在正常参保状态下办理 (insu_status ${person.insu_status})`;
      record('rejected', 'system', { reason: state.reason });
      await project();
      return state;
    }
    record('insured_status_checked', 'system', {
      insu_status: person.insu_status,
      insuplc_admdvs: person.insuplc_admdvs,
    });
    if (input.retro && input.begndate > input.retro.adm_date) {
      // 补备案: the filing must start on or before the admission date (addendum).
      state.begndate = input.retro.adm_date;
    }

    if (input.category === 'referral' && input.referral) {
      state.status = 'UNDER_REVIEW';
      review = desk.reviewTask({
        kind: 'referral_review',
        case_type: 'filing',
        case_id: input.filing_id,
        task_prefix: referralId,
        side: { prov_admdvs: person.prov_admdvs },
        escalation: [
          { role: 'staff', working_days: policy.referral_sla_working_days },
          { role: 'supervisor', working_days: policy.supervisor_sla_working_days },
        ],
        summary: { ...input.referral.summary, psn_no: input.psn_no, filing_id: input.filing_id },
      });
      state.review = review.state;
      record('referral_requested', input.psn_no, { refl_fil_type: input.referral.refl_fil_type });
      await project();
      const outcome = await step('referral_review', review.run);
      if (outcome.outcome === 'decided' && state.status === 'UNDER_REVIEW') {
        const d = outcome.decision;
        if (d.decision === 'approve') {
          state.trt_dcla_detl_sn = await step('trt_dcla_detl_sn', () =>
            db.issueTrtDclaDetlSn({
              referral_id: referralId,
              insuplc_admdvs: person.insuplc_admdvs,
              date: cstDate(clock.now()),
            }),
          );
          review.state.status = 'APPROVED';
          record(
            'referral_approved',
            d.decided_by,
            { trt_dcla_detl_sn: state.trt_dcla_detl_sn },
            d.decided_at,
          );
          activate(policy.referral_validity_months, policy.long_term_lock_months);
          record('active', 'system', { trt_dcla_detl_sn: state.trt_dcla_detl_sn, enddate: state.enddate });
        } else {
          review.state.status = 'REJECTED';
          state.status = 'REJECTED';
          state.reason = d.reason ?? '';
          record('referral_rejected', d.decided_by, { reason: d.reason }, d.decided_at);
          record('rejected', 'system', { reason: state.reason });
        }
      } else if (outcome.outcome === 'withdrawn') {
        review.state.status = 'WITHDRAWN';
        record('referral_withdrawn', input.psn_no, { reason: outcome.reason });
      }
    } else if (input.category === 'emergency') {
      state.deemed = true;
      if (input.emergency_adm_date) state.begndate = input.emergency_adm_date;
      activate(policy.temporary_validity_months, policy.long_term_lock_months, clock.submitted);
      record('emergency_deemed', 'system', { adm_date: state.begndate, enddate: state.enddate });
    } else if (stillSubmitted()) {
      // Effective from the submission (承诺制/即时生效): a backdated case took effect when it was filed.
      activate(
        longTerm ? null : policy.temporary_validity_months,
        policy.long_term_lock_months,
        clock.submitted,
      );
      record('active', 'system', {
        commitment: input.commitment,
        enddate: state.enddate,
        locked_until: state.locked_until,
      });
    }
    await project();

    // Active until expiry: an updatable timer, re-armed when a change moves the end date.
    while (isActive()) {
      endChanged = false;
      const end = state.enddate;
      const stop = () => !isActive() || endChanged;
      let expired = false;
      if (end === null) await condition(stop);
      else expired = !(await condition(stop, clock.until(cstEndOf(end))));
      if (expired && isActive()) {
        state.status = 'EXPIRED';
        record('expired', 'system', { enddate: state.enddate });
        await project();
      }
    }
  } catch (error) {
    if (!(error instanceof ClosedByStaff)) throw error;
  }
  await condition(() => attention === undefined);
  await condition(allHandlersFinished);
  return state;
}
