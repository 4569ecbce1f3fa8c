/**
 * FROZEN: the filing workflow as it ran before the case kernel (review in a `referralWorkflow` child,
 * decisions by signal). Kept unchanged so executions started before `patched(CASE_KERNEL)` replay and
 * finish on it; new executions never come here. Do not edit.
 */
import {
  allHandlersFinished,
  type ChildWorkflowHandle,
  condition,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
} from '@temporalio/workflow';
import {
  addDays,
  addMonths,
  addMonthsToInstant,
  cancelFilingUpdate,
  casePolicyFor,
  changeFilingUpdate,
  cstEndOf,
  type FilingInput,
  type FilingState,
  type FilingStatus,
  filingStateQuery,
  LONG_TERM_CATEGORIES,
  referralIdOf,
  revokeReferralUpdate,
} from '../../cases';
import { db } from './_shared-v1';
import { type ReferralOutcome, referralWorkflow, withdrawSignal } from './referral-v1';

const OPEN: readonly FilingStatus[] = ['SUBMITTED', 'UNDER_REVIEW', 'ACTIVE'];

/**
 * 异地就医备案, one execution per filing. Insured status is checked first; commitment, long-term and
 * other temporary filings take effect at once, emergencies are deemed at admission, referrals wait for
 * their review. The referral review runs as a child workflow: it has its own tasks, SLA timers and
 * history, and its parent needs only its outcome; the filing stays the one owner of validity, expiry,
 * change, cancellation and 2502 revocation, so no two workflows race on the same state.
 */
export async function filingWorkflowV1(input: FilingInput): Promise<FilingState> {
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
      throw new Error(`a long-term filing cannot be changed or cancelled before ${state.locked_until}`);
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
          throw new Error(`only an ACTIVE filing can be changed (it is ${state.status})`);
        refuseWhenLocked();
        if (request.enddate && request.enddate < state.begndate) {
          throw new Error('enddate must not be before begndate');
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
        if (!OPEN.includes(state.status)) throw new Error(`the filing is already ${state.status}`);
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
          throw new Error('only an active referral filing can be revoked');
        }
        if (request.trt_dcla_detl_sn !== state.trt_dcla_detl_sn || request.psn_no !== input.psn_no) {
          throw new Error('trt_dcla_detl_sn and psn_no do not match this filing');
        }
        if (!request.memo.trim()) throw new Error('memo (the reason) is required');
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
