import {
  allHandlersFinished,
  type ChildWorkflowHandle,
  condition,
  defineQuery,
  defineUpdate,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
} from '@temporalio/workflow';
import { db } from './_shared';
import { addDays, addMonths, addMonthsToInstant, cstEndOf } from './calendar';
import { casePolicyFor } from './case-policy';
import { type FilingCategory, type FilingStatus, LONG_TERM_CATEGORIES } from './case-types';
import { type ReferralOutcome, referralWorkflow, withdrawSignal } from './referral';

export interface FilingInput {
  /** The workflow id and business id: `filing-<psn_no>-<n>`. */
  filing_id: string;
  psn_no: string;
  category: FilingCategory;
  /** Treatment place (2501 body spelling). */
  mdtrtarea_admdvs: string;
  fixmedins_code: string | null;
  /** First day of validity (CST date); for 补备案 on or before the admission date. */
  begndate: string;
  /** Requested last day; temporary filings get the policy's validity when absent. */
  enddate: string | null;
  /** 承诺制: the citizen's personal commitment replaces proof of residence. */
  commitment: boolean;
  /** 急诊抢救 deemed filed at admission (视同已备案): the admission date. */
  emergency_adm_date: string | null;
  /**
   * 补备案: the stay this filing is made for, still unsettled. The hospitalization workflow starts the
   * filing with it before discharge settlement; the caller vouches the stay is unsettled.
   */
  retro: { mdtrt_id: string | null; adm_date: string } | null;
  referral: { refl_fil_type: string; summary: Record<string, unknown> } | null;
  form: Record<string, unknown>;
  submitted_by: string;
}

export interface FilingState {
  status: FilingStatus;
  insuplc_admdvs: string | null;
  prov_admdvs: string | null;
  mdtrtarea_admdvs: string;
  fixmedins_code: string | null;
  begndate: string;
  enddate: string | null;
  trt_dcla_detl_sn: string | null;
  effective_at: string | null;
  reason: string | null;
  memo: string | null;
  deemed: boolean;
  /** Long-term filings cannot be changed or cancelled before this instant. */
  locked_until: string | null;
}

export interface ChangeRequest {
  mdtrtarea_admdvs?: string;
  fixmedins_code?: string | null;
  enddate?: string | null;
  memo: string;
  requested_by: string;
}
export interface CancelRequest {
  reason: string;
  requested_by: string;
}
/** 2502 撤销: revokes an approved referral filing by its serial. */
export interface RevokeRequest {
  trt_dcla_detl_sn: string;
  psn_no: string;
  memo: string;
  requested_by: string;
}

export const changeFilingUpdate = defineUpdate<FilingState, [ChangeRequest]>('changeFiling');
export const cancelFilingUpdate = defineUpdate<FilingState, [CancelRequest]>('cancelFiling');
export const revokeReferralUpdate = defineUpdate<FilingState, [RevokeRequest]>('revokeReferral');
export const filingStateQuery = defineQuery<FilingState>('filingState');

export function referralIdOf(filing_id: string): string {
  return filing_id.replace(/^filing-/, 'referral-');
}

const OPEN: readonly FilingStatus[] = ['SUBMITTED', 'UNDER_REVIEW', 'ACTIVE'];

/**
 * 异地就医备案, one execution per filing. Insured status is checked first; commitment, long-term and
 * other temporary filings take effect at once, emergencies are deemed at admission, referrals wait for
 * their review. The referral review runs as a child workflow: it has its own tasks, SLA timers and
 * history, and its parent needs only its outcome; the filing stays the one owner of validity, expiry,
 * change, cancellation and 2502 revocation, so no two workflows race on the same state.
 */
