/**
 * FROZEN: the referral child workflow of filing v1 (decisions and answers by signal). Kept so its
 * recorded and still-running executions replay; new filings review in the filing workflow itself.
 */
import { condition, defineQuery, defineSignal, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  answerMoreInfoSignal,
  calendarFor,
  casePolicyFor,
  cstDate,
  type DecisionMessage,
  decideSignal,
  type MoreInfoAnswer,
  type ReferralStatus,
  workingDayDeadline,
} from '../../cases';
import { db } from './_shared-v1';

export interface ReferralInput {
  referral_id: string;
  filing_id: string;
  psn_no: string;
  insuplc_admdvs: string;
  /** The insured province: its handling staff review the referral. */
  prov_admdvs: string;
  mdtrtarea_admdvs: string;
  fixmedins_code: string | null;
  refl_fil_type: string;
  /** What the reviewer sees: diagnosis, referring hospital, documents. */
  summary: Record<string, unknown>;
}

export type ReferralOutcome =
  | { outcome: 'approved'; trt_dcla_detl_sn: string; approved_at: string }
  | { outcome: 'rejected'; reason: string }
  | { outcome: 'withdrawn'; reason: string };

export interface ReferralState {
  status: ReferralStatus;
  round: number;
  task_id: string | null;
  escalated: boolean;
  due_at: string | null;
  trt_dcla_detl_sn: string | null;
  reason: string | null;
  questions: string | null;
}

/** Sent by the parent filing when the citizen cancels it during review. */
export const withdrawSignal = defineSignal<[{ reason: string }]>('withdraw');
export const referralStateQuery = defineQuery<ReferralState>('referralState');

/**
 * 转诊审批: one review round per task. Staff of the insured province decide within the SLA (working
 * days); when it lapses the task is escalated to a supervisor. "More information" waits for the
 * citizen's answer and opens a new round, so the SLA restarts. The workflow ends at the decision and
 * hands the outcome to its parent filing, which owns the approved referral's validity (and its 2502
 * revocation) from then on.
 */
