import { randomUUID } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ApplicationFailure,
  type Client,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import {
  type Decision,
  type DecisionMessage,
  decideSignal,
  decideUpdate,
  decisionRuleViolation,
  REFUSALS,
  type RefusalCode,
} from '../../cases';
import { CaseEvent, Filing, HumanTask, TaskDecision } from '../../db/entities';
import type { Orm } from '../../db/orm';
import type { AuthUser } from '../auth/tokens';
import { cnDate, HttpProblem, RETRY_AFTER_SECONDS } from '../problem';
import { visibleTask } from '../scope';

/** Refusals after which the task itself is over: nothing is left to decide on it. */
const TASK_OVER = new Set<string>([REFUSALS.TASK_NOT_CURRENT, REFUSALS.CASE_WITHDRAWN, REFUSALS.CASE_CLOSED]);

/**
 * Records a decision durably, before anything is delivered. One transaction marks the task decided (a
 * conditional update on status and version, so a second decision finds nothing to update → 409),
 * writes the decision row (the outbox, `pending`) and appends the timeline event. The decider must
 * hold the claim: a decision never claims a task silently.
 */
export async function recordDecision(
  orm: Orm,
  user: AuthUser,
  taskId: string,
  body: { decision: Decision; reason?: string; version?: number },
): Promise<TaskDecision> {
  try {
    return await orm.em.fork().transactional((tx) => record(tx as EntityManager));
  } catch (error) {
    if (error instanceof HttpProblem) throw error;
    // The transaction rolled back: nothing was recorded, nothing will be delivered.
    throw new HttpProblem(
      503,
      'DECISION_NOT_RECORDED',
      '决定未能保存',
      '数据库暂时无法应答，决定未生效，请稍后重试',
      {
        recorded: false,
      },
      RETRY_AFTER_SECONDS,
    );
  }

  async function record(tx: EntityManager): Promise<TaskDecision> {
    // Another side's task does not exist for this user (404, never 403: ids carry the psn_no).
    const task = await visibleTask(tx, user, taskId);
    if (task.status === 'decided') {
      throw new HttpProblem(
        409,
        'TASK_ALREADY_DECIDED',
        '该待办已有决定',
        `该待办已由 ${task.decided_by} 于 ${task.decided_at ? cnDate(task.decided_at) : '此前'}作出决定`,
        {
          decided_by: task.decided_by,
          decision: task.decision,
        },
      );
    }
    if (task.status === 'cancelled') {
      throw new HttpProblem(409, 'TASK_CANCELLED', '该待办已取消', '案件已撤回或已进入下一步，该待办已取消');
    }
    if (user.role === 'staff' && task.role !== 'staff') {
      throw new HttpProblem(403, 'TASK_ESCALATED', '该待办已督办', '审核已超时，该待办已转交督办人员');
    }
    const violation = decisionRuleViolation(task.kind, body.decision, body.reason);
    if (violation) {
      throw new HttpProblem(400, violation.code, '决定不符合规则', violation.message, {
        errors: [
          { path: violation.code === 'REASON_REQUIRED' ? 'reason' : 'decision', message: violation.message },
        ],
      });
    }
    if (task.assignee !== user.username) {
      throw task.assignee
        ? new HttpProblem(
            409,
            'TASK_CLAIMED_BY_OTHER',
            '该待办已被他人认领',
            `该待办已由 ${task.assignee} 认领`,
          )
        : new HttpProblem(409, 'TASK_NOT_CLAIMED', '请先认领该待办', '作出决定前须先认领该待办');
    }
    const decidedAt = new Date();
    const decisionId = randomUUID();
    const reason = body.reason?.trim() || null;
    const updated = await tx
      .createQueryBuilder(HumanTask)
      .update({
        status: 'decided',
        decision: body.decision,
        decision_id: decisionId,
        reason,
        decided_by: user.username,
        decided_at: decidedAt,
        version: raw('version + 1'),
      })
      .where({
        id: taskId,
        status: { $in: ['open', 'claimed', 'escalated'] },
        assignee: user.username,
        ...(body.version === undefined ? {} : { version: body.version }),
      })
      .execute('run');
    if (updated.affectedRows !== 1) {
      throw new HttpProblem(
        409,
        'TASK_CHANGED',
        '待办已变化',
        '该待办在读取后已变化（已决定、已督办或已改派），请刷新',
      );
    }
    const decision = tx.create(TaskDecision, {
      id: decisionId,
      task_id: task.id,
      case_id: task.case_id,
      workflow_id: task.workflow_id,
      decision: body.decision,
      reason,
      decided_by: user.username,
      role: task.role,
      decided_at: decidedAt,
      outcome: 'pending',
      refusal_code: null,
      refusal_reason: null,
      resolved_at: null,
    });
    tx.create(CaseEvent, {
      id: `${task.case_id}:d-${decisionId}`,
      case_id: task.case_id,
      at: decidedAt,
      actor: user.username,
      kind: 'decision_recorded',
      detail: { task_id: taskId, decision: body.decision, reason, role: user.role },
    });
    await tx.flush();
    return decision;
  }
}

export function decisionMessage(d: TaskDecision, prov_admdvs: string): DecisionMessage {
  return {
    decision_id: d.id,
    task_id: d.task_id,
    decision: d.decision,
    reason: d.reason ?? null,
    decided_by: d.decided_by,
    decided_at: d.decided_at.toISOString(),
    side: { prov_admdvs, role: d.role },
  };
}

