import { condition, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  answerMoreInfoUpdate,
  type CaseType,
  type DecisionAccepted,
  type DecisionMessage,
  decideUpdate,
  decisionRuleViolation,
  type HolidayCalendar,
  type MoreInfoAnswer,
  REFUSALS,
  type RefusalCode,
  type ReviewState,
  type TaskKind,
  type TaskRole,
} from '../../cases';
import { db } from '../_shared';
import type { CaseClock } from './clock';
import { WorkingDayDeadline } from './deadline';
import { refusal } from './refusal';
import type { CaseTimeline } from './timeline';

export interface EscalationStep {
  role: TaskRole;
  working_days: number;
}

export interface ReviewTaskOptions {
  kind: TaskKind;
  case_type: CaseType;
  case_id: string;
  /** Task ids are `<task_prefix>-t<round>`: one row per round, so a new round restarts the SLA. */
  task_prefix: string;
  /** The province whose people act on the task; the role follows the escalation chain. */
  side: { prov_admdvs: string };
  /** The first step's role opens the task; each lapsed SLA moves it to the next; the last one is overdue. */
  escalation: readonly [EscalationStep, ...EscalationStep[]];
  summary: Record<string, unknown>;
  /** Whether the decider may ask the citizen for more information (a `more_info` decision). */
  more_info?: boolean;
  /** How the case writes its projection after each step; the case timeline's own by default. */
  project?: () => Promise<void>;
  /** The task activities; the shared retry policy's by default. */
  tasks?: TaskActivities;
}

type TaskActivities = Pick<typeof db, 'createTask' | 'escalateTask' | 'cancelTask'>;

export type ReviewOutcome =
  | { outcome: 'decided'; decision: DecisionMessage }
  | { outcome: 'withdrawn'; reason: string };

interface OpenTask {
  kind: TaskKind;
  decided: () => DecisionMessage | undefined;
  accept: (m: DecisionMessage) => void;
}

/**
 * The human tasks of one case workflow: the one place that answers `decide` and `answerMoreInfo`
 * updates. A decision is accepted only for a task that is open now, once; a redelivery of an accepted
 * decision (same id) answers as the first time. `closed()` names why the whole case refuses (withdrawn).
 */
