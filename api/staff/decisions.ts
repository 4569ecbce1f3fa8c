import { randomUUID } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { CaseEvent, type Decision, HumanTask } from '../../db/entities';
import type { Orm } from '../../db/orm';
import { type DecisionMessage, decideSignal } from '../../workflows';
import type { AuthUser } from '../auth/tokens';
import { cnDate, HttpProblem, RETRY_AFTER_SECONDS } from '../problem';

/**
 * Records a decision durably, then delivers it. One transaction marks the task decided (a conditional
 * update on status and version, so a second decision finds nothing to update → 409) and appends the
 * timeline event; the decided row is the outbox until `delivered_at` is set.
 */
export async function recordDecision(
  orm: Orm,
  user: AuthUser,
  taskId: string,
  body: { decision: Decision; reason?: string; version?: number },
): Promise<HumanTask> {
  const em = orm.em.fork();
  try {
    return await record(em);
  } catch (error) {
    if (error instanceof HttpProblem) throw error;
    // The transaction rolled back: nothing was recorded, nothing will be delivered.
    throw new HttpProblem(
      503,
      'DECISION_NOT_RECORDED',
      '审核结论未保存',
      '数据库未应答，审核结论未保存，请重试',
      {
        recorded: false,
        delivered: false,
      },
      RETRY_AFTER_SECONDS,
    );
  }

  function record(em: ReturnType<Orm['em']['fork']>): Promise<HumanTask> {
    return em.transactional(async (tx) => {
      const task = await tx.findOne(HumanTask, { id: taskId });
      if (!task || task.prov_admdvs !== user.prov_admdvs) {
        // A task of another province: the reviewer may not act on it (the case itself is not shown to them).
        if (task) throw new HttpProblem(403, 'FORBIDDEN_PROVINCE', '无权操作', '该任务属于其他省份');
        throw new HttpProblem(404, 'NOT_FOUND', '未找到', `没有编号为 ${taskId} 的任务`);
      }
      if (task.status === 'decided') {
        throw new HttpProblem(
          409,
          'TASK_ALREADY_DECIDED',
          '任务已审核',
          `该任务已由 ${task.decided_by} 于 ${task.decided_at ? cnDate(task.decided_at) : '此前'}审核`,
        );
      }
      if (task.status === 'cancelled')
        throw new HttpProblem(409, 'TASK_CANCELLED', '任务已取消', '该任务已取消（案件已撤回）');
      if (user.role === 'staff' && task.status === 'escalated') {
        throw new HttpProblem(403, 'TASK_ESCALATED', '任务已转督办', '该任务已超过办理时限，已转由主管处理');
      }
      if (user.role === 'staff' && task.assignee && task.assignee !== user.username) {
        throw new HttpProblem(
          409,
          'TASK_CLAIMED_BY_OTHER',
          '任务已被他人认领',
          `该任务已由 ${task.assignee} 认领`,
        );
      }
      const decidedAt = new Date();
      const decisionId = randomUUID();
      const updated = await tx
        .createQueryBuilder(HumanTask)
        .update({
          status: 'decided',
          decision: body.decision,
          decision_id: decisionId,
          reason: body.reason?.trim() || null,
          decided_by: user.username,
          decided_at: decidedAt,
          assignee: task.assignee ?? user.username,
          version: raw('version + 1'),
        })
        .where({
          id: taskId,
          status: { $in: ['open', 'claimed', 'escalated'] },
          ...(body.version === undefined ? {} : { version: body.version }),
        })
        .execute('run');
      if (updated.affectedRows !== 1) {
        throw new HttpProblem(
          409,
          'TASK_CHANGED',
          '任务已变化',
          '该任务在读取后已变化（已审核、已督办或被重新认领），请刷新后重试',
        );
      }
      tx.create(CaseEvent, {
        id: `${task.case_id}:d-${decisionId}`,
        case_id: task.case_id,
        at: decidedAt,
        actor: user.username,
        kind: 'decision_recorded',
        detail: { task_id: taskId, decision: body.decision, reason: body.reason ?? null, role: user.role },
      });
      await tx.flush();
      tx.clear();
      const fresh = await tx.findOneOrFail(HumanTask, { id: taskId });
      return fresh;
    });
  }
}

export function decisionMessage(task: HumanTask): DecisionMessage {
  if (!task.decision || !task.decision_id || !task.decided_by || !task.decided_at) {
    throw new Error(`task ${task.id} has no recorded decision`);
  }
  return {
    decision_id: task.decision_id,
    task_id: task.id,
    decision: task.decision,
    reason: task.reason,
    decided_by: task.decided_by,
    decided_at: task.decided_at.toISOString(),
  };
}

/**
 * Signals the workflow and marks the row delivered; the workflow ignores a decision id it has seen.
 * 'case_closed': the review had already ended (withdrawn, or this is a redelivery after it finished), so
 * nothing is left to apply; the row still leaves the outbox rather than being retried forever.
 */
export async function deliver(
  orm: Orm,
  temporal: Client,
  task: HumanTask,
): Promise<'delivered' | 'case_closed'> {
  let outcome: 'delivered' | 'case_closed' = 'delivered';
  try {
    await temporal.workflow.getHandle(task.workflow_id).signal(decideSignal, decisionMessage(task));
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    outcome = 'case_closed';
  }
  await orm.em.fork().nativeUpdate(HumanTask, { id: task.id }, { delivered_at: new Date() });
  return outcome;
}

/** Delivers every recorded but undelivered decision; returns how many went out. */
export async function deliverPending(orm: Orm, temporal: Client, log: (m: string) => void): Promise<number> {
  const pending = await orm.em
    .fork()
    .find(
      HumanTask,
      { status: 'decided', delivered_at: null },
      { orderBy: { decided_at: 'asc' }, limit: 100 },
    );
  let delivered = 0;
  for (const task of pending) {
    try {
      if ((await deliver(orm, temporal, task)) === 'delivered') delivered += 1;
      else log(`decision on ${task.id} not applied: the review had already ended`);
    } catch (error) {
      log(`decision on ${task.id} still pending delivery: ${String(error)}`);
    }
  }
  return delivered;
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