export type DeliveryResult =
  | { outcome: 'accepted' }
  | {
      outcome: 'refused';
      code: RefusalCode | 'CASE_REFUSED';
      message: string;
      details: Record<string, unknown>;
    };

/**
 * Delivers a recorded decision as a Temporal update whose id is the decision's id (a redelivery is
 * answered by Temporal as the first delivery was), and records what the case answered: accepted, or
 * refused with its reason — then the task is open again for a new decision, or over. An unreachable
 * Temporal throws: the decision stays pending and the outbox delivers it later.
 */
export async function deliver(orm: Orm, temporal: Client, d: TaskDecision): Promise<DeliveryResult> {
  const task = await orm.em.fork().findOneOrFail(HumanTask, { id: d.task_id });
  let result: DeliveryResult;
  try {
    if (d.workflow_id.startsWith('referral-')) {
      // A review started by filing v1 runs in a referral child that takes decisions by signal only.
      await temporal.workflow
        .getHandle(d.workflow_id)
        .signal(decideSignal, decisionMessage(d, task.prov_admdvs));
    } else {
      await temporal.workflow.getHandle(d.workflow_id).executeUpdate(decideUpdate, {
        updateId: d.id,
        args: [decisionMessage(d, task.prov_admdvs)],
      });
    }
    result = { outcome: 'accepted' };
  } catch (error) {
    const refused = refusalOf(error);
    if (!refused) throw error;
    result = refused;
    if (error instanceof WorkflowNotFoundError) {
      // The case's workflow has ended; its row says how (a cancellation by the citizen, or the review's end).
      const filing = await orm.em.fork().findOne(Filing, { id: d.case_id });
      if (filing?.status === 'CANCELLED') {
        result = {
          ...refused,
          code: REFUSALS.CASE_WITHDRAWN,
          message: `参保人已取消该备案：${filing.reason ?? ''}`,
        };
      }
    }
  }
  await resolve(orm, d, task, result);
  return result;
}

const REFUSAL_CODES = new Set<string>(Object.values(REFUSALS));
const isRefusal = (type: string | undefined | null): type is RefusalCode => REFUSAL_CODES.has(type ?? '');

function refusalOf(error: unknown): Extract<DeliveryResult, { outcome: 'refused' }> | null {
  if (error instanceof WorkflowNotFoundError) {
    return {
      outcome: 'refused',
      code: REFUSALS.CASE_CLOSED,
      message: '案件已结束，不再接受决定',
      details: {},
    };
  }
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const details = error.cause.details?.[0];
    return {
      outcome: 'refused',
      code: isRefusal(error.cause.type) ? error.cause.type : 'CASE_REFUSED',
      message: error.cause.message,
      details: details && typeof details === 'object' ? (details as Record<string, unknown>) : {},
    };
  }
  return null;
}

async function resolve(orm: Orm, d: TaskDecision, task: HumanTask, result: DeliveryResult): Promise<void> {
  await orm.em.fork().transactional(async (tx) => {
    const resolvedAt = new Date();
    const done = await tx.nativeUpdate(
      TaskDecision,
      { id: d.id, outcome: 'pending' },
      result.outcome === 'accepted'
        ? { outcome: 'accepted', resolved_at: resolvedAt }
        : {
            outcome: 'refused',
            refusal_code: result.code,
            refusal_reason: result.message,
            resolved_at: resolvedAt,
          },
    );
    if (done !== 1 || result.outcome === 'accepted') return;
    // Refused: the decision is not the task's; the task is open again for its holder, or over.
    await tx
      .createQueryBuilder(HumanTask)
      .update({
        status: TASK_OVER.has(result.code) ? 'cancelled' : task.role === 'staff' ? 'claimed' : 'escalated',
        decision: null,
        decision_id: null,
        reason: null,
        decided_by: null,
        decided_at: null,
        version: raw('version + 1'),
      })
      .where({ id: d.task_id, decision_id: d.id })
      .execute('run');
    tx.create(CaseEvent, {
      id: `${d.case_id}:r-${d.id}`,
      case_id: d.case_id,
      at: resolvedAt,
      actor: 'system',
      kind: 'decision_refused',
      detail: { task_id: d.task_id, decision: d.decision, code: result.code, reason: result.message },
    });
  });
}

/** Delivers every recorded but undelivered decision, oldest first; returns how many the cases accepted. */
export async function deliverPending(orm: Orm, temporal: Client, log: (m: string) => void): Promise<number> {
  const pending = await orm.em
    .fork()
    .find(TaskDecision, { outcome: 'pending' }, { orderBy: { decided_at: 'asc' }, limit: 100 });
  let accepted = 0;
  for (const d of pending) {
    try {
      const result = await deliver(orm, temporal, d);
      if (result.outcome === 'accepted') accepted += 1;
      else log(`decision ${d.id} on ${d.task_id} refused by the case: ${result.code}`);
    } catch (error) {
      log(`decision ${d.id} on ${d.task_id} still pending delivery: ${String(error)}`);
    }
  }
  return accepted;
}

/** The outbox loop: retries pending deliveries every few seconds until stopped. */
export function startOutbox(
  orm: Orm,
  temporal: Client,
  log: (m: string) => void,
  everyMs = 5_000,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    deliverPending(orm, temporal, log)
      .catch((error: unknown) => log(`outbox: ${String(error)}`))
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
