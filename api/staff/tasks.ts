import type { FilterQuery } from '@mikro-orm/core';
import { raw } from '@mikro-orm/core';
import { Router } from 'express';
import { OPEN_TASK_STATUSES } from '../../cases';
import { HumanTask, ManualClaim, Stay, TaskDecision, User } from '../../db/entities';
import { requireRole } from '../auth/middleware';
import type { AuthUser } from '../auth/tokens';
import { caseDetail, taskView, visibleFiling } from '../cases/read';
import { stayView } from '../cases/stays';
import { compensationCase } from '../compensation';
import { type CaseDeps, currentUser } from '../context';
import { ticketView } from '../coordination/tickets';
import { HttpProblem } from '../problem';
import { StaffQuery, TaskDecision as TaskDecisionBody, TaskQuery, TaskReassign } from '../schemas';
import { colleagueScope, present, taskScope, visibleTask, visibleTicket } from '../scope';
import { deliver, recordDecision } from './decisions';

/** Sets a task's assignee while it is open (and `onlyIf` holds); false when it changed meanwhile. */
async function assign(
  orm: CaseDeps['orm'],
  task: HumanTask,
  assignee: string | null,
  onlyIf: { assignee?: string | null },
): Promise<boolean> {
  const n = await orm.em
    .fork()
    .createQueryBuilder(HumanTask)
    .update({
      assignee,
      // An escalated task stays escalated (the supervisors' queue); a staff task is claimed or open.
      status: task.status === 'escalated' ? 'escalated' : assignee ? 'claimed' : 'open',
      version: raw('version + 1'),
    })
    .where({ id: task.id, status: { $in: [...OPEN_TASK_STATUSES] }, ...onlyIf })
    .execute('run');
  return n.affectedRows === 1;
}

/** `POST /tasks/{id}/claim`: the user takes an unclaimed task of their side (404 off their side). */
export async function claimTask(orm: CaseDeps['orm'], user: AuthUser, taskId: string): Promise<HumanTask> {
  const task = await visibleTask(orm.em.fork(), user, taskId);
  if (user.role === 'staff' && task.status === 'escalated') {
    throw new HttpProblem(403, 'TASK_ESCALATED', '该待办已督办', '审核已超时，该待办已转交督办人员');
  }
  if (!(await assign(orm, task, user.username, { assignee: null }))) {
    throw new HttpProblem(409, 'TASK_NOT_CLAIMABLE', '该待办不能认领', '该待办已被认领或已结束');
  }
  return task;
}

/**
 * Every kind of human task through one router: the queue of the user's side, claim, release,
 * reassignment and decisions. Kind-specific rules (decisions, reasons) come from `cases/` TASK_KINDS.
 */
