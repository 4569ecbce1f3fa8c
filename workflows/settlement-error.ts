import { condition, getExternalWorkflowHandle, patched, setHandler } from '@temporalio/workflow';
import type { ActionOutcome, TicketActionSnapshot, TicketSnapshot } from '../activities/tickets';
import {
  calendarFor,
  casePolicyFor,
  REFUSALS,
  SIDES,
  type Side,
  settlementAttemptSignal,
  stayWorkflowId,
  TICKET_ACTIONS,
  TICKET_CATEGORIES,
  TICKET_PERSON_FIELDS,
  TICKET_REFUSALS,
  type TicketAction,
  type TicketActionRequest,
  type TicketStart,
  type TicketState,
  ticketActionUpdate,
  ticketResolutionSignal,
  ticketStateQuery,
} from '../cases';
import { db } from './_shared';
import { caseClock } from './lib/clock';
import { taskDesk } from './lib/human-task';
import { refusal } from './lib/refusal';
import { caseTimeline, type TimelineEvent } from './lib/timeline';

/** Hand-raised tickets tell the stay they are open, and withdrawn tickets that they are gone. */
export const TICKET_STAY_LINK_PATCH = 'ticket-stay-link';
/** A signal to the stay that fails refuses the action (TICKET_STAY_UNREACHABLE) instead of failing the task. */
export const TICKET_STATUS_AFTER_SIGNAL_PATCH = 'ticket-status-after-signal';
const SIDE_NAMES: Record<Side, string> = { insured: '参保地', treatment: '就医地' };
const other = (side: Side): Side => (side === 'insured' ? 'treatment' : 'insured');
/** The actions after which the stay can settle again: the ticket asks it to retry (补记账). */
const UNSTICKING: readonly TicketAction[] = [
  'restore_filing',
  'resend_filing',
  'correct_person',
  'remap_catalogue',
  'retry_settlement',
];
/** The params each action needs (all strings, non-empty). */
const REQUIRED_PARAMS: Partial<Record<TicketAction, readonly string[]>> = {
  correct_person: ['field', 'value'],
  remap_catalogue: ['medins_list_codg', 'med_list_codg'],
};

/** Why the params of an action are not acceptable, or null. */
export function ticketParamsViolation(action: TicketAction, params: Record<string, string>): string | null {
  for (const key of REQUIRED_PARAMS[action] ?? []) {
    const v = params[key];
    if (typeof v !== 'string' || v.trim() === '' || v.length > 64) return `请填写 ${key}（不超过64个字符）`;
  }
  if (action === 'correct_person') {
    const allowed = TICKET_PERSON_FIELDS[params.field as string];
    if (allowed === undefined)
      return `不能更正字段 ${params.field}；可更正：${Object.keys(TICKET_PERSON_FIELDS).join('、')}`;
    if (allowed && !allowed.includes(params.value as string))
      return `${params.field} 的取值须为：${allowed.join('、')}`;
  }
  return null;
}

/**
 * 问题协同, one execution per failed settlement round of a stay (`settlement-error-<ticket_id>`):
 * started by the stay when 2304 fails for a classified reason (or by the API when a hospital or a
 * coordinator raises one). Both provinces' coordinators get a task — the first responder's
 * `ticket_response`, the other side's `ticket_assist` — each with its SLA in working days and an
 * escalation to the supervisors. Actions are updates (the action id is the update id): an unsticking
 * one asks the waiting stay to settle again, and the stay's successful attempt resolves the ticket.
 * Every step is on the citizen's timeline in plain Chinese.
 */
