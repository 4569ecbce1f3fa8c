import {
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
} from '@temporalio/workflow';
import type { BatchedCheck } from '../activities/fee-check';
import {
  calendarFor,
  FEE_CHECK_REFUSALS,
  type FeeCheckBatchStart,
  type FeeCheckBatchState,
  type FeeCheckBatchStatus,
  feeCheckAnswerUpdate,
  feeCheckBatchStateQuery,
  feeCheckConfirmUpdate,
  feeCheckFreezeAt,
  feeCheckFreezeSignal,
  feeCheckFreezeUpdate,
  feeCheckParamsFor,
  workingDayDeadline,
} from '../cases';
import { db } from './_shared';
import { caseClock } from './lib/clock';
import { WorkingDayDeadline } from './lib/deadline';

/** The confirm task escalates to the insured side's supervisors when its working days lapse (issue 13). */
export const FEE_CHECK_CONFIRM_ESCALATION_PATCH = 'fee-check-confirm-escalation';

function refusal(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

/**
 * 费用协查, one execution per province pair and month (`FC-<insured>-<treatment>-<YYYYMM>`). Requests
 * are rows in `fee_check` (the API inserts them under the batch row's lock); on the freeze day (or
 * when staff freeze the month) the batch takes them, the treatment side answers per item within its
 * working days, checks still unanswered then roll over into the next month's batch, and the insured
 * side confirms each answered check, which writes its recovery to the ledger once. Then it closes.
 */
export async function feeCheckBatchWorkflow(start: FeeCheckBatchStart): Promise<FeeCheckBatchState> {
  const clock = caseClock();
  const params = feeCheckParamsFor(start.insured_prov);
  const state: FeeCheckBatchState = {
    batch_id: start.batch_id,
    status: 'OPEN',
    frozen_at: null,
    answer_due: null,
    confirm_due: null,
    checks: [],
  };
  let freezeBy: string | null = null;
  // Items whose answer is being written: a second answer for them is refused, not written twice.
  const answering = new Set<string>();
  const confirming = new Set<string>();
  let answersInFlight = 0;
  const checkOf = (check_id: string) => state.checks.find((c) => c.check_id === check_id);
  const project = (status: FeeCheckBatchStatus) => {
    state.status = status;
    return db.projectFeeCheckBatch({
      batch_id: start.batch_id,
      status,
      frozen_at: state.frozen_at,
      answer_due: state.answer_due,
      confirm_due: state.confirm_due,
    });
  };

  setHandler(feeCheckBatchStateQuery, () => state);
  setHandler(feeCheckFreezeSignal, ({ by }) => {
    freezeBy ??= by;
  });
  setHandler(
    feeCheckFreezeUpdate,
    async ({ by }) => {
      freezeBy = by;
      await condition(() => state.status !== 'OPEN');
      return state;
    },
    {
      validator: (_freeze) => {
        if (state.status !== 'OPEN' || freezeBy !== null)
          throw refusal(FEE_CHECK_REFUSALS.FEE_CHECK_BATCH_NOT_OPEN, '该协查批次已冻结，不能再次冻结');
      },
    },
  );
  setHandler(
    feeCheckAnswerUpdate,
    async (a) => {
      const check = checkOf(a.check_id) as BatchedCheck;
      for (const i of a.items) answering.add(`${a.check_id}/${i.feedetl_sn}`);
      answersInFlight += 1;
      const { status } = await db.recordFeeCheckAnswer(a).finally(() => {
        answersInFlight -= 1;
      });
      for (const i of a.items) {
        const item = check.items.find((x) => x.feedetl_sn === i.feedetl_sn);
        if (item) item.answered = true;
      }
      check.status = status;
      return state;
    },
    {
      validator: (a) => {
        if (state.status === 'OPEN')
          throw refusal(FEE_CHECK_REFUSALS.FEE_CHECK_NOT_FROZEN, '该协查批次尚未冻结，冻结后才能答复');
        const check = checkOf(a.check_id);
        if (state.status !== 'FROZEN' || !check || check.status === 'ROLLED_OVER') {
          throw refusal(
            FEE_CHECK_REFUSALS.FEE_CHECK_BATCH_CLOSED,
            check?.status === 'ROLLED_OVER'
              ? '答复期限已过，该协查已转入下一批次，请在下一批次冻结后答复'
              : '该协查批次的答复期已结束，不能再答复',
          );
        }
        for (const i of a.items) {
          const item = check.items.find((x) => x.feedetl_sn === i.feedetl_sn);
          if (!item)
            throw refusal(
              FEE_CHECK_REFUSALS.FEE_CHECK_AMOUNT_INVALID,
              `费用明细 ${i.feedetl_sn} 不在本次协查中`,
            );
          if (item.answered || answering.has(`${a.check_id}/${i.feedetl_sn}`))
            throw refusal(FEE_CHECK_REFUSALS.FEE_CHECK_ALREADY_ANSWERED, `费用明细 ${i.feedetl_sn} 已答复`);
          if (
            i.outcome === 'incorrect' &&
            !(i.amount && i.amount > 0 && i.amount <= item.det_item_fee_sumamt)
          )
            throw refusal(
              FEE_CHECK_REFUSALS.FEE_CHECK_AMOUNT_INVALID,
              `费用明细 ${i.feedetl_sn} 的有误金额须大于 0 且不超过该项金额`,
            );
        }
      },
    },
  );
  setHandler(
    feeCheckConfirmUpdate,
    async (c) => {
      confirming.add(c.check_id);
      await db.confirmFeeCheck(c);
      (checkOf(c.check_id) as BatchedCheck).status = 'CONFIRMED';
      return state;
    },
    {
      validator: (c) => {
        const check = checkOf(c.check_id);
        if (check?.status === 'CONFIRMED' || confirming.has(c.check_id))
          throw refusal(FEE_CHECK_REFUSALS.FEE_CHECK_ALREADY_CONFIRMED, '该协查已确认');
        if (state.status !== 'ANSWERED' || check?.status !== 'ANSWERED')
          throw refusal(
            FEE_CHECK_REFUSALS.FEE_CHECK_NOT_ANSWERED,
            '就医地尚未答复该协查或答复期未结束，暂不能确认',
          );
      },
    },
  );

  // Requests wait for the freeze day, or for staff to freeze the month now.
  const freezeAt = feeCheckFreezeAt(start.month, params.freeze_day);
  await condition(() => freezeBy !== null, clock.until(freezeAt));
  state.frozen_at = clock.iso();
  state.answer_due = clock.iso(
    workingDayDeadline(clock.now(), params.answer_working_days, calendarFor(start.treatment_prov)),
  );
  state.checks = await db.freezeFeeCheckBatch({
    batch_id: start.batch_id,
    frozen_at: state.frozen_at,
    answer_due: state.answer_due,
  });
  state.status = 'FROZEN';
  if (state.checks.length === 0) {
    await project('CLOSED');
    return state;
  }

  const answerTask = `${start.batch_id}-answer`;
  await db.createTask({
    id: answerTask,
    case_id: start.batch_id,
    case_type: 'fee_check',
    workflow_id: start.batch_id,
    kind: 'fee_check_answer',
    role: 'coordinator',
    prov_admdvs: start.treatment_prov,
    due_at: state.answer_due,
    summary: { batch_id: start.batch_id, month: start.month, checks: state.checks.length },
  });
  const allAnswered = () => state.checks.every((c) => c.status !== 'BATCHED');
  await condition(allAnswered, clock.until(Date.parse(state.answer_due)));
  await condition(() => answersInFlight === 0);

  // Freeze the answers first (the validator refuses from here), then move the late checks on.
  state.status = 'ANSWERED';
  const late = state.checks.filter((c) => c.status === 'BATCHED');
  if (late.length > 0) {
    for (const c of late) c.status = 'ROLLED_OVER';
    const next = await db.rollOverFeeChecks({
      batch_id: start.batch_id,
      check_ids: late.map((c) => c.check_id),
      insured_prov: start.insured_prov,
      treatment_prov: start.treatment_prov,
      month: start.month,
    });
    try {
      await startChild(feeCheckBatchWorkflow, {
        workflowId: next.batch_id,
        args: [{ ...start, batch_id: next.batch_id, month: next.month }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (error) {
      // Running already (a request of that month started it): it takes them at its freeze.
      if (!(error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError')) throw error;
    }
  }
  await db.completeFeeCheckTask({ id: answerTask, by: null });

  const answered = state.checks.filter((c) => c.status === 'ANSWERED');
  if (answered.length === 0) {
    await project('CLOSED');
    return state;
  }
  state.confirm_due = clock.iso(
    workingDayDeadline(clock.now(), params.confirm_working_days, calendarFor(start.insured_prov)),
  );
  await project('ANSWERED');
  const confirmTask = `${start.batch_id}-confirm`;
  await db.createTask({
    id: confirmTask,
    case_id: start.batch_id,
    case_type: 'fee_check',
    workflow_id: start.batch_id,
    kind: 'fee_check_confirm',
    role: 'coordinator',
    prov_admdvs: start.insured_prov,
    due_at: state.confirm_due,
    summary: { batch_id: start.batch_id, month: start.month, checks: answered.length },
  });
  const allConfirmed = () => answered.every((c) => c.status === 'CONFIRMED');
  if (patched(FEE_CHECK_CONFIRM_ESCALATION_PATCH)) {
    // Not confirmed in time: the task goes to the supervisors with as many working days again.
    const deadline = new WorkingDayDeadline(clock, calendarFor(start.insured_prov)).moveTo(
      Date.parse(state.confirm_due),
    );
    if (!(await deadline.wait(allConfirmed))) {
      deadline.restart(params.confirm_working_days);
      await db.escalateTask({ id: confirmTask, due_at: deadline.dueIso, role: 'supervisor' });
    }
  }
  await condition(allConfirmed);
  await db.completeFeeCheckTask({ id: confirmTask, by: null });
  await project('CLOSED');
  return state;
}

/**
 * The monthly sweep (`fee-check-monthly` schedule): every open batch whose freeze day has passed is
 * frozen — started first if its workflow never ran (Temporal was down when its request came in).
 */
export async function feeCheckFreezeWorkflow(): Promise<{ frozen: string[] }> {
  const due = await db.dueFeeCheckBatches({ at: new Date(Date.now()).toISOString() });
  for (const b of due) {
    try {
      await startChild(feeCheckBatchWorkflow, {
        workflowId: b.batch_id,
        args: [b],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
      // Started now: its freeze instant is past, so it freezes by itself.
    } catch (error) {
      if (!(error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError')) throw error;
      await getExternalWorkflowHandle(b.batch_id).signal(feeCheckFreezeSignal, { by: 'system' });
    }
  }
  return { frozen: due.map((b) => b.batch_id) };
}
