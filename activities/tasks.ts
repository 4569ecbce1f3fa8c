import { raw } from '@mikro-orm/core';
import type { CaseType, TaskRole } from '../cases';
import { HumanTask } from '../db/entities';
import type { ActivityDeps } from './deps';

export interface NewTask {
  id: string;
  case_id: string;
  /** Absent from filing v1's tasks: those are all filings' referral reviews. */
  case_type?: CaseType;
  workflow_id: string;
  kind: string;
  /** The side the task belongs to: a role of one province. */
  role: TaskRole;
  prov_admdvs: string;
  due_at: string;
  summary: Record<string, unknown>;
}

/** The task table's workflow side: open, escalate, cancel. Decisions come in through the API. */
export function taskActivities({ orm }: ActivityDeps) {
  return {
    async createTask(task: NewTask): Promise<void> {
      const em = orm.em.fork();
      await em.upsert(
        HumanTask,
        {
          ...task,
          case_type: task.case_type ?? 'filing',
          due_at: new Date(task.due_at),
          assignee: null,
          status: 'open',
          escalated_at: null,
          decision: null,
          decision_id: null,
          reason: null,
          decided_by: null,
          decided_at: null,
          created_at: new Date(),
          version: 1,
        },
        // A retry finds the row already there and leaves it (and any claim on it) alone.
        { onConflictAction: 'ignore', onConflictFields: ['id'] },
      );
    },
    /** SLA lapsed: the task goes to the next role of its chain, unless a decision beat the timer. */
    async escalateTask({
      id,
      due_at,
      role = 'supervisor',
    }: {
      id: string;
      due_at: string;
      role?: TaskRole;
    }): Promise<void> {
      const em = orm.em.fork();
      await em
        .createQueryBuilder(HumanTask)
        .update({
          status: 'escalated',
          role,
          assignee: null,
          due_at: new Date(due_at),
          escalated_at: new Date(),
          version: raw('version + 1'),
        })
        .where({ id, status: { $in: ['open', 'claimed'] } })
        .execute();
    },
    async cancelTask({ id }: { id: string }): Promise<void> {
      const em = orm.em.fork();
      await em
        .createQueryBuilder(HumanTask)
        .update({ status: 'cancelled', version: raw('version + 1') })
        .where({ id, status: { $in: ['open', 'claimed', 'escalated'] } })
        .execute();
    },
  };
}
