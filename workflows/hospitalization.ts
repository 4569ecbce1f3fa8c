import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { StayForSettlement } from '../activities/settlement';
import type { AdmissionChecked, StayRefusal, StaySnapshot } from '../activities/stay';
import {
  admissionUpdate,
  cancelAdmissionUpdate,
  cancelDischargeUpdate,
  cancelFeesUpdate,
  changeAdmissionUpdate,
  cstDate,
  type Diagnosis,
  dischargeUpdate,
  type FilingInput,
  type ManualClaimStart,
  manualClaimWorkflowId,
  presettleUpdate,
  REFUSAL_TICKET_CATEGORY,
  reverseSettlementUpdate,
  type SettleRequest,
  STAY_REFUSALS,
  type StayRefusalCode,
  type StayStart,
  type StayState,
  type StayStatus,
  settlementAttemptSignal,
  settleUpdate,
  stayStateQuery,
  type TicketStart,
  ticketId,
  ticketResolutionSignal,
  ticketWorkflowId,
  uploadFeesUpdate,
  WORKFLOW_TYPES,
} from '../cases';
import { type Fen, formatYuan } from '../settlement';
import { localDb, db as remoteDb } from './_shared';
import { caseClock } from './lib/clock';
import { refusal } from './lib/refusal';
import { timedOut } from './lib/timed-out';
import { caseTimeline } from './lib/timeline';
import { settlementWorkflow, settlementWorkflowId } from './settlement';

/** Stays started since: every step of the stay is a local activity (each is idempotent, see LOCAL_ACTIVITY_OPTIONS). */
export const STAY_LOCAL_STEPS_PATCH = 'stay-local-steps';

/**
 * Stays that reach this code raise a 问题协同 ticket (a `settlementError` child) when 2304 fails for a
 * classified reason, wait in SETTLEMENT_ERROR for its resolution and settle by themselves (补记账).
 */
export const SETTLEMENT_ERROR_TICKET_PATCH = 'settlement-error-ticket';

/**
 * Stays that reach this code also raise a ticket when the settlement step cannot complete in time
 * (SETTLEMENT_TIMEOUT, instead of failing the update) and when a 2305 cannot be applied (REVERSAL_FAILED).
 */
export const SETTLEMENT_ERROR_CATEGORIES_PATCH = 'settlement-error-categories';

/** An amount in fen as the timeline says it: "1234.50元". */
const formatYuanText = (fen: number) => `${formatYuan(fen as Fen)}元`;

/** Continue as new after this many transactions, or sooner when Temporal suggests it. */
export const TRANSACTIONS_PER_RUN = 100;

/** What a stay carries into its next run (continue-as-new): its state and its counters. */
export interface StayCarried {
  state: StayState;
  admitted: AdmissionChecked;
  diagnoses: Diagnosis[];
  generation: number;
  projection_seq: number;
  settle_round: number;
  fund_pay_sumamt: number | null;
  /** 问题协同: the tickets raised so far, the one still open, and the 2304 request a retry repeats. */
  ticket_round?: number;
  open_ticket?: string | null;
  settle_request?: SettleRequest | null;
}

/**
 * 住院, one execution per stay (`mdtrt_id`). Started by the hospital edge at 2401; the admission check
 * (insured and normal, not an inpatient elsewhere, inpatient number unused, which filing covers it)
 * answers the admission update. Every later transaction is an update whose validator refuses what the
 * stay's state does not allow, with a message the hospital can act on. Handlers run one at a time.
 * Fee lines live in the database (an activity stores them, idempotent by feedetl_sn); the workflow
 * keeps totals, and continues as new before its history grows large.
 */