export function taskRouter(deps: CaseDeps): Router {
  const router = Router();
  const reviewer = requireRole('staff', 'supervisor', 'coordinator');

  router.get('/tasks', reviewer, async (req, res) => {
    const q = TaskQuery.parse(req.query);
    const user = currentUser(res);
    const where: FilterQuery<HumanTask> = { $and: [taskScope(user)] };
    if (q.status) where.status = q.status;
    else if (user.role === 'supervisor') where.status = 'escalated';
    else where.status = { $in: ['open', 'claimed'] };
    if (q.kind) where.kind = q.kind;
    if (q.mine === 'true') where.assignee = user.username;
    if (q.psn_no) where.summary = { psn_no: q.psn_no };
    const key = q.sort.replace(/^-/, '') as 'due_at' | 'created_at' | 'kind';
    const [items, total] = await deps.orm.em.fork().findAndCount(HumanTask, where, {
      orderBy: { [key]: q.sort.startsWith('-') ? 'desc' : 'asc', id: 'asc' },
      limit: q.page_size,
      offset: (q.page - 1) * q.page_size,
    });
    res.json(present({ items: items.map(taskView), total, page: q.page, page_size: q.page_size }, user));
  });

  /** The task if the user is on its side; 404 otherwise (never 403: task ids carry the psn_no). */
  const loadTask = (id: string, user: AuthUser) => visibleTask(deps.orm.em.fork(), user, id);
  const answer = async (id: string, user: AuthUser) => {
    const task = await loadTask(id, user);
    const decisions = await deps.orm.em
      .fork()
      .find(TaskDecision, { task_id: id }, { orderBy: { decided_at: 'asc' } });
    return present(
      {
        ...taskView(task),
        decisions: decisions.map((d) => ({
          id: d.id,
          decision: d.decision,
          reason: d.reason,
          decided_by: d.decided_by,
          decided_at: d.decided_at,
          outcome: d.outcome,
          refusal_code: d.refusal_code,
          refusal_reason: d.refusal_reason,
        })),
      },
      user,
    );
  };

  router.get('/tasks/:id', reviewer, async (req, res) => {
    const user = currentUser(res);
    const task = await answer(req.params.id as string, user);
    const em = deps.orm.em.fork();
    // A 待遇补差 task: the comparison (direct vs recomputed, item by item) and the stay, not a filing.
    if (task.case_type === 'compensation') {
      res.json({ task, case: await compensationCase(em, task) });
      return;
    }
    // 问题协同: the shared ticket; 手工报销: the claim and its stay.
    if (task.case_type === 'settlement_error') {
      const ticket = await visibleTicket(em, user, task.case_id);
      res.json(present({ task, case: await ticketView(em, user, ticket) }, user));
      return;
    }
    if (task.case_type === 'manual_claim') {
      const claim = await em.findOneOrFail(ManualClaim, { claim_id: task.case_id });
      const stay = await em.findOneOrFail(Stay, { mdtrt_id: claim.mdtrt_id });
      res.json(present({ task, case: { claim, stay: await stayView(em, stay) } }, user));
      return;
    }
    const filing = await visibleFiling(em, user, task.case_id);
    res.json({ task, case: await caseDetail(em, user, filing) });
  });

  const setAssignee = (task: HumanTask, assignee: string | null, onlyIf: { assignee?: string | null }) =>
    assign(deps.orm, task, assignee, onlyIf);

  router.post('/tasks/:id/claim', reviewer, async (req, res) => {
    const user = currentUser(res);
    const task = await claimTask(deps.orm, user, req.params.id as string);
    res.json(await answer(task.id, user));
  });

  router.post('/tasks/:id/release', reviewer, async (req, res) => {
    const user = currentUser(res);
    const task = await loadTask(req.params.id as string, user);
    if (!(await setAssignee(task, null, { assignee: user.username }))) {
      throw new HttpProblem(409, 'TASK_NOT_CLAIMED', '该待办不由你认领', '只能释放自己认领的待办');
    }
    res.json(await answer(task.id, user));
  });

  // Whom a supervisor can hand a task to: names only, no contact data; nobody for other roles.
  router.get('/staff', reviewer, async (req, res) => {
    const q = StaffQuery.parse(req.query);
    const user = currentUser(res);
    const where: FilterQuery<User> = { $and: [colleagueScope(user), ...(q.role ? [{ role: q.role }] : [])] };
    const people = await deps.orm.em
      .fork()
      .find(User, where, { orderBy: { username: 'asc' }, fields: ['username', 'display_name'] });
    res.json({ items: people.map((u) => ({ username: u.username, display_name: u.display_name })) });
  });

  // A supervisor hands a task to another staff member (or supervisor) of the same province. An
  // escalated task handed to a staff member goes back to the staff side, claimed by them, so it is
  // in their 我的 list and theirs to decide; handed to a supervisor it stays in 督办.
  router.post('/tasks/:id/reassign', requireRole('supervisor'), async (req, res) => {
    const body = TaskReassign.parse(req.body);
    const user = currentUser(res);
    const task = await loadTask(req.params.id as string, user);
    const target = await deps.orm.em.fork().findOne(User, { username: body.assignee });
    if (
      !target ||
      target.prov_admdvs !== user.prov_admdvs ||
      !['staff', 'supervisor'].includes(target.role)
    ) {
      throw new HttpProblem(
        404,
        'USER_NOT_FOUND',
        '未找到该经办人员',
        `本省没有可接手该待办的用户 ${body.assignee}`,
      );
    }
    const backToStaff = task.status === 'escalated' && target.role === 'staff';
    const moved = backToStaff
      ? (
          await deps.orm.em
            .fork()
            .createQueryBuilder(HumanTask)
            .update({
              assignee: target.username,
              role: 'staff',
              status: 'claimed',
              version: raw('version + 1'),
            })
            .where({ id: task.id, status: 'escalated' })
            .execute('run')
        ).affectedRows === 1
      : await setAssignee(task, target.username, {});
    if (!moved) {
      throw new HttpProblem(409, 'TASK_NOT_OPEN', '该待办已结束', '已决定或已取消的待办不能改派');
    }
    res.json(await answer(task.id, user));
  });

  router.post('/tasks/:id/decision', reviewer, async (req, res) => {
    const body = TaskDecisionBody.parse(req.body);
    const user = currentUser(res);
    const decision = await recordDecision(deps.orm, user, req.params.id as string, body);
    let result: Awaited<ReturnType<typeof deliver>>;
    try {
      result = await deliver(deps.orm, deps.temporal, decision);
    } catch (error) {
      deps.log(`decision ${decision.id} on ${decision.task_id} recorded, delivery pending: ${String(error)}`);
      throw new HttpProblem(
        503,
        'DECISION_DELIVERY_PENDING',
        '决定已保存，待送达',
        '决定已保存，流程服务恢复后将自动送达案件',
        { task_id: decision.task_id, decision: decision.decision, recorded: true, outcome: 'pending' },
      );
    }
    if (result.outcome === 'refused') {
      // The case refused it: the person is told why, with the case's own code and words.
      throw new HttpProblem(409, result.code, '案件未采纳该决定', result.message, {
        ...result.details,
        task_id: decision.task_id,
        decision: decision.decision,
        recorded: true,
        outcome: 'refused',
      });
    }
    res.json({ ...(await answer(decision.task_id, user)), outcome: 'accepted' });
  });

  return router;
}
