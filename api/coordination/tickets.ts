import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import {
  HAND_RAISED_FROM,
  LABELS,
  type Side,
  type SlaState,
  TICKET_ACTIONS,
  type TicketAction,
  type TicketActionRequest,
  type TicketBoard,
  type TicketCommentView,
  type TicketStart,
  type TicketSummary,
  type TicketView,
  ticketActionUpdate,
  ticketId,
  ticketWorkflowId,
  WORKFLOW_TYPES,
} from '../../cases';
import {
  CaseDocument,
  CaseEvent,
  HumanTask,
  Stay,
  Ticket,
  TicketActionRow,
  TicketComment,
  User,
} from '../../db/entities';
import { requireRole } from '../auth/middleware';
import type { AuthUser } from '../auth/tokens';
import { contentType, rawBody, SIGNATURES, sendDocument, storeDocument, wrongType } from '../cases/documents';
import { problemFromTemporal } from '../cases/temporal-errors';
import { type CaseDeps, currentUser } from '../context';
import { idempotencyKey, keyedUuid, requestHash } from '../idempotency';
import { HttpProblem } from '../problem';
import {
  AttachmentName,
  TicketActionCreate,
  TicketCommentCreate,
  TicketCreate,
  TicketQuery,
} from '../schemas';
import { notFound, present, sideOf, ticketScope, visibleTicket } from '../scope';

const DAY = 86_400_000;
/** What the person should do, by refusal code: the problem's title. */
const TITLES = {
  TICKET_CLOSED: '该问题已办结，不能再操作',
  TICKET_WRONG_SIDE: '该操作须由对方协同人员办理',
  TICKET_ACTION_UNKNOWN: '没有这项操作，请从可用操作中选择',
  TICKET_STAY_UNREACHABLE: '未能通知该住院，未办理',
  TICKET_PARAMS_INVALID: '操作参数不完整，请按说明填写后重试',
} as const;

export function slaStateOf(
  t: Pick<Ticket, 'status' | 'sla_due_at' | 'closed_at'>,
  now = Date.now(),
): SlaState {
  const due = t.sla_due_at.getTime();
  if (t.status !== 'OPEN') return (t.closed_at?.getTime() ?? now) <= due ? 'met' : 'overdue';
  if (now > due) return 'overdue';
  return due - now <= DAY ? 'due_soon' : 'on_time';
}

export function ticketSummary(t: Ticket): TicketSummary {
  return {
    ticket_id: t.ticket_id,
    mdtrt_id: t.mdtrt_id,
    category: t.category,
    status: t.status,
    first_responder: t.first_responder,
    insured_prov: t.insured_prov,
    treatment_prov: t.treatment_prov,
    insuplc_admdvs: t.insuplc_admdvs,
    mdtrtarea_admvs: t.mdtrtarea_admvs,
    fixmedins_code: t.fixmedins_code,
    fixmedins_name: t.fixmedins_name,
    psn_name: t.psn_name,
    description: t.description,
    raised_by: t.raised_by,
    raised_at: t.raised_at.toISOString(),
    sla: { due_at: t.sla_due_at.toISOString(), state: slaStateOf(t) },
    updated_at: t.updated_at.toISOString(),
  };
}

/** The actions this viewer's side may take now (none when closed, or for a reader without a side). */
function allowedActions(t: Ticket, side: Side | null): TicketAction[] {
  if (t.status !== 'OPEN' || !side) return [];
  return (Object.keys(TICKET_ACTIONS) as TicketAction[]).filter(
    (a) =>
      (TICKET_ACTIONS[a].by as readonly Side[]).includes(side) &&
      (a !== 'hand_over' || side === t.first_responder),
  );
}