export async function referralWorkflow(input: ReferralInput): Promise<ReferralOutcome> {
  const policy = casePolicyFor(input.prov_admdvs);
  const calendar = calendarFor(input.prov_admdvs);
  const state: ReferralState = {
    status: 'REQUESTED',
    round: 0,
    task_id: null,
    escalated: false,
    due_at: null,
    trt_dcla_detl_sn: null,
    reason: null,
    questions: null,
  };
  const seen = new Set<string>();
  // Messages land here; a holder object keeps TypeScript from narrowing them away across awaits.
  const inbox: { decision?: DecisionMessage; answer?: MoreInfoAnswer; withdrawn?: string } = {};
  const received = (): DecisionMessage | undefined => inbox.decision;
  const answered = (): MoreInfoAnswer | undefined => inbox.answer;
  let eventSeq = 0;
  let projectionSeq = 0;
  const pending: { id: string; at: string; actor: string; kind: string; detail: Record<string, unknown> }[] =
    [];

  const record = (kind: string, actor: string, detail: Record<string, unknown> = {}, at = new Date()) => {
    eventSeq += 1;
    pending.push({ id: `${input.filing_id}:r${eventSeq}`, at: at.toISOString(), actor, kind, detail });
  };
  const project = async () => {
    projectionSeq += 1;
    const events = pending.splice(0);
    await db.projectReferral({
      referral: {
        id: input.referral_id,
        filing_id: input.filing_id,
        psn_no: input.psn_no,
        prov_admdvs: input.prov_admdvs,
        status: state.status,
        refl_fil_type: input.refl_fil_type,
        mdtrtarea_admdvs: input.mdtrtarea_admdvs,
        fixmedins_code: input.fixmedins_code,
        trt_dcla_detl_sn: state.trt_dcla_detl_sn,
        reason: state.reason,
        memo: state.questions,
        escalated: state.escalated,
        summary: input.summary,
        updated_at: new Date().toISOString(),
        projection_seq: projectionSeq,
      },
      case_id: input.filing_id,
      events,
    });
  };

  setHandler(referralStateQuery, () => state);
  setHandler(decideSignal, (message) => {
    if (seen.has(message.decision_id)) return; // redelivered from the outbox: already applied
    seen.add(message.decision_id);
    if (message.task_id !== state.task_id || inbox.decision) return; // a stale round's task: nothing to apply
    inbox.decision = message;
  });
  setHandler(answerMoreInfoSignal, (message) => {
    if (state.status === 'MORE_INFO' && !inbox.answer) inbox.answer = message;
  });
  setHandler(withdrawSignal, ({ reason }) => {
    inbox.withdrawn ??= reason;
  });

  record('referral_requested', input.psn_no, { refl_fil_type: input.refl_fil_type });
  for (;;) {
    if (inbox.withdrawn !== undefined) return withdraw(inbox.withdrawn);
    state.round += 1;
    state.task_id = `${input.referral_id}-t${state.round}`;
    state.status = 'UNDER_REVIEW';
    state.escalated = false;
    inbox.decision = undefined;
    const dueMs = workingDayDeadline(Date.now(), policy.referral_sla_working_days, calendar);
    state.due_at = new Date(dueMs).toISOString();
    await db.createTask({
      id: state.task_id,
      case_id: input.filing_id,
      workflow_id: workflowInfo().workflowId,
      kind: 'referral_review',
      role: 'staff',
      prov_admdvs: input.prov_admdvs,
      due_at: state.due_at,
      summary: { ...input.summary, psn_no: input.psn_no, round: state.round, filing_id: input.filing_id },
    });
    record('review_task_opened', 'system', {
      task_id: state.task_id,
      due_at: state.due_at,
      round: state.round,
    });
    await project();

    const settled = () => inbox.decision !== undefined || inbox.withdrawn !== undefined;
    if (!(await condition(settled, Math.max(dueMs - Date.now(), 1)))) {
      const supervisorDue = workingDayDeadline(Date.now(), policy.supervisor_sla_working_days, calendar);
      state.escalated = true;
      state.due_at = new Date(supervisorDue).toISOString();
      await db.escalateTask({ id: state.task_id, due_at: state.due_at });
      record('escalated', 'system', { task_id: state.task_id, due_at: state.due_at, to: 'supervisor' });
      await project();
      if (!(await condition(settled, Math.max(supervisorDue - Date.now(), 1)))) {
        // Still undecided: the timeline says so for the province's oversight; the task stays with supervisors.
        record('supervisor_overdue', 'system', { task_id: state.task_id, due_at: state.due_at });
        await project();
        await condition(settled);
      }
    }

    const d = received();
    if (!d) return withdraw(inbox.withdrawn ?? '');
    if (d.decision === 'approve') {
      const approvedAt = new Date();
      state.trt_dcla_detl_sn = await db.issueTrtDclaDetlSn({
        referral_id: input.referral_id,
        insuplc_admdvs: input.insuplc_admdvs,
        date: cstDate(approvedAt.getTime()),
      });
      state.status = 'APPROVED';
      record(
        'referral_approved',
        d.decided_by,
        { trt_dcla_detl_sn: state.trt_dcla_detl_sn },
        new Date(d.decided_at),
      );
      await project();
      return {
        outcome: 'approved',
        trt_dcla_detl_sn: state.trt_dcla_detl_sn,
        approved_at: approvedAt.toISOString(),
      };
    }
    if (d.decision === 'reject') {
      state.status = 'REJECTED';
      state.reason = d.reason ?? '';
      record('referral_rejected', d.decided_by, { reason: d.reason }, new Date(d.decided_at));
      await project();
      return { outcome: 'rejected', reason: state.reason };
    }
    state.status = 'MORE_INFO';
    state.questions = d.reason;
    inbox.answer = undefined;
    record('more_info_requested', d.decided_by, { questions: d.reason }, new Date(d.decided_at));
    await project();
    await condition(() => inbox.answer !== undefined || inbox.withdrawn !== undefined);
    const answer = answered();
    if (answer) {
      record('more_info_answered', answer.answered_by, {
        answer: answer.answer,
        documents: answer.documents,
      });
    }
  }

  async function withdraw(reason: string): Promise<ReferralOutcome> {
    if (state.task_id) await db.cancelTask({ id: state.task_id });
    state.status = 'WITHDRAWN';
    state.reason = reason;
    record('referral_withdrawn', input.psn_no, { reason });
    await project();
    return { outcome: 'withdrawn', reason };
  }
}
