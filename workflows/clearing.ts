import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import {
  calendarFor,
  clearingWorkflowId,
  LABELS,
  type Side,
  ticketWorkflowId,
  WORKFLOW_TYPES,
} from '../cases';
import {
  CLEARING_REFUSALS,
  type ClearingActionRequest,
  type ClearingInput,
  type ClearingPairState,
  type ClearingRefusalCode,
  clearingActionUpdate,
  clearingStateQuery,
  RECONCILE_ACTIONS,
} from '../cases/clearing';
import { previousCstMonth } from '../settlement/clearing-statement';
import { db } from './_shared';
import { caseClock } from './lib/clock';
import { WorkingDayDeadline } from './lib/deadline';

const SIDE_NAME: Record<Side, string> = { insured: '参保地', treatment: '就医地' };
const ACTION_NAME = {
  confirm: '确认',
  dispute: '提出异议',
  transfer: '登记拨付',
  reclear: '重新清算',
  recheck: '重新对账',
  supplement: '登记补拨',
  ticket: '发起对账问题协同',
} as const;

/** A failed reconciliation flags the statement and opens a clearing_reconcile task (issue 13). */
export const CLEARING_RECONCILE_TASK_PATCH = 'clearing-reconcile-task';
/** A flagged pair is worked to an end (re-check, supplementary transfer) within an SLA before the run ends. */
export const CLEARING_RECONCILE_WORK_PATCH = 'clearing-reconcile-work';
/**
 * A direction waits while its opposite is disputed; a re-clear that changes its net reopens it into a
 * new round (one that would change a closed one's is refused by the activity).
 */
export const CLEARING_OPPOSITE_REOPEN_PATCH = 'clearing-opposite-reopen';

function refuse(code: ClearingRefusalCode, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, nonRetryable: true });
}

/** An activity's refusal (its ApplicationFailure's type) as the update's; anything else as it was. */
function refusalOf(error: unknown): unknown {
  if (
    error instanceof ActivityFailure &&
    error.cause instanceof ApplicationFailure &&
    error.cause.type === CLEARING_REFUSALS.OPPOSITE_CLOSED
  )
    return refuse(CLEARING_REFUSALS.OPPOSITE_CLOSED, error.cause.message);
  return error;
}

const oppositeOf = (pair_id: string) => pair_id.split('-').reverse().join('-');

/**
 * 清算 of one month (id `clearing-<YYYY-MM>`): the statements per province pair are computed and stored
 * once, then each pair runs on its own: both provinces' coordinators confirm within a deadline in
 * working days (escalated to their supervisors once it lapses), a dispute waits for a re-clear (a new
 * round), the insured province records the transfer of the net, and the pair is RECONCILED when the
 * transfer and the lines agree with the settlements. The run ends when every pair has.
 */