/** The shared ticket page: both sides' comments and actions, the stuck stay live, its timeline. */
export async function ticketView(em: EntityManager, user: AuthUser, t: Ticket): Promise<TicketView> {
  const [tasks, comments, actions, stay, events] = await Promise.all([
    em.find(HumanTask, { case_id: t.ticket_id }),
    em.find(TicketComment, { ticket_id: t.ticket_id }, { orderBy: { created_at: 'asc' } }),
    em.find(TicketActionRow, { ticket_id: t.ticket_id }, { orderBy: { at: 'asc' } }),
    em.findOne(Stay, { mdtrt_id: t.mdtrt_id }),
    em.find(CaseEvent, { case_id: t.mdtrt_id }, { orderBy: { at: 'asc', id: 'asc' } }),
  ]);
  const ids = comments.flatMap((c) => c.document_ids);
  const [documents, users] = await Promise.all([
    ids.length ? em.find(CaseDocument, { id: { $in: ids }, case_id: t.ticket_id }) : Promise.resolve([]),
    em.find(User, { username: { $in: [...comments.map((c) => c.author), ...actions.map((a) => a.by)] } }),
  ]);
  const nameOf = (u: string) => users.find((x) => x.username === u)?.display_name ?? u;
  const status = new Map(tasks.map((k) => [k.id, k]));
  const side = sideOf(user, t);
  return {
    ...ticketSummary(t),
    sides: t.sides.map((s) => {
      const task = s.task_id ? status.get(s.task_id) : undefined;
      return {
        ...s,
        task_status: task?.status ?? s.task_status,
        due_at: task?.due_at.toISOString() ?? s.due_at,
        escalated: task ? task.escalated_at !== null : s.escalated,
      };
    }),
    comments: comments.map((c) => commentView(c, nameOf(c.author), documents)),
    actions: actions.map((a) => ({
      action_id: a.action_id,
      action: a.action as TicketAction,
      side: a.side,
      by: a.by,
      by_name: nameOf(a.by),
      note: a.note ?? null,
      params: a.params,
      at: a.at.toISOString(),
      outcome: a.outcome,
    })),
    allowed_actions: allowedActions(t, side),
    viewer_side: side,
    stay: {
      mdtrt_id: t.mdtrt_id,
      status: stay?.status ?? 'SETTLEMENT_ERROR',
      medfee_sumamt: stay?.medfee_sumamt ?? 0,
      begntime: stay?.begntime.toISOString() ?? t.raised_at.toISOString(),
      endtime: stay?.endtime?.toISOString() ?? null,
    },
    retries: t.retries,
    timeline: events.map((e) => ({
      at: e.at.toISOString(),
      event: e.kind,
      text: typeof e.detail.text === 'string' ? e.detail.text : (LABELS.event[e.kind] ?? e.kind),
      actor: e.actor,
    })),
  };
}

function commentView(c: TicketComment, author_name: string, documents: CaseDocument[]): TicketCommentView {
  return {
    comment_id: c.comment_id,
    side: c.side,
    author: c.author,
    author_name,
    text: c.text,
    at: c.created_at.toISOString(),
    attachments: c.document_ids.flatMap((id) => {
      const d = documents.find((x) => x.id === id);
      return d ? [{ document_id: d.id, filename: d.name, content_type: d.content_type, size: d.size }] : [];
    }),
  };
}

/** The viewer's side, or 403 for a reader (staff, a hospital) on a route only the two sides' coordinators use. */
function sideOrRefuse(user: AuthUser, t: Ticket): Side {
  const side = sideOf(user, t);
  if (!side)
    throw new HttpProblem(
      403,
      'TICKET_NOT_A_SIDE',
      '仅参保地或就医地协同人员可办理',
      '请由双方的协同人员评论和操作该问题',
    );
  return side;
}

const closed = (t: Ticket) =>
  new HttpProblem(
    409,
    'TICKET_CLOSED',
    TITLES.TICKET_CLOSED,
    `问题协同 ${t.ticket_id} ${LABELS.ticket_status[t.status]}，未记录任何内容`,
  );