export async function filingWorkflow(input: FilingInput): Promise<FilingState> {
  const longTerm = LONG_TERM_CATEGORIES.includes(input.category);
  const state: FilingState = {
    status: 'SUBMITTED',
    insuplc_admdvs: null,
    prov_admdvs: null,
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
  };
  let eventSeq = 0;
  let projectionSeq = 0;
  let endChanged = false;
  let child: ChildWorkflowHandle<typeof referralWorkflow> | undefined;
  const pending: { id: string; at: string; actor: string; kind: string; detail: Record<string, unknown> }[] =
    [];

  const record = (kind: string, actor: string, detail: Record<string, unknown> = {}) => {
    eventSeq += 1;
    pending.push({
      id: `${input.filing_id}:f${eventSeq}`,
      at: new Date().toISOString(),
      actor,
      kind,
      detail,
    });
  };
  const project = async () => {
    projectionSeq += 1;
    const events = pending.splice(0);
    await db.projectFiling({
      filing: {
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
        updated_at: new Date().toISOString(),
        projection_seq: projectionSeq,
      },
      events,
    });
  };
  // A function, so TypeScript does not narrow the status that handlers change between awaits.
  const isActive = () => state.status === 'ACTIVE';
  const refuseWhenLocked = () => {
    if (state.locked_until && Date.now() < Date.parse(state.locked_until)) {
      throw new Error(`长期备案在 ${state.locked_until} 之前不能变更或取消`);
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
      await project();
      return state;
    },
    {
      validator: (request) => {
        if (state.status !== 'ACTIVE')
          throw new Error(`只有已生效的备案可以变更（当前状态：${state.status}）`);
        refuseWhenLocked();
        if (request.enddate && request.enddate < state.begndate) {
          throw new Error('结束日期不能早于开始日期');
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
      if (child) await child.signal(withdrawSignal, { reason: request.reason });
      await project();
      return state;
    },
    {
      validator: (_request) => {
        if (!OPEN.includes(state.status))
          throw new Error(`备案已结束（当前状态：${state.status}），不能取消`);
        refuseWhenLocked();
      },
    },
  );
  setHandler(
    revokeReferralUpdate,
    async (request) => {
      state.status = 'REVOKED';
      state.reason = request.memo;
      record('referral_revoked', request.requested_by, {
        trt_dcla_detl_sn: request.trt_dcla_detl_sn,
        memo: request.memo,
      });
      await db.markReferralRevoked({ id: referralIdOf(input.filing_id), memo: request.memo });
      await project();
      return state;
    },
    {
      validator: (request) => {
        if (input.category !== 'referral' || state.status !== 'ACTIVE') {
          throw new Error('只有已生效的转诊备案可以撤销');
        }
        if (request.trt_dcla_detl_sn !== state.trt_dcla_detl_sn || request.psn_no !== input.psn_no) {
          throw new Error('待遇申报明细流水号或人员编号与该备案不符');
        }
        if (!request.memo.trim()) throw new Error('请填写撤销原因');
      },
    },
  );

  const activate = (validityMonths: number | null) => {
    state.status = 'ACTIVE';
    state.effective_at = new Date().toISOString();
    if (state.enddate === null && validityMonths !== null) {
      state.enddate = addDays(addMonths(state.begndate, validityMonths), -1);
    }
    if (longTerm) {
      state.locked_until = new Date(
        addMonthsToInstant(Date.now(), policy.long_term_lock_months),
      ).toISOString();
    }
  };

  record('submitted', input.submitted_by, { category: input.category, commitment: input.commitment });
  const person = await db.checkInsuredStatus({ psn_no: input.psn_no });
  state.insuplc_admdvs = person.insuplc_admdvs;
  state.prov_admdvs = person.prov_admdvs;
  const policy = casePolicyFor(person.prov_admdvs);
  if (state.status !== 'SUBMITTED') {
    await project(); // cancelled while the status check ran
    await condition(allHandlersFinished);
    return state;
  }
  if (person.insu_status !== 'active') {
    state.status = 'REJECTED';
    state.reason = `参保状态异常 (insu_status ${person.insu_status}): a filing needs active insurance`;
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
    await project();
    child = await startChild(referralWorkflow, {
      workflowId: referralIdOf(input.filing_id),
      args: [
        {
          referral_id: referralIdOf(input.filing_id),
          filing_id: input.filing_id,
          psn_no: input.psn_no,
          insuplc_admdvs: person.insuplc_admdvs,
          prov_admdvs: person.prov_admdvs,
          mdtrtarea_admdvs: input.mdtrtarea_admdvs,
          fixmedins_code: input.fixmedins_code,
          refl_fil_type: input.referral.refl_fil_type,
          summary: input.referral.summary,
        },
      ],
      // A cancelled filing withdraws its referral by signal; closing the parent abandons nothing.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    });
    // Cancelled while the child was starting: the cancel handler found no child to withdraw, so do it now.
    if (state.status !== 'UNDER_REVIEW' && patched('withdraw-child-cancelled-while-starting')) {
      await child.signal(withdrawSignal, { reason: state.reason ?? '' });
    }
    const outcome: ReferralOutcome = await child.result();
    child = undefined;
    if (outcome.outcome === 'approved' && state.status === 'UNDER_REVIEW') {
      state.trt_dcla_detl_sn = outcome.trt_dcla_detl_sn;
      activate(policy.referral_validity_months);
      record('active', 'system', { trt_dcla_detl_sn: state.trt_dcla_detl_sn, enddate: state.enddate });
    } else if (outcome.outcome === 'rejected' && state.status === 'UNDER_REVIEW') {
      // A rejection that crossed the citizen's cancellation does not turn CANCELLED into REJECTED.
      state.status = 'REJECTED';
      state.reason = outcome.reason;
      record('rejected', 'system', { reason: outcome.reason });
    }
  } else if (input.category === 'emergency') {
    state.deemed = true;
    if (input.emergency_adm_date) state.begndate = input.emergency_adm_date;
    activate(policy.temporary_validity_months);
    record('emergency_deemed', 'system', { adm_date: state.begndate, enddate: state.enddate });
  } else {
    activate(longTerm ? null : policy.temporary_validity_months);
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
    else expired = !(await condition(stop, Math.max(cstEndOf(end) - Date.now(), 1)));
    if (expired && isActive()) {
      state.status = 'EXPIRED';
      record('expired', 'system', { enddate: state.enddate });
      await project();
    }
  }
  await condition(allHandlersFinished);
  return state;
}