export async function settlementErrorWorkflow(start: TicketStart): Promise<TicketState> {
  const clock = caseClock(start.raised_at);
  const provOf: Record<Side, string> = {
    insured: `${start.insuplc_admdvs.slice(0, 2)}0000`,
    treatment: `${start.mdtrtarea_admvs.slice(0, 2)}0000`,
  };
  const state: TicketState = {
    ticket_id: start.ticket_id,
    status: 'OPEN',
    // 第一响应人: the category's side (a hand-raised "other" goes to the treatment place, which may hand it over).
    first_responder: TICKET_CATEGORIES[start.category].first_responder,
    category: start.category,
    retries: [],
  };
  const names = await db.ticketStay({ mdtrt_id: start.mdtrt_id });
  let closed_at: string | null = null;
  let projectionSeq = 0;
  let pendingAction: TicketActionSnapshot | null = null;
  const applied = new Map<string, TicketState>();

  const sideViews = () =>
    SIDES.map((side) => {
      const t = tasks?.[side];
      return {
        side,
        prov_admdvs: provOf[side],
        task_id: t?.state.task_id ?? null,
        task_status: t ? (t.state.status === 'WITHDRAWN' ? 'closed' : 'open') : null,
        due_at: t?.state.due_at ?? null,
        escalated: t?.state.escalated ?? false,
      };
    });
  /**
   * The first responder's SLA: the due time its task was first given. Escalation moves the task's own
   * due time to the supervisors'; the SLA (board, monitoring) is still measured against the first one.
   * A hand-over gives the new first responder its own first due time.
   */
  let firstDue: { task: Task; due_at: string } | null = null;
  const slaDue = (): string | null => {
    const t = tasks?.[state.first_responder];
    if (t && firstDue?.task !== t && t.state.due_at && !t.state.escalated)
      firstDue = { task: t, due_at: t.state.due_at };
    return firstDue?.due_at ?? t?.state.due_at ?? null;
  };
  const snapshot = (): TicketSnapshot => ({
    ticket_id: start.ticket_id,
    mdtrt_id: start.mdtrt_id,
    round: Number(start.ticket_id.slice(-2)),
    category: start.category,
    status: state.status,
    first_responder: state.first_responder,
    insured_prov: provOf.insured,
    treatment_prov: provOf.treatment,
    insuplc_admdvs: start.insuplc_admdvs,
    mdtrtarea_admvs: start.mdtrtarea_admvs,
    fixmedins_code: start.fixmedins_code,
    fixmedins_name: names.fixmedins_name,
    psn_no: start.psn_no,
    psn_name: names.psn_name,
    description: start.description,
    raised_by: start.raised_by,
    raised_at: start.raised_at,
    sla_due_at: slaDue() ?? start.raised_at,
    closed_at,
    sides: sideViews(),
    retries: state.retries,
    updated_at: clock.iso(),
    projection_seq: projectionSeq,
  });
  const timeline = caseTimeline({
    idPrefix: `${start.ticket_id}:e`,
    clock,
    snapshot,
    write: async ({ events }) => {
      projectionSeq += 1;
      const action = pendingAction;
      await db.projectTicket({ ticket: snapshot(), events: events.map(readable), action });
      if (pendingAction === action) pendingAction = null;
    },
  });
  // The task helper's events, said in words the citizen reads on the stay's timeline.
  const readable = (e: TimelineEvent): TimelineEvent => {
    if (typeof e.detail.text === 'string') return e;
    const side = SIDES.find((x) => String(e.detail.task_id ?? '').startsWith(`${start.ticket_id}-${x}`));
    const who = side ? `${SIDE_NAMES[side]}协同人员` : '协同人员';
    const text =
      e.kind === 'review_task_opened'
        ? `问题协同 ${start.ticket_id} 已交${who}${e.detail.kind === 'ticket_response' ? '处理（第一响应）' : '协助处理'}`
        : e.kind === 'escalated'
          ? `${who}未在时限内处理，已转主管督办`
          : e.kind === 'supervisor_overdue'
            ? `${who}督办超时`
            : null;
    return text ? { ...e, detail: { ...e.detail, text } } : e;
  };
  const desk = taskDesk({
    clock,
    calendar: calendarFor,
    timeline,
    closed: () =>
      state.status !== 'OPEN' ? { code: REFUSALS.CASE_CLOSED, message: '该问题协同已结束' } : null,
  });

  // The two sides' tasks; a hand-over closes them and opens the pair again with the roles swapped.
  type Task = ReturnType<typeof desk.reviewTask>;
  let tasks: Record<Side, Task> | undefined;
  let runs: Promise<unknown>[] = [];
  let pair = 0;
  function openTasks(): void {
    pair += 1;
    const opened = {} as Record<Side, Task>;
    for (const side of SIDES) {
      const policy = casePolicyFor(provOf[side]);
      const first = side === state.first_responder;
      opened[side] = desk.reviewTask({
        kind: first ? 'ticket_response' : 'ticket_assist',
        case_type: 'settlement_error',
        case_id: start.ticket_id,
        task_prefix: `${start.ticket_id}-${side}${pair > 1 ? `-h${pair}` : ''}`,
        side: { prov_admdvs: provOf[side] },
        escalation: [
          {
            role: 'coordinator',
            working_days: first ? policy.ticket_response_working_days : policy.ticket_assist_working_days,
          },
          { role: 'supervisor', working_days: policy.supervisor_sla_working_days },
        ],
        summary: {
          ticket_id: start.ticket_id,
          mdtrt_id: start.mdtrt_id,
          psn_no: start.psn_no,
          category: start.category,
          side,
          first_responder: state.first_responder,
          description: start.description,
        },
        more_info: false,
      });
    }
    tasks = opened;
    runs = SIDES.map((side) => opened[side].run());
  }
  async function closeTasks(reason: string): Promise<void> {
    if (!tasks) return;
    for (const side of SIDES) tasks[side].withdraw(reason);
    await Promise.all(runs);
  }

  const text = (kind: string, actor: string, t: string, detail: Record<string, unknown> = {}) =>
    timeline.record(kind, actor, { ticket_id: start.ticket_id, text: t, ...detail });

  /**
   * Asks the waiting stay to settle again (补记账) or to leave direct settlement. A stay that cannot
   * be signalled refuses the action (behind the patch; before it the signal's error failed the task).
   */
  const tellStay = async (resolution: 'retry' | 'manual', by: string, note: string | null) => {
    const signal = getExternalWorkflowHandle(stayWorkflowId(start.mdtrt_id)).signal(ticketResolutionSignal, {
      ticket_id: start.ticket_id,
      resolution,
      by,
      note,
    });
    if (!patched(TICKET_STATUS_AFTER_SIGNAL_PATCH)) return signal;
    try {
      await signal;
    } catch {
      throw refusal(
        TICKET_REFUSALS.TICKET_STAY_UNREACHABLE,
        `未能通知住院 ${start.mdtrt_id} 的结算流程（流程已结束或不存在），问题协同未改变；请核对住院状态`,
      );
    }
  };
  /**
   * Tells the stay a hand-raised ticket is open, or this ticket withdrawn, so that its attempts go to
   * the ticket that is open. A stay that has ended has nothing to hear: that is not an error.
   */
  const linkStay = async (resolution: 'opened' | 'withdrawn', by: string) => {
    if (!patched(TICKET_STAY_LINK_PATCH)) return;
    try {
      await getExternalWorkflowHandle(stayWorkflowId(start.mdtrt_id)).signal(ticketResolutionSignal, {
        ticket_id: start.ticket_id,
        resolution,
        by,
        note: null,
      });
    } catch {
      // The stay's workflow has completed (settled and closed, or cancelled).
    }
  };

  async function run(req: TicketActionRequest): Promise<ActionOutcome> {
    const stay = {
      ticket_id: start.ticket_id,
      psn_no: start.psn_no,
      mdtrtarea_admvs: start.mdtrtarea_admvs,
      // The filing that covers the stay must cover its admission date.
      begntime: names.begntime,
    };
    switch (req.action) {
      case 'restore_filing':
        return db.restoreFiling({ ...stay, by: req.user });
      case 'resend_filing':
        return db.resendFiling({ ...stay, action_id: req.action_id, by: req.user });
      case 'correct_person':
        return db.correctPerson({
          psn_no: start.psn_no,
          field: req.params.field as string,
          value: req.params.value as string,
        });
      case 'remap_catalogue':
        return db.remapCatalogue({
          ticket_id: start.ticket_id,
          mdtrt_id: start.mdtrt_id,
          fixmedins_code: start.fixmedins_code,
          mdtrtarea_admvs: start.mdtrtarea_admvs,
          medins_list_codg: req.params.medins_list_codg as string,
          med_list_codg: req.params.med_list_codg as string,
          by: req.user,
        });
      case 'retry_settlement':
        return { outcome: '已发起重新结算（补记账），结算结果将记录在本问题中', unstuck: true };
      case 'convert_manual':
        return {
          outcome: '已转为手工报销：本次住院不再直接结算，由参保地经办机构审核后支付',
          unstuck: false,
        };
      case 'hand_over':
        return { outcome: `已转交${SIDE_NAMES[other(req.side)]}作为第一响应人处理`, unstuck: false };
      case 'withdraw':
        return { outcome: '已撤回该问题协同', unstuck: false };
    }
  }

  // One action at a time, in the order accepted.
  let chain: Promise<unknown> = Promise.resolve();
  setHandler(
    ticketActionUpdate,
    (req) => {
      const next = chain.then(async () => {
        const earlier = applied.get(req.action_id);
        if (earlier) return earlier;
        if (state.status !== 'OPEN') throw refusal(TICKET_REFUSALS.TICKET_CLOSED, closedMessage());
        const r = await run(req);
        // The stay hears a conversion or a withdrawal first: if it cannot, nothing is recorded.
        if (req.action === 'convert_manual') await tellStay('manual', req.user, req.note);
        else if (req.action === 'withdraw') await linkStay('withdrawn', req.user);
        const by = `${SIDE_NAMES[req.side]}协同人员`;
        pendingAction = {
          action_id: req.action_id,
          ticket_id: start.ticket_id,
          action: req.action,
          side: req.side,
          by: req.user,
          note: req.note,
          params: { ...req.params, ...r.recorded },
          outcome: r.outcome,
          at: clock.iso(),
        };
        text('ticket_action', req.user, `${by}：${r.outcome}${req.note ? `（${req.note}）` : ''}`, {
          action: req.action,
          side: req.side,
        });
        if (req.action === 'hand_over') {
          state.first_responder = other(state.first_responder);
          await closeTasks('转交对方处理');
          openTasks();
        } else if (req.action === 'convert_manual') {
          // Only once the stay has heard it (above): a failed signal leaves the ticket OPEN.
          state.status = 'MANUAL';
          closed_at = clock.iso();
        } else if (req.action === 'withdraw') {
          state.status = 'WITHDRAWN';
          closed_at = clock.iso();
        } else if (r.unstuck && UNSTICKING.includes(req.action)) {
          await tellStay('retry', req.user, req.note);
        }
        await timeline.project();
        const answer = { ...state, retries: [...state.retries] };
        applied.set(req.action_id, answer);
        return answer;
      });
      chain = next.catch(() => undefined);
      return next;
    },
    {
      validator: (req) => {
        if (applied.has(req.action_id)) return; // resent: answered as the first time
        if (state.status !== 'OPEN') throw refusal(TICKET_REFUSALS.TICKET_CLOSED, closedMessage());
        const rule = (TICKET_ACTIONS as Record<string, { by: readonly Side[] } | undefined>)[req.action];
        if (!rule) throw refusal(TICKET_REFUSALS.TICKET_ACTION_UNKNOWN, `没有“${req.action}”这项处理操作`);
        if (!rule.by.includes(req.side) || (req.action === 'hand_over' && req.side !== state.first_responder))
          throw refusal(
            TICKET_REFUSALS.TICKET_WRONG_SIDE,
            req.action === 'hand_over'
              ? `只有第一响应人（${SIDE_NAMES[state.first_responder]}）可以转交，请由${SIDE_NAMES[state.first_responder]}协同人员操作`
              : `该操作只能由${rule.by.map((s) => SIDE_NAMES[s]).join('或')}协同人员办理，请联系对方处理`,
          );
        const violation = ticketParamsViolation(req.action, req.params ?? {});
        if (violation) throw refusal(TICKET_REFUSALS.TICKET_PARAMS_INVALID, violation);
      },
    },
  );
  const closedMessage = () =>
    ({
      OPEN: '',
      RESOLVED: '该问题已解决（重新结算成功），不能再操作',
      MANUAL: '该问题已转为手工报销，不能再操作',
      WITHDRAWN: '该问题已撤回，不能再操作',
    })[state.status];

  setHandler(settlementAttemptSignal, (attempt) => {
    if (state.status !== 'OPEN') return;
    state.retries.push(attempt);
    text(
      'ticket_settlement_attempt',
      'system',
      attempt.ok ? `重新结算成功：${attempt.message}` : `重新结算未成功：${attempt.message}`,
      { ok: attempt.ok },
    );
    if (attempt.ok) {
      state.status = 'RESOLVED';
      closed_at = attempt.at;
    }
  });
  setHandler(ticketStateQuery, () => state);

  text(
    'ticket_raised',
    start.raised_by.user ?? 'system',
    `${start.raised_by.role === 'system' ? '结算失败，系统已自动发起问题协同' : '已发起问题协同'} ${start.ticket_id}：${start.description}；由${SIDE_NAMES[state.first_responder]}作为第一响应人处理`,
    { category: start.category, first_responder: state.first_responder },
  );
  if (start.raised_by.role !== 'system') await linkStay('opened', start.raised_by.user ?? 'system');
  openTasks();

  // Project the attempts as they come, until the ticket closes.
  for (;;) {
    const seen = state.retries.length;
    await condition(() => state.status !== 'OPEN' || state.retries.length > seen);
    if (state.status !== 'OPEN') break;
    await timeline.project();
  }
  await chain;
  await closeTasks(closedMessage());
  text(
    state.status === 'RESOLVED'
      ? 'ticket_resolved'
      : state.status === 'MANUAL'
        ? 'ticket_manual'
        : 'ticket_withdrawn',
    'system',
    state.status === 'RESOLVED'
      ? `问题协同 ${start.ticket_id} 已解决：重新结算成功`
      : state.status === 'MANUAL'
        ? `问题协同 ${start.ticket_id} 已办结：转手工报销`
        : `问题协同 ${start.ticket_id} 已撤回`,
  );
  await timeline.project();
  return state;
}