/** Waits (bounded) for a ticket the API just started to be projected. */
async function projected(deps: CaseDeps, ticket_id: string): Promise<Ticket> {
  const until = Date.now() + 10_000;
  for (;;) {
    const t = await deps.orm.em.fork().findOne(Ticket, { ticket_id });
    if (t) return t;
    if (Date.now() > until)
      throw new HttpProblem(
        503,
        'WORKFLOW_UNAVAILABLE',
        '问题协同已发起，正在建立',
        '请稍后刷新问题协同看板',
        {},
        5,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** 问题协同 routes (routes.md): the board, the shared ticket, comments, attachments and actions. */
export function ticketsRouter(deps: CaseDeps): Router {
  const router = Router();
  const readers = requireRole('coordinator', 'staff', 'supervisor', 'hospital');

  router.get('/tickets', readers, async (req, res) => {
    const q = TicketQuery.parse(req.query);
    const user = currentUser(res);
    const where: FilterQuery<Ticket> = { $and: [ticketScope(user)] };
    for (const k of ['insured_prov', 'treatment_prov', 'category', 'status', 'first_responder'] as const) {
      if (q[k]) (where as Record<string, unknown>)[k] = q[k];
    }
    const rows = await deps.orm.em.fork().find(Ticket, where, { orderBy: { raised_at: 'desc' }, limit: 500 });
    const items = rows.map(ticketSummary).filter((t) => !q.sla_state || t.sla.state === q.sla_state);
    const count = <K extends string>(key: (t: TicketSummary) => K) =>
      items.reduce<Partial<Record<K, number>>>((acc, t) => {
        acc[key(t)] = (acc[key(t)] ?? 0) + 1;
        return acc;
      }, {});
    const board: TicketBoard = {
      items,
      counts: {
        by_status: count((t) => t.status),
        by_category: count((t) => t.category),
        by_sla: count((t) => t.sla.state),
        by_first_responder: count((t) => t.first_responder),
      },
    };
    res.json(present(board, user));
  });

  router.post('/tickets', requireRole('coordinator', 'hospital'), async (req, res) => {
    const body = TicketCreate.parse(req.body);
    const user = currentUser(res);
    const em = deps.orm.em.fork();
    const stay = await em.findOne(Stay, { mdtrt_id: body.mdtrt_id });
    const treatment_prov = stay ? `${stay.mdtrtarea_admvs.slice(0, 2)}0000` : '';
    const side: Side | null =
      user.role === 'coordinator'
        ? stay?.prov_admdvs === user.prov_admdvs
          ? 'insured'
          : treatment_prov === user.prov_admdvs
            ? 'treatment'
            : null
        : null;
    const mine =
      stay && (user.role === 'hospital' ? stay.fixmedins_code === user.fixmedins_code : side !== null);
    if (!stay || !mine)
      throw new HttpProblem(
        404,
        'NOT_FOUND',
        '未找到该住院',
        `没有就诊 ID 为 ${body.mdtrt_id} 的住院，或您无权为其发起问题协同`,
      );
    const open = await em.findOne(Ticket, { mdtrt_id: stay.mdtrt_id, status: 'OPEN' });
    if (open)
      throw new HttpProblem(
        409,
        'TICKET_ALREADY_OPEN',
        '该住院已有办理中的问题协同',
        `请在问题协同 ${open.ticket_id} 中继续处理`,
        {
          ticket_id: open.ticket_id,
        },
      );
    const last = await em.findOne(
      Ticket,
      { mdtrt_id: stay.mdtrt_id, round: { $gte: HAND_RAISED_FROM } },
      { orderBy: { round: 'desc' } },
    );
    const round = (last?.round ?? HAND_RAISED_FROM - 1) + 1;
    const start: TicketStart = {
      ticket_id: ticketId(stay.mdtrt_id, round),
      mdtrt_id: stay.mdtrt_id,
      category: body.category,
      description: body.description,
      insuplc_admdvs: stay.insuplc_admdvs,
      mdtrtarea_admvs: stay.mdtrtarea_admvs,
      fixmedins_code: stay.fixmedins_code,
      psn_no: stay.psn_no,
      raised_by: { role: user.role === 'hospital' ? 'hospital' : 'coordinator', user: user.username, side },
      raised_at: new Date().toISOString(),
    };
    try {
      await deps.temporal.workflow.start(WORKFLOW_TYPES.settlementError, {
        workflowId: ticketWorkflowId(start.ticket_id),
        taskQueue: deps.taskQueue,
        args: [start],
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError))
        throw problemFromTemporal(error, '发起问题协同');
    }
    const t = await projected(deps, start.ticket_id);
    res.status(201).location(`/api/v1/tickets/${t.ticket_id}`);
    res.json(present(await ticketView(deps.orm.em.fork(), user, t), user));
  });

  router.get('/tickets/:ticket_id', readers, async (req, res) => {
    const user = currentUser(res);
    const em = deps.orm.em.fork();
    const t = await visibleTicket(em, user, req.params.ticket_id as string);
    res.json(present(await ticketView(em, user, t), user));
  });

  router.post('/tickets/:ticket_id/comments', requireRole('coordinator'), async (req, res) => {
    const user = currentUser(res);
    const em = deps.orm.em.fork();
    const t = await visibleTicket(em, user, req.params.ticket_id as string);
    const side = sideOrRefuse(user, t);
    const key = idempotencyKey(req);
    const body = TicketCommentCreate.parse(req.body);
    if (t.status !== 'OPEN') throw closed(t);
    const documents = body.document_ids.length
      ? await em.find(CaseDocument, { id: { $in: body.document_ids }, case_id: t.ticket_id })
      : [];
    if (documents.length !== new Set(body.document_ids).size)
      throw new HttpProblem(
        400,
        'TICKET_PARAMS_INVALID',
        '附件不属于该问题',
        '请先把附件上传到该问题协同，再在评论中引用',
      );
    // Without an Idempotency-Key the comment's content is its key: a retried POST stores it once.
    const comment_id = keyedUuid(
      `${t.ticket_id}:${user.username}:${key ?? `content:${requestHash({ text: body.text, document_ids: body.document_ids })}`}`,
    );
    await em
      .getKnex()('ticket_comment')
      .insert({
        comment_id,
        ticket_id: t.ticket_id,
        side,
        author: user.username,
        text: body.text,
        document_ids: JSON.stringify(body.document_ids),
        created_at: new Date(),
      })
      .onConflict('comment_id')
      .ignore();
    const c = await em.findOneOrFail(TicketComment, { comment_id });
    const author = await em.findOne(User, { username: user.username });
    res.status(201).json(present(commentView(c, author?.display_name ?? user.username, documents), user));
  });

  router.post(
    '/tickets/:ticket_id/attachments',
    requireRole('coordinator'),
    async (req, res, next) => {
      const user = currentUser(res);
      const t = await visibleTicket(deps.orm.em.fork(), user, req.params.ticket_id as string);
      sideOrRefuse(user, t);
      if (t.status !== 'OPEN') throw closed(t);
      const raw = req.get('x-filename') ?? '';
      let name = raw;
      try {
        name = decodeURIComponent(raw);
      } catch {
        // not URL-encoded: the header as it is
      }
      res.locals.documentName = AttachmentName.parse(name);
      if (!(contentType(req) in SIGNATURES)) throw wrongType();
      next();
    },
    rawBody,
    storeDocument(
      deps,
      (req) => req.params.ticket_id as string,
      (d) => `/api/v1/tickets/${d.case_id}/attachments/${d.id}`,
      (d) => ({ document_id: d.id, filename: d.name, content_type: d.content_type, size: d.size }),
    ),
  );

  router.get('/tickets/:ticket_id/attachments/:document_id', readers, async (req, res) => {
    const em = deps.orm.em.fork();
    const t = await visibleTicket(em, currentUser(res), req.params.ticket_id as string);
    const id = z.uuid().safeParse(req.params.document_id);
    const d = id.success
      ? await em.findOne(CaseDocument, { id: id.data, case_id: t.ticket_id }, { populate: ['content'] })
      : null;
    if (!d) throw notFound('attachment', String(req.params.document_id));
    sendDocument(res, d);
  });

  router.post('/tickets/:ticket_id/actions', requireRole('coordinator'), async (req, res) => {
    const user = currentUser(res);
    const em = deps.orm.em.fork();
    const t = await visibleTicket(em, user, req.params.ticket_id as string);
    const side = sideOrRefuse(user, t);
    const key = idempotencyKey(req);
    const body = TicketActionCreate.parse(req.body);
    if (!Object.hasOwn(TICKET_ACTIONS, body.action))
      throw new HttpProblem(
        400,
        'TICKET_ACTION_UNKNOWN',
        TITLES.TICKET_ACTION_UNKNOWN,
        `没有“${body.action}”这项操作`,
        {
          allowed_actions: allowedActions(t, side),
        },
      );
    // The update id: a resend with the same Idempotency-Key is applied once (Temporal and the ticket both dedupe).
    const action_id = key
      ? `${t.ticket_id}-${createHash('sha256').update(`${user.username}:${key}`).digest('hex').slice(0, 40)}`
      : randomUUID();
    const message: TicketActionRequest = {
      action_id,
      action: body.action as TicketAction,
      side,
      user: user.username,
      note: body.note ?? null,
      params: body.params,
    };
    try {
      await deps.temporal.workflow
        .getHandle(ticketWorkflowId(t.ticket_id))
        .executeUpdate(ticketActionUpdate, { updateId: action_id, args: [message] });
    } catch (error) {
      const problem = problemFromTemporal(error, `办理“${LABELS.ticket_action[message.action]}”`);
      if (problem.code === 'CASE_CLOSED') throw closed(t);
      const title = (TITLES as Record<string, string>)[problem.code];
      throw title
        ? new HttpProblem(problem.status, problem.code, title, problem.detail, problem.extensions)
        : problem;
    }
    const fresh = await deps.orm.em.fork().findOneOrFail(Ticket, { ticket_id: t.ticket_id });
    res.json(present(await ticketView(deps.orm.em.fork(), user, fresh), user));
  });

  return router;
}