export async function clearingWorkflow(input: ClearingInput): Promise<{ clr_month: string; pairs: number }> {
  const { clr_month } = input;
  const info = workflowInfo();
  const clock = caseClock();
  const days = input.confirm_working_days ?? 5;
  const pairs = new Map<string, ClearingPairState>();
  /** Actions whose write is in flight per pair: the pair's own steps wait for them (one status at a time). */
  const inflight = new Map<string, number>();
  const reclearing = new Set<string>();
  const isReconcileAction = (a: ClearingActionRequest) =>
    (RECONCILE_ACTIONS as readonly string[]).includes(a.action);
  const idle = (id: string) => (inflight.get(id) ?? 0) === 0;

  setHandler(clearingStateQuery, () => ({ clr_month, pairs: [...pairs.values()].map((p) => ({ ...p })) }));
  setHandler(
    clearingActionUpdate,
    async (a: ClearingActionRequest) => {
      const p = pairs.get(a.pair_id) as ClearingPairState;
      inflight.set(p.pair_id, (inflight.get(p.pair_id) ?? 0) + 1);
      try {
        if (a.action === 'ticket' && a.ticket) {
          // The ticket outlives the month's run; the stay follows it as it follows a hand-raised one.
          try {
            await startChild(WORKFLOW_TYPES.settlementError, {
              workflowId: ticketWorkflowId(a.ticket.ticket_id),
              parentClosePolicy: ParentClosePolicy.ABANDON,
              args: [a.ticket],
            });
          } catch (e) {
            if (!(e instanceof Error && e.name === 'WorkflowExecutionAlreadyStartedError')) throw e;
          }
        }
        if (a.action === 'recheck' || a.action === 'supplement' || a.action === 'ticket') {
          const r = await db.recordReconcileAction({
            action_id: a.action_id,
            clr_month,
            pair_id: p.pair_id,
            action: a.action,
            amount: a.amount ?? 0,
            reference: a.action === 'ticket' ? (a.ticket?.ticket_id ?? null) : (a.reference ?? null),
            user: a.user,
            at: clock.iso(),
            task_id: reconcileTaskId(p),
          });
          if (r.reconciled) {
            p.status = 'RECONCILED';
            p.reconcile_problem = null;
          } else p.reconcile_problem = r.message;
          return { ...p };
        }
        if (a.action === 'reclear') {
          reclearing.add(p.pair_id);
          let result: Awaited<ReturnType<typeof db.reclearPair>>;
          try {
            result = await db.reclearPair({ clr_month, pair_id: p.pair_id, round: p.round + 1 });
          } catch (error) {
            reclearing.delete(p.pair_id);
            throw refusalOf(error);
          }
          const { opposite, ...next } = result;
          Object.assign(p, { ...next, confirmed: [], task_ids: {}, confirm_due: null });
          // The opposite direction is netted against the new amounts too.
          const back = opposite && pairs.get(opposite.pair_id);
          if (back) {
            back.net_transfer = opposite.net_transfer;
            if (opposite.reopened && patched(CLEARING_OPPOSITE_REOPEN_PATCH))
              Object.assign(back, {
                status: 'GENERATED',
                round: opposite.round,
                confirmed: [],
                task_ids: {},
                confirm_due: null,
              });
          }
          reclearing.delete(p.pair_id);
          return { ...p };
        }
        const side = a.side as Side;
        const round = p.round;
        if (a.action === 'confirm') {
          p.confirmed = [...p.confirmed, side];
          if (p.confirmed.length === 2) p.status = 'CONFIRMED';
        } else if (a.action === 'dispute') p.status = 'DISPUTED';
        else p.status = 'TRANSFERRED';
        await db.recordClearingAction({
          clr_month,
          pair_id: p.pair_id,
          round,
          action: a.action,
          side,
          user: a.user,
          at: clock.iso(),
          status: p.status,
          task_ids: p.task_ids,
          reason: a.reason ?? null,
          fee_check_ids: a.fee_check_ids ?? [],
          ticket_ids: a.ticket_ids ?? [],
          reference: a.reference ?? null,
          amount: Math.max(p.net_transfer, 0),
        });
        return { ...p };
      } finally {
        inflight.set(p.pair_id, (inflight.get(p.pair_id) ?? 1) - 1);
      }
    },
    {
      validator: (a: ClearingActionRequest) => {
        const p = pairs.get(a.pair_id);
        if (!p) throw refuse(CLEARING_REFUSALS.NOT_FOUND, `${clr_month} 没有 ${a.pair_id} 的清算单`);
        const status = LABELS.clearing_status[p.status];
        if (isReconcileAction(a)) {
          if (!p.reconcile_problem)
            throw refuse(
              p.status === 'RECONCILED' ? CLEARING_REFUSALS.CLOSED : CLEARING_REFUSALS.NOT_ALLOWED,
              `该清算单${status}，没有对账不平，不能${ACTION_NAME[a.action]}`,
            );
          if (a.side !== 'insured' || a.prov_admdvs !== p.insured_prov)
            throw refuse(CLEARING_REFUSALS.WRONG_SIDE, `对账不平由参保地处理，不能${ACTION_NAME[a.action]}`);
          if (a.action === 'supplement') {
            if (!Number.isSafeInteger(a.amount) || a.amount === 0)
              throw refuse(CLEARING_REFUSALS.NOT_ALLOWED, '补拨金额须为非零的整数分（退回为负数）');
            if (!a.reference?.trim()) throw refuse(CLEARING_REFUSALS.NOT_ALLOWED, '登记补拨须填写拨付凭证号');
          }
          if (a.action === 'ticket' && a.ticket?.category !== 'reconciliation_mismatch')
            throw refuse(CLEARING_REFUSALS.NOT_ALLOWED, '须指明对账不平的结算');
          return;
        }
        if (p.status === 'TRANSFERRED' || p.status === 'RECONCILED')
          throw refuse(CLEARING_REFUSALS.CLOSED, `该清算单${status}，不能再${ACTION_NAME[a.action]}`);
        if (a.action === 'reclear') {
          if (p.status !== 'DISPUTED' || reclearing.has(p.pair_id))
            throw refuse(CLEARING_REFUSALS.NOT_ALLOWED, `该清算单${status}，只有有异议的清算单可以重新清算`);
          return;
        }
        const side = a.side;
        const prov = side === 'insured' ? p.insured_prov : side === 'treatment' ? p.treatment_prov : null;
        if (!side || prov !== a.prov_admdvs)
          throw refuse(
            CLEARING_REFUSALS.WRONG_SIDE,
            `不是该清算单的${side ? SIDE_NAME[side] : '一方'}，不能${ACTION_NAME[a.action]}`,
          );
        if (a.action === 'transfer') {
          if (side !== 'insured') throw refuse(CLEARING_REFUSALS.WRONG_SIDE, '拨付由参保地登记');
          if (p.status !== 'CONFIRMED')
            throw refuse(CLEARING_REFUSALS.NOT_ALLOWED, `该清算单${status}，双方确认后才能登记拨付`);
          if (oppositeDisputed(p.pair_id))
            throw refuse(CLEARING_REFUSALS.NOT_ALLOWED, '反方向清算单有异议，重新清算后才能登记拨付');
          if (!a.reference?.trim()) throw refuse(CLEARING_REFUSALS.NOT_ALLOWED, '登记拨付须填写拨付凭证号');
          return;
        }
        if (p.status !== 'GENERATED' || !p.task_ids[side])
          throw refuse(
            CLEARING_REFUSALS.NOT_ALLOWED,
            p.status === 'DISPUTED'
              ? '该清算单有异议，等待重新清算'
              : `该清算单${status}，不能${ACTION_NAME[a.action]}`,
          );
        if (a.action === 'confirm' && p.confirmed.includes(side))
          throw refuse(CLEARING_REFUSALS.NOT_ALLOWED, `${SIDE_NAME[side]}已确认本轮清算单`);
        if (a.action === 'dispute' && !a.reason?.trim())
          throw refuse(CLEARING_REFUSALS.NOT_ALLOWED, '提出异议须说明理由');
      },
    },
  );

  let states: ClearingPairState[];
  try {
    states = await db.generateClearing({
      clr_month,
      requested_by: input.requested_by,
      workflow_id: info.workflowId,
      run_id: info.runId,
    });
  } catch (error) {
    // A second run of the month (the run row's key): this run ends refused, having written nothing.
    if (
      error instanceof ActivityFailure &&
      error.cause instanceof ApplicationFailure &&
      error.cause.type === CLEARING_REFUSALS.MONTH_DONE
    )
      throw refuse(CLEARING_REFUSALS.MONTH_DONE, error.cause.message);
    throw error;
  }
  for (const s of states) pairs.set(s.pair_id, s);

  async function runPair(p: ClearingPairState): Promise<void> {
    const case_id = `clearing-${clr_month}-${p.pair_id}`;
    for (;;) {
      const round = p.round;
      const deadline = new WorkingDayDeadline(clock, calendarFor(p.insured_prov)).restart(days);
      const sides = (['insured', 'treatment'] as const).map((side) => ({
        side,
        prov_admdvs: side === 'insured' ? p.insured_prov : p.treatment_prov,
        task_id: `${case_id}-${side}-r${round}`,
      }));
      for (const s of sides) {
        await db.createTask({
          id: s.task_id,
          case_id,
          case_type: 'clearing',
          workflow_id: info.workflowId,
          kind: 'clearing_confirm',
          role: 'coordinator',
          prov_admdvs: s.prov_admdvs,
          due_at: deadline.dueIso,
          summary: {
            clr_month,
            pair_id: p.pair_id,
            side: s.side,
            insured_prov: p.insured_prov,
            treatment_prov: p.treatment_prov,
            net_transfer: p.net_transfer,
            round,
          },
        });
      }
      await db.openClearingRound({
        clr_month,
        pair_id: p.pair_id,
        round,
        confirm_due: deadline.dueIso,
        sides,
      });
      p.task_ids = Object.fromEntries(sides.map((s) => [s.side, s.task_id]));
      p.confirm_due = deadline.dueIso;

      const settled = () => p.status !== 'GENERATED' || p.round !== round;
      let escalated = false;
      while (!(await deadline.wait(settled))) {
        if (escalated) {
          await condition(settled);
          break;
        }
        // Not confirmed in time: the late sides' tasks go to their supervisors, with as long again.
        escalated = true;
        deadline.restart(days);
        p.confirm_due = deadline.dueIso;
        for (const s of sides)
          if (!p.confirmed.includes(s.side))
            await db.escalateTask({ id: s.task_id, due_at: deadline.dueIso, role: 'supervisor' });
      }
      await condition(() => idle(p.pair_id));
      if (p.status === 'DISPUTED') {
        await condition(() => p.round !== round && p.status === 'GENERATED' && idle(p.pair_id));
        continue;
      }
      if (await reopenedByOpposite(p, round)) continue;
      break;
    }
    // After netting the other direction pays (or nothing is due): no transfer of this one's own.
    if (p.net_transfer <= 0) {
      p.status = 'TRANSFERRED';
      await db.recordClearingAction({
        clr_month,
        pair_id: p.pair_id,
        round: p.round,
        action: 'transfer',
        side: 'insured',
        user: 'system',
        at: clock.iso(),
        status: p.status,
        task_ids: {},
        reference: '轧差后无需拨付',
        amount: 0,
      });
    }
    await condition(() => p.status === 'TRANSFERRED' && idle(p.pair_id));
    const r = await db.reconcilePair({ clr_month, pair_id: p.pair_id });
    if (r.reconciled) p.status = 'RECONCILED';
    else if (patched(CLEARING_RECONCILE_TASK_PATCH)) {
      const due = await flagMismatch(p, r.message);
      if (patched(CLEARING_RECONCILE_WORK_PATCH)) await workReconcile(p, due);
    }
  }

  const reconcileTaskId = (p: ClearingPairState) => `clearing-${clr_month}-${p.pair_id}-reconcile`;

  /**
   * A flagged pair waits for the insured side to make it reconcile (re-check, supplement); not done
   * within the task's working days, the task goes to the supervisors with as long again.
   */
  async function workReconcile(p: ClearingPairState, deadline: WorkingDayDeadline): Promise<void> {
    const done = () => !p.reconcile_problem && idle(p.pair_id);
    let escalated = false;
    while (!(await deadline.wait(done))) {
      if (escalated) {
        await condition(done);
        break;
      }
      escalated = true;
      deadline.restart(days);
      await db.escalateTask({ id: reconcileTaskId(p), due_at: deadline.dueIso, role: 'supervisor' });
    }
  }

  /** The opposite direction waits for a re-clear (or is in one): its new amounts may change this net. */
  function oppositeDisputed(pair_id: string): boolean {
    const o = pairs.get(oppositeOf(pair_id));
    return o !== undefined && (o.status === 'DISPUTED' || reclearing.has(o.pair_id));
  }

  /** No transfer while the opposite is disputed; true when its re-clear reopened this one (a new round). */
  async function reopenedByOpposite(p: ClearingPairState, round: number): Promise<boolean> {
    if (!patched(CLEARING_OPPOSITE_REOPEN_PATCH)) return false;
    await condition(() => !oppositeDisputed(p.pair_id) && idle(p.pair_id));
    return p.round !== round;
  }

  /** Not silently TRANSFERRED: the statement says why and the insured side's coordinators get a task. */
  async function flagMismatch(p: ClearingPairState, problem: string): Promise<WorkingDayDeadline> {
    const case_id = `clearing-${clr_month}-${p.pair_id}`;
    p.reconcile_problem = problem;
    const deadline = new WorkingDayDeadline(clock, calendarFor(p.insured_prov)).restart(days);
    await db.createTask({
      id: reconcileTaskId(p),
      case_id,
      case_type: 'clearing',
      workflow_id: info.workflowId,
      kind: 'clearing_reconcile',
      role: 'coordinator',
      prov_admdvs: p.insured_prov,
      due_at: deadline.dueIso,
      summary: {
        clr_month,
        pair_id: p.pair_id,
        insured_prov: p.insured_prov,
        treatment_prov: p.treatment_prov,
        net_transfer: p.net_transfer,
        problem,
      },
    });
    await db.flagReconcileMismatch({ clr_month, pair_id: p.pair_id, problem });
    return deadline;
  }

  await Promise.all(states.map((p) => runPair(p)));
  await db.finishClearing({ clr_month });
  return { clr_month, pairs: states.length };
}

/**
 * The monthly Schedule's action (day 1, 02:00 Asia/Shanghai): starts the clearing of the month before
 * under its id; a month already started (or cleared) is left alone.
 */
export async function clearingTriggerWorkflow(): Promise<{ clr_month: string; started: boolean }> {
  const clr_month = previousCstMonth(Date.now());
  try {
    await startChild(WORKFLOW_TYPES.clearing, {
      workflowId: clearingWorkflowId(clr_month),
      args: [{ clr_month, requested_by: 'schedule' } satisfies ClearingInput],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    return { clr_month, started: true };
  } catch (error) {
    // WorkflowExecutionAlreadyStartedError (of @temporalio/common, which workflow code does not import).
    if (error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError')
      return { clr_month, started: false };
    throw error;
  }
}