export async function hospitalizationWorkflow(start: StayStart, carried?: StayCarried): Promise<StayState> {
  const db = patched(STAY_LOCAL_STEPS_PATCH) ? localDb : remoteDb;
  const a = start.admission;
  const clock = caseClock();
  const state: StayState = carried?.state ?? {
    mdtrt_id: start.mdtrt_id,
    status: 'ADMITTED',
    psn_no: a.psn_no,
    insuplc_admdvs: a.insuplc_admdvs,
    mdtrtarea_admvs: a.mdtrtarea_admvs,
    fixmedins_code: a.fixmedins_code,
    ipt_no: a.ipt_no,
    begntime: a.begntime,
    endtime: null,
    coverage: { kind: 'pending_retro' },
    fee_count: 0,
    medfee_sumamt: 0,
    settlements: [],
  };
  let admitted: AdmissionChecked | StayRefusal | undefined = carried?.admitted;
  let admissionAnswered = carried !== undefined;
  let diagnoses = carried?.diagnoses ?? a.diseinfo;
  let projectionSeq = carried?.projection_seq ?? 0;
  let settleRound = carried?.settle_round ?? 0;
  let fundPaySumamt = carried?.fund_pay_sumamt ?? null;
  let ticketRound = carried?.ticket_round ?? 0;
  let openTicket = carried?.open_ticket ?? null;
  let lastSettleRequest = carried?.settle_request ?? null;
  const generation = carried?.generation ?? 0;
  let transactions = 0;

  const snapshot = (): StaySnapshot => {
    const checked = admitted && !('refused' in admitted) ? admitted : null;
    const live = state.settlements.find((s) => s.status === 'SETTLED');
    return {
      mdtrt_id: state.mdtrt_id,
      psn_no: state.psn_no,
      psn_name: checked?.psn_name ?? '',
      insuplc_admdvs: state.insuplc_admdvs,
      prov_admdvs: checked?.prov_admdvs ?? '',
      mdtrtarea_admvs: state.mdtrtarea_admvs,
      fixmedins_code: state.fixmedins_code,
      fixmedins_name: checked?.fixmedins_name ?? a.fixmedins_name,
      ipt_no: state.ipt_no,
      insutype: a.insutype,
      med_type: a.med_type,
      begntime: state.begntime,
      endtime: state.endtime,
      status: state.status,
      coverage: state.coverage,
      diagnoses,
      medfee_sumamt: state.medfee_sumamt,
      fee_count: state.fee_count,
      setl_id: live?.setl_id ?? null,
      fund_pay_sumamt: live ? fundPaySumamt : null,
      updated_at: clock.iso(),
      projection_seq: projectionSeq,
    };
  };
  // Event ids carry the run's generation: a continued run starts its own sequence.
  const timeline = caseTimeline({
    idPrefix: `${start.mdtrt_id}:g${generation}e`,
    clock,
    snapshot,
    write: ({ snapshot: stay, events }) => db.projectStay({ stay, events }),
  });
  const record = (kind: string, actor: string, text: string, detail: Record<string, unknown> = {}) =>
    timeline.record(kind, actor, { text, ...detail });
  const project = () => {
    projectionSeq += 1;
    return timeline.project();
  };

  // One transaction at a time: each reads the state the previous one left.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    transactions += 1;
    return run;
  };
  const fail = (r: StayRefusal) => refusal(r.refused.code, r.refused.message, r.refused.details);

  // ---- state guards (brief §3), shared by the validators and, once queued, the handlers ----
  const closedGuard = () => {
    if (state.status === 'CANCELLED')
      throw refusal(STAY_REFUSALS.STAY_CLOSED, '该入院登记已撤销，不能再办理');
    if (admitted === undefined || 'refused' in admitted)
      throw refusal(STAY_REFUSALS.STAY_CLOSED, '入院办理未完成或未通过，不能办理');
    if (state.status === 'MANUAL_CLAIM')
      throw refusal(STAY_REFUSALS.STAY_CLOSED, '该就诊已转为手工报销，不能再办理直接结算业务');
  };
  const inHospitalGuard = (what: string) => {
    closedGuard();
    if (state.status === 'SETTLED')
      throw refusal(STAY_REFUSALS.STAY_SETTLED, `该就诊已结算，不能${what}；如需更正请先撤销结算（2305）`);
    if (state.status === 'DISCHARGED')
      throw refusal(STAY_REFUSALS.STAY_DISCHARGED, `已办理出院，不能${what}；如需更正请先撤销出院（2405）`);
    if (state.status === 'SETTLEMENT_ERROR')
      throw refusal(STAY_REFUSALS.STAY_DISCHARGED, `已办理出院、结算报错处理中（问题协同），不能${what}`);
  };
  const feesGuard = () => {
    if (state.fee_count === 0)
      throw refusal(STAY_REFUSALS.NO_FEES, '该就诊尚无费用明细，请先上传费用（2301）');
  };
  const settleGuard = () => {
    closedGuard();
    if (state.status === 'SETTLED')
      throw refusal(
        STAY_REFUSALS.STAY_SETTLED,
        '该就诊已结算，不能重复结算；如需重新结算请先撤销结算（2305）',
      );
    // SETTLEMENT_ERROR: the hospital may still retry 2304 while the ticket is worked.
    if (state.status !== 'DISCHARGED' && state.status !== 'SETTLEMENT_ERROR')
      throw refusal(STAY_REFUSALS.STAY_NOT_DISCHARGED, '请先办理出院（2402）再结算');
    feesGuard();
  };

  const stayForSettlement = (endtime: string, acct_used: boolean): StayForSettlement => ({
    mdtrt_id: state.mdtrt_id,
    psn_no: state.psn_no,
    insuplc_admdvs: state.insuplc_admdvs,
    mdtrtarea_admvs: state.mdtrtarea_admvs,
    fixmedins_code: state.fixmedins_code,
    insutype: a.insutype,
    med_type: a.med_type,
    begntime: state.begntime,
    endtime,
    coverage: state.coverage,
    acct_used,
  });
  const feeStatus = (): StayStatus => (state.fee_count > 0 ? 'FEES_UPLOADED' : 'ADMITTED');

  setHandler(stayStateQuery, () => state);

  setHandler(admissionUpdate, async () => {
    await condition(() => admitted !== undefined);
    admissionAnswered = true;
    if (admitted && 'refused' in admitted) throw fail(admitted);
    return state;
  });

  setHandler(
    changeAdmissionUpdate,
    (change) =>
      serial(async () => {
        inHospitalGuard('变更入院信息');
        if (change.ipt_no !== undefined) state.ipt_no = change.ipt_no;
        if (change.begntime !== undefined) state.begntime = change.begntime;
        if (change.diseinfo !== undefined) diagnoses = change.diseinfo;
        record('stay_changed', change.opter, '医院变更了入院信息', {
          fields: Object.keys(change).filter((k) => k !== 'opter'),
        });
        await project();
        return state;
      }),
    {
      validator: (change) => {
        inHospitalGuard('变更入院信息');
        if (change.begntime !== undefined && Number.isNaN(Date.parse(change.begntime)))
          throw refusal(STAY_REFUSALS.STAY_CLOSED, '入院时间格式不正确');
      },
    },
  );

  setHandler(
    cancelAdmissionUpdate,
    (cancel) =>
      serial(async () => {
        inHospitalGuard('撤销入院');
        if (state.fee_count > 0) throw hasFees();
        state.status = 'CANCELLED';
        record(
          'stay_cancelled',
          cancel.opter,
          `医院撤销了入院登记${cancel.reason ? `：${cancel.reason}` : ''}`,
        );
        await project();
        return state;
      }),
    {
      validator: (_cancel) => {
        inHospitalGuard('撤销入院');
        if (state.fee_count > 0) throw hasFees();
      },
    },
  );
  const hasFees = () =>
    refusal(
      STAY_REFUSALS.STAY_HAS_FEES,
      `该就诊已有 ${state.fee_count} 条费用明细，请先撤销费用明细（2302）再撤销入院`,
    );

  setHandler(
    uploadFeesUpdate,
    (upload) =>
      serial(async () => {
        inHospitalGuard('上传费用');
        const r = await db.storeFeeLines({
          mdtrt_id: state.mdtrt_id,
          mdtrtarea_admvs: state.mdtrtarea_admvs,
          begntime: state.begntime,
          lines: upload.feedetail,
        });
        if ('refused' in r) throw fail(r);
        state.fee_count = r.fee_count;
        state.medfee_sumamt = r.medfee_sumamt;
        state.status = feeStatus();
        record(
          'fees_uploaded',
          upload.opter,
          `上传费用明细 ${upload.feedetail.length} 条，本次住院费用合计 ${formatYuanText(state.medfee_sumamt)}`,
          { lines: upload.feedetail.length, fee_count: state.fee_count, medfee_sumamt: state.medfee_sumamt },
        );
        await project();
        return { result: r.result };
      }),
    {
      validator: (upload) => {
        inHospitalGuard('上传费用');
        if (upload.feedetail.length === 0)
          throw refusal(STAY_REFUSALS.FEE_LINE_NOT_FOUND, '费用明细（feedetail）为空，请至少上传一条');
        const seen = new Set<string>();
        for (const line of upload.feedetail) {
          if (seen.has(line.feedetl_sn))
            throw refusal(
              STAY_REFUSALS.FEE_LINE_CONFLICT,
              `费用明细流水号 ${line.feedetl_sn} 在本次上传中重复`,
              {
                feedetl_sn: line.feedetl_sn,
              },
            );
          seen.add(line.feedetl_sn);
        }
      },
    },
  );

  setHandler(
    cancelFeesUpdate,
    (cancel) =>
      serial(async () => {
        inHospitalGuard('撤销费用');
        const r = await db.cancelFeeLines({ mdtrt_id: state.mdtrt_id, feedetl_sn: cancel.feedetl_sn });
        if ('refused' in r) throw fail(r);
        state.fee_count = r.fee_count;
        state.medfee_sumamt = r.medfee_sumamt;
        state.status = feeStatus();
        record(
          'fees_cancelled',
          cancel.opter,
          cancel.feedetl_sn === 'ALL'
            ? '撤销了全部费用明细'
            : `撤销费用明细 ${cancel.feedetl_sn.length} 条，费用合计 ${formatYuanText(state.medfee_sumamt)}`,
          { feedetl_sn: cancel.feedetl_sn, fee_count: state.fee_count },
        );
        await project();
        return state;
      }),
    { validator: (_cancel) => inHospitalGuard('撤销费用') },
  );

  const presettleGuard = () => {
    closedGuard();
    if (state.status === 'SETTLED')
      throw refusal(STAY_REFUSALS.STAY_SETTLED, '该就诊已结算，不能预结算；如需重新结算请先撤销结算（2305）');
    feesGuard();
  };
  setHandler(
    presettleUpdate,
    (request) =>
      serial(async () => {
        presettleGuard();
        const r = await db.presettle({
          stay: stayForSettlement(state.endtime ?? clock.iso(), request.acct_used_flag),
          setl_time: clock.iso(),
        });
        if ('refused' in r) throw fail(r);
        if (state.status !== 'DISCHARGED' && state.status !== 'SETTLEMENT_ERROR') state.status = 'PRESETTLED';
        record(
          'presettled',
          request.opter,
          `预结算：总费用 ${formatYuanText(r.setlinfo.medfee_sumamt)}，基金支付 ${formatYuanText(r.setlinfo.fund_pay_sumamt)}，个人负担 ${formatYuanText(r.setlinfo.psn_part_amt)}（不产生费用）`,
        );
        await project();
        return r;
      }),
    { validator: (_request) => presettleGuard() },
  );

  setHandler(
    dischargeUpdate,
    (discharge) =>
      serial(async () => {
        inHospitalGuard('办理出院');
        state.status = 'DISCHARGED';
        state.endtime = discharge.endtime;
        if (discharge.diseinfo.length > 0) diagnoses = discharge.diseinfo;
        record('discharged', discharge.opter, `办理出院，出院诊断：${discharge.dscg_maindiag_name}`, {
          dscg_maindiag_code: discharge.dscg_maindiag_code,
        });
        await project();
        return state;
      }),
    {
      validator: (discharge) => {
        inHospitalGuard('办理出院');
        const end = Date.parse(discharge.endtime);
        if (Number.isNaN(end) || end < Date.parse(state.begntime))
          throw refusal(STAY_REFUSALS.STAY_NOT_DISCHARGED, '出院时间不能早于入院时间，请核对');
      },
    },
  );

  const cancelDischargeGuard = () => {
    closedGuard();
    if (state.status === 'SETTLED')
      throw refusal(STAY_REFUSALS.STAY_SETTLED, '该就诊已结算，不能撤销出院；请先撤销结算（2305）');
    if (state.status === 'SETTLEMENT_ERROR')
      throw refusal(STAY_REFUSALS.STAY_NOT_DISCHARGED, '该就诊结算报错处理中（问题协同），不能撤销出院');
    if (state.status !== 'DISCHARGED') throw refusal(STAY_REFUSALS.STAY_NOT_DISCHARGED, '该就诊尚未办理出院');
  };
  setHandler(
    cancelDischargeUpdate,
    (cancel) =>
      serial(async () => {
        cancelDischargeGuard();
        state.status = feeStatus();
        state.endtime = null;
        record('discharge_cancelled', cancel.opter, '医院撤销了出院办理，恢复在院');
        await project();
        return state;
      }),
    { validator: (_cancel) => cancelDischargeGuard() },
  );

  /** One settlement attempt (2304, or the stay's own retry after a ticket action): throws the refusal. */
  const settleOnce = async (request: SettleRequest, actor: string) => {
    if (state.coverage.kind === 'pending_retro') {
      // 补备案: a filing made since admission, starting on or before the admission date, covers it.
      const found = await db.findCoveringFiling({
        psn_no: state.psn_no,
        mdtrtarea_admvs: state.mdtrtarea_admvs,
        begntime: state.begntime,
      });
      if (!found.coverage) {
        // The person's filing for this place ended before the admission: renew, not file anew.
        if (found.expired)
          throw refusal(
            STAY_REFUSALS.FILING_EXPIRED,
            `参保人在本地的异地就医备案（${found.expired.filing_id}）已于 ${found.expired.enddate} 到期，早于入院日期，不能结算：请参保人续办备案（开始日期不晚于入院日期）后再结算`,
            { filing_id: found.expired.filing_id },
          );
        throw found.elsewhere
          ? refusal(
              STAY_REFUSALS.FILING_AREA_MISMATCH,
              `参保人的备案就医地（${found.elsewhere}）与本院所在地（${state.mdtrtarea_admvs}）不符，请参保人补办本地备案后再结算`,
            )
          : refusal(
              STAY_REFUSALS.FILING_REQUIRED,
              '参保人尚未办理异地就医备案，请参保人补办备案（开始日期不晚于入院日期）后再结算',
            );
      }
      state.coverage = found.coverage;
      record('retro_filing_found', 'system', '已找到补办的异地就医备案，本次住院按备案结算', {
        coverage: found.coverage,
      });
    }
    settleRound += 1;
    const setl_id = `${state.mdtrt_id}S${String(settleRound).padStart(2, '0')}`;
    let outcome: Awaited<ReturnType<typeof settlementWorkflow>>;
    try {
      outcome = await executeChild(settlementWorkflow, {
        workflowId: settlementWorkflowId(setl_id),
        args: [
          {
            op: 'settle',
            setl_id,
            stay: stayForSettlement(state.endtime ?? clock.iso(), request.acct_used_flag),
            setl_time: clock.iso(),
          },
        ],
      });
    } catch (error) {
      if (timedOut(error) && patched(SETTLEMENT_ERROR_CATEGORIES_PATCH))
        throw refusal(
          STAY_REFUSALS.SETTLEMENT_TIMEOUT,
          `结算（${setl_id}）未能在时限内完成，本次未结算；已记录待处理，处理后将自动重新结算（补记账），医院无需重复发送`,
          { setl_id },
        );
      throw error;
    }
    if ('refused' in outcome) {
      await project();
      throw fail(outcome);
    }
    if (outcome.op !== 'settle') throw new Error('settlement child answered a reversal');
    const s = outcome.result.setlinfo;
    state.status = 'SETTLED';
    state.settlements.push({ setl_id, status: 'SETTLED', reversed_by: null });
    fundPaySumamt = s.fund_pay_sumamt;
    record(
      'settled',
      actor,
      `${actor === 'system' ? '补记账：' : ''}结算完成：总费用 ${formatYuanText(s.medfee_sumamt)}，基金支付 ${formatYuanText(s.fund_pay_sumamt)}，个人负担 ${formatYuanText(s.psn_part_amt)}`,
      { setl_id },
    );
    await project();
    return outcome.result;
  };

  /**
   * A refusal of a classified kind (REFUSAL_TICKET_CATEGORY) puts the stay in SETTLEMENT_ERROR with a
   * 问题协同 ticket (one per failed round; none while one is open), and the refusal names it.
   */
  const settlementFailed = async (error: unknown, stuck = true): Promise<unknown> => {
    const code =
      error instanceof ApplicationFailure ? (error.type as StayRefusalCode | undefined) : undefined;
    const category = code ? REFUSAL_TICKET_CATEGORY[code] : undefined;
    if (!(error instanceof ApplicationFailure) || !category || !patched(SETTLEMENT_ERROR_TICKET_PATCH))
      return error;
    if (openTicket) {
      // A ticket raised by hand before the stay failed: the stay now waits on it too.
      if (stuck && state.status !== 'SETTLEMENT_ERROR') {
        state.status = 'SETTLEMENT_ERROR';
        await project();
      }
      await reportAttempt(false, error.message);
      return refusal(
        code as StayRefusalCode,
        `${error.message}（问题协同 ${openTicket} 处理中，处理后将自动重新结算）`,
      );
    }
    ticketRound += 1;
    const ticket_id = ticketId(state.mdtrt_id, ticketRound);
    openTicket = ticket_id;
    // A failed reversal leaves the stay SETTLED: the settlement stands while the ticket is worked.
    if (stuck) state.status = 'SETTLEMENT_ERROR';
    const ticket: TicketStart = {
      ticket_id,
      mdtrt_id: state.mdtrt_id,
      category,
      description: error.message,
      insuplc_admdvs: state.insuplc_admdvs,
      mdtrtarea_admvs: state.mdtrtarea_admvs,
      fixmedins_code: state.fixmedins_code,
      psn_no: state.psn_no,
      raised_by: { role: 'system', user: null, side: null },
      raised_at: clock.iso(),
    };
    // The ticket outlives this run (continue-as-new) and the stay: it answers to the stay's workflow id.
    try {
      await startChild(WORKFLOW_TYPES.settlementError, {
        workflowId: ticketWorkflowId(ticket_id),
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [ticket],
      });
    } catch (e) {
      // Already there (the stay replayed from a reset): the same ticket.
      if (!(e instanceof Error && e.name === 'WorkflowExecutionAlreadyStartedError')) throw e;
    }
    record(
      'settlement_error',
      'system',
      `结算未成功：${error.message}；已发起问题协同 ${ticket_id}，问题解决后将自动重新结算`,
      {
        ticket_id,
        code,
      },
    );
    await project();
    return refusal(
      code as StayRefusalCode,
      `${error.message}（已发起问题协同 ${ticket_id}，问题解决后将自动重新结算）`,
      {
        ticket_id,
      },
    );
  };
  /** Tells the open ticket how an attempt went; a successful one resolves it. */
  const reportAttempt = async (ok: boolean, message: string) => {
    if (!openTicket) return;
    const ticket = openTicket;
    if (ok) openTicket = null;
    await getExternalWorkflowHandle(ticketWorkflowId(ticket)).signal(settlementAttemptSignal, {
      at: clock.iso(),
      ok,
      message,
    });
  };
  const settledMessage = (r: { setl_id: string | null; setlinfo: { fund_pay_sumamt: number } }) =>
    `结算ID ${r.setl_id}，基金支付 ${formatYuanText(r.setlinfo.fund_pay_sumamt)}`;

  setHandler(
    settleUpdate,
    (request) =>
      serial(async () => {
        settleGuard();
        lastSettleRequest = request;
        try {
          const r = await settleOnce(request, request.opter);
          await reportAttempt(true, `医院重新结算成功：${settledMessage(r)}`);
          return r;
        } catch (error) {
          throw await settlementFailed(error);
        }
      }),
    { validator: (_request) => settleGuard() },
  );

  // 问题协同's answer: settle again by itself (补记账), or leave direct settlement for 手工报销.
  setHandler(ticketResolutionSignal, (r) => {
    // A ticket raised by hand takes the place of none open; a withdrawn one leaves it (no commands).
    if (r.resolution === 'opened') {
      if (!openTicket) openTicket = r.ticket_id;
      return;
    }
    if (r.resolution === 'withdrawn') {
      if (openTicket === r.ticket_id) openTicket = null;
      return;
    }
    void serial(async () => {
      if (state.status !== 'SETTLEMENT_ERROR' || r.ticket_id !== openTicket) return;
      if (r.resolution === 'manual') {
        openTicket = null;
        state.status = 'MANUAL_CLAIM';
        record(
          'manual_claim_started',
          r.by,
          '本次住院转为手工报销：不再直接结算，由参保地经办机构审核后支付',
          {
            ticket_id: r.ticket_id,
          },
        );
        const claim: ManualClaimStart = {
          mdtrt_id: state.mdtrt_id,
          ticket_id: r.ticket_id,
          psn_no: state.psn_no,
          insuplc_admdvs: state.insuplc_admdvs,
          converted_by: r.by,
          note: r.note,
          at: clock.iso(),
        };
        await startChild(WORKFLOW_TYPES.manualClaim, {
          workflowId: manualClaimWorkflowId(state.mdtrt_id),
          parentClosePolicy: ParentClosePolicy.ABANDON,
          args: [claim],
        });
        await project();
        return;
      }
      const request = lastSettleRequest ?? { acct_used_flag: false, mid_setl_flag: false, opter: 'system' };
      try {
        const s = await settleOnce(request, 'system');
        await reportAttempt(true, `补记账：${settledMessage(s)}`);
      } catch (error) {
        if (!(error instanceof ApplicationFailure)) throw error;
        record('settlement_retry_failed', 'system', `补记账未成功：${error.message}`, {
          ticket_id: r.ticket_id,
        });
        await project();
        await reportAttempt(false, error.message);
      }
    }).catch(() => undefined);
  });

  const reverseGuard = (request: { setl_id: string; psn_no: string }) => {
    closedGuard();
    const ref = state.settlements.find((s) => s.setl_id === request.setl_id);
    if (!ref || request.psn_no !== state.psn_no)
      throw refusal(
        STAY_REFUSALS.SETTLEMENT_NOT_FOUND,
        `该就诊没有结算ID ${request.setl_id}（或人员编号不符），请核对`,
      );
    if (ref.status === 'REVERSED')
      throw refusal(STAY_REFUSALS.ALREADY_REVERSED, '该结算已撤销，不能重复撤销', {
        reversed_by: ref.reversed_by,
      });
    return ref;
  };
  setHandler(
    reverseSettlementUpdate,
    (request) =>
      serial(async () => {
        const ref = reverseGuard(request);
        settleRound += 1;
        const setl_id = `${state.mdtrt_id}R${String(settleRound).padStart(2, '0')}`;
        const outcome = await executeChild(settlementWorkflow, {
          workflowId: settlementWorkflowId(setl_id),
          args: [{ op: 'reverse', setl_id, original_setl_id: ref.setl_id, setl_time: clock.iso() }],
        });
        if ('refused' in outcome) {
          if (
            outcome.refused.code === STAY_REFUSALS.REVERSAL_FAILED &&
            patched(SETTLEMENT_ERROR_CATEGORIES_PATCH)
          )
            throw await settlementFailed(fail(outcome), false);
          throw fail(outcome);
        }
        if (outcome.op !== 'reverse') throw new Error('settlement child answered a settlement');
        ref.status = 'REVERSED';
        ref.reversed_by = setl_id;
        state.status = 'DISCHARGED';
        fundPaySumamt = null;
        record(
          'settlement_reversed',
          request.opter,
          `撤销结算 ${ref.setl_id}：基金支付 ${formatYuanText(-outcome.result.setlinfo.fund_pay_sumamt)} 已退回，可重新结算`,
          { setl_id: ref.setl_id, reversed_by: setl_id },
        );
        await project();
        return outcome.result;
      }),
    { validator: (request) => void reverseGuard(request) },
  );

  if (!carried) {
    admitted = await db.admitStay({ mdtrt_id: start.mdtrt_id, admission: a, at: clock.iso() });
    if ('refused' in admitted) {
      // No stay: let the admission update deliver the refusal, then end.
      await condition(() => admissionAnswered, '1 minute');
      await condition(allHandlersFinished);
      return state;
    }
    state.insuplc_admdvs = admitted.insuplc_admdvs;
    state.coverage = admitted.coverage;
    if (state.coverage.kind === 'emergency' && state.coverage.filing_id === null) {
      // 急诊抢救 without a filing: deemed filed, and the emergency filing made for it through the filing
      // case (补备案 for this stay), so the citizen and their agency see it like any other filing.
      const filing_id = `filing-${a.psn_no}-emergency-${start.mdtrt_id}`;
      const admDate = cstDate(Date.parse(a.begntime));
      const filing: FilingInput = {
        filing_id,
        psn_no: a.psn_no,
        category: 'emergency',
        mdtrtarea_admdvs: a.mdtrtarea_admvs,
        fixmedins_code: a.fixmedins_code,
        begndate: admDate,
        enddate: null,
        commitment: false,
        emergency_adm_date: admDate,
        retro: { mdtrt_id: start.mdtrt_id, adm_date: admDate },
        referral: null,
        form: { source: '2401', mdtrt_id: start.mdtrt_id, fixmedins_name: admitted.fixmedins_name },
        submitted_by: a.opter,
        prov_admdvs: admitted.prov_admdvs,
      };
      try {
        await startChild(WORKFLOW_TYPES.filing, {
          workflowId: filing_id,
          parentClosePolicy: ParentClosePolicy.ABANDON,
          args: [filing],
        });
      } catch (error) {
        // Already made for this stay (a stay never admits twice; kept for safety): the same filing.
        if (!(error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError')) throw error;
      }
      state.coverage = { kind: 'emergency', filing_id };
    }
    const c = admitted.coverage;
    record(
      'stay_admitted',
      a.opter,
      `在 ${admitted.fixmedins_name} 办理入院（住院号 ${a.ipt_no}）；${
        c.kind === 'filing'
          ? '已备案'
          : c.kind === 'emergency'
            ? '急诊抢救，视同已备案'
            : '尚未备案：出院结算前须补办备案'
      }`,
      { coverage: c },
    );
    await project();
  }

  await condition(
    () =>
      state.status === 'CANCELLED' ||
      state.status === 'MANUAL_CLAIM' ||
      transactions >= TRANSACTIONS_PER_RUN ||
      workflowInfo().continueAsNewSuggested,
  );
  await condition(allHandlersFinished);
  // A ticket's resolution runs on the transaction chain (a signal handler does not wait for it): let it finish.
  for (let last = chain; ; last = chain) {
    await last;
    if (last === chain) break;
  }
  if (state.status === 'CANCELLED' || state.status === 'MANUAL_CLAIM') return state;
  return continueAsNew<typeof hospitalizationWorkflow>(start, {
    state,
    admitted: admitted as AdmissionChecked,
    diagnoses,
    generation: generation + 1,
    projection_seq: projectionSeq,
    settle_round: settleRound,
    fund_pay_sumamt: fundPaySumamt,
    ticket_round: ticketRound,
    open_ticket: openTicket,
    settle_request: lastSettleRequest,
  });
}