export function taskDesk(opts: {
  clock: CaseClock;
  /** The working-day calendar of the side's province (read when a task opens). */
  calendar: (prov_admdvs: string) => HolidayCalendar;
  timeline: CaseTimeline;
  closed: () => { code: RefusalCode; message: string } | null;
}) {
  const open = new Map<string, OpenTask>();
  const accepted = new Map<string, DecisionAccepted>();
  const awaitingAnswer: { review?: { state: ReviewState; answer: (a: MoreInfoAnswer) => void } } = {};
  const answers = new Map<string, ReviewState>();

  setHandler(
    decideUpdate,
    (m) => {
      const earlier = accepted.get(m.decision_id);
      if (earlier) return earlier;
      open.get(m.task_id)?.accept(m);
      const result: DecisionAccepted = { task_id: m.task_id, decision: m.decision, accepted: true };
      accepted.set(m.decision_id, result);
      return result;
    },
    {
      validator: (m) => {
        if (accepted.has(m.decision_id)) return; // redelivered: answered as the first time
        const closed = opts.closed();
        if (closed) throw refusal(closed.code, closed.message);
        const task = open.get(m.task_id);
        if (!task)
          throw refusal(REFUSALS.TASK_NOT_CURRENT, '该待办已不是本案当前的待办（已结束或已进入下一轮）');
        const earlier = task.decided();
        if (earlier) {
          throw refusal(REFUSALS.ALREADY_DECIDED, `该待办已由 ${earlier.decided_by} 作出决定`, {
            decision: earlier.decision,
            decided_by: earlier.decided_by,
          });
        }
        const violation = decisionRuleViolation(task.kind, m.decision, m.reason);
        if (violation) throw refusal(violation.code, violation.message);
      },
    },
  );
  setHandler(
    answerMoreInfoUpdate,
    (a) => {
      const earlier = a.answer_id ? answers.get(a.answer_id) : undefined;
      if (earlier) return earlier;
      const review = awaitingAnswer.review as NonNullable<typeof awaitingAnswer.review>;
      awaitingAnswer.review = undefined;
      review.answer(a);
      const state = { ...review.state };
      if (a.answer_id) answers.set(a.answer_id, state);
      return state;
    },
    {
      validator: (a) => {
        if (a.answer_id && answers.has(a.answer_id)) return;
        const closed = opts.closed();
        if (closed) throw refusal(closed.code, closed.message);
        if (!awaitingAnswer.review)
          throw refusal(REFUSALS.NO_MORE_INFO_PENDING, '没有等待答复的补充材料要求');
      },
    },
  );

  /** Opens a human task and waits for its outcome: SLA per escalation step, more-info rounds, withdrawal. */
  function reviewTask(o: ReviewTaskOptions) {
    const state: ReviewState = {
      status: 'UNDER_REVIEW',
      round: 0,
      task_id: null,
      escalated: false,
      due_at: null,
      questions: null,
    };
    const inbox: { decision?: DecisionMessage; answer?: MoreInfoAnswer; withdrawn?: string } = {};
    // Functions, so TypeScript does not narrow what handlers change between awaits.
    const decided = (): DecisionMessage | undefined => inbox.decision;
    const answered = (): MoreInfoAnswer | undefined => inbox.answer;
    const deadline = new WorkingDayDeadline(opts.clock, opts.calendar(o.side.prov_admdvs));
    const { timeline } = opts;
    const project = o.project ?? timeline.project;
    const tasks: TaskActivities = o.tasks ?? db;

    async function run(): Promise<ReviewOutcome> {
      for (;;) {
        if (inbox.withdrawn !== undefined) return withdrawn(inbox.withdrawn);
        state.round += 1;
        state.task_id = `${o.task_prefix}-t${state.round}`;
        state.status = 'UNDER_REVIEW';
        state.escalated = false;
        inbox.decision = undefined;
        let step = 0;
        // The first round counts from the case's submission (earlier than now for a backdated case).
        deadline.restart(o.escalation[0].working_days, state.round === 1 ? opts.clock.submitted : undefined);
        state.due_at = deadline.dueIso;
        const taskId = state.task_id;
        open.set(taskId, {
          kind: o.kind,
          decided,
          accept: (m) => {
            inbox.decision = m;
          },
        });
        await tasks.createTask({
          id: taskId,
          case_id: o.case_id,
          case_type: o.case_type,
          workflow_id: workflowInfo().workflowId,
          kind: o.kind,
          role: o.escalation[0].role,
          prov_admdvs: o.side.prov_admdvs,
          due_at: state.due_at,
          summary: { ...o.summary, round: state.round },
        });
        timeline.record('review_task_opened', 'system', {
          task_id: taskId,
          kind: o.kind,
          due_at: state.due_at,
          round: state.round,
        });
        await project();

        const settled = () => inbox.decision !== undefined || inbox.withdrawn !== undefined;
        for (;;) {
          if (await deadline.wait(settled)) break;
          const next = o.escalation[step + 1];
          if (next) {
            step += 1;
            deadline.restart(next.working_days);
            state.escalated = true;
            state.due_at = deadline.dueIso;
            await tasks.escalateTask({ id: taskId, due_at: state.due_at, role: next.role });
            timeline.record('escalated', 'system', { task_id: taskId, due_at: state.due_at, to: next.role });
            await project();
          } else {
            // Still undecided at the end of the chain: the timeline says so; the task stays where it is.
            timeline.record('supervisor_overdue', 'system', { task_id: taskId, due_at: state.due_at });
            await project();
            await condition(settled);
            break;
          }
        }
        open.delete(taskId);
        const d = decided();
        if (!d) return withdrawn(inbox.withdrawn ?? '');
        if (d.decision !== 'more_info' || o.more_info === false) return { outcome: 'decided', decision: d };

        state.status = 'MORE_INFO';
        state.questions = d.reason;
        inbox.answer = undefined;
        timeline.record('more_info_requested', d.decided_by, { questions: d.reason }, d.decided_at);
        // Ready for the answer before the projection shows MORE_INFO, so no answer can arrive too early.
        awaitingAnswer.review = {
          state,
          answer: (a) => {
            inbox.answer = a;
          },
        };
        await project();
        await condition(() => inbox.answer !== undefined || inbox.withdrawn !== undefined);
        if (awaitingAnswer.review && inbox.withdrawn !== undefined) awaitingAnswer.review = undefined;
        const answer = answered();
        if (answer) {
          timeline.record('more_info_answered', answer.answered_by, {
            answer: answer.answer,
            documents: answer.documents,
          });
        }
      }
    }

    async function withdrawn(reason: string): Promise<ReviewOutcome> {
      if (state.task_id) {
        open.delete(state.task_id);
        await tasks.cancelTask({ id: state.task_id });
      }
      state.status = 'WITHDRAWN';
      return { outcome: 'withdrawn', reason };
    }

    return {
      state,
      run,
      /** The decision accepted on the current task, if any: a withdrawal that comes after it loses. */
      decided,
      withdraw(reason: string) {
        inbox.withdrawn ??= reason;
      },
    };
  }

  return { reviewTask };
}
export type TaskDesk = ReturnType<typeof taskDesk>;
