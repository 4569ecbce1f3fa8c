import type { FilterQuery } from '@mikro-orm/core';
import { raw } from '@mikro-orm/core';
import { Router } from 'express';
import { HumanTask } from '../../db/entities';
import { revokeReferralUpdate } from '../../workflows';
import { requireRole } from '../auth/middleware';
import { caseDetail, currentCase, taskView, visibleFiling } from '../cases/read';
import { applied } from '../cases/temporal-errors';
import { type CaseDeps, currentUser } from '../context';
import { HttpProblem } from '../problem';
import { ReferralRevoke, TaskDecision, TaskQuery } from '../schemas';
import { deliver, recordDecision } from './decisions';

/** The agency side: the review queue of the user's province, claim/release, decisions, 2502 revocation. */
export function staffRouter(deps: CaseDeps): Router {
  const router = Router();
  const reviewer = requireRole('staff', 'supervisor');

  router.get('/tasks', reviewer, async (req, res) => {
    const q = TaskQuery.parse(req.query);
    const user = currentUser(res);
    const where: FilterQuery<HumanTask> = { prov_admdvs: user.prov_admdvs ?? '' };
    if (q.status) where.status = q.status;
    else where.status = user.role === 'supervisor' ? 'escalated' : { $in: ['open', 'claimed'] };
    if (q.mine === 'true') where.assignee = user.username;
    if (q.psn_no) where.summary = { psn_no: q.psn_no };
    const em = deps.orm.em.fork();
    const key = q.sort.replace(/^-/, '') as 'due_at' | 'created_at' | 'kind';
    const [items, total] = await em.findAndCount(HumanTask, where, {
      orderBy: { [key]: q.sort.startsWith('-') ? 'desc' : 'asc', id: 'asc' },
      limit: q.page_size,
      offset: (q.page - 1) * q.page_size,
    });
    res.json({ items: items.map(taskView), total, page: q.page, page_size: q.page_size });
  });

  const loadTask = async (id: string, user: ReturnType<typeof currentUser>) => {
    const task = await deps.orm.em.fork().findOne(HumanTask, { id });
    if (!task) throw new HttpProblem(404, 'NOT_FOUND', 'Not found', `no task ${id}`);
    if (task.prov_admdvs !== user.prov_admdvs)
      throw new HttpProblem(403, 'FORBIDDEN_PROVINCE', 'Forbidden', 'this task belongs to another province');
    return task;
  };

  router.get('/tasks/:id', reviewer, async (req, res) => {
    const user = currentUser(res);
    const task = await loadTask(req.params.id as string, user);
    const em = deps.orm.em.fork();
    const filing = await visibleFiling(em, user, task.case_id);
    res.json({ task: taskView(task), case: await caseDetail(em, user, filing) });
  });

  router.post('/tasks/:id/claim', reviewer, async (req, res) => {
    const user = currentUser(res);
    const task = await loadTask(req.params.id as string, user);
    const claimable = user.role === 'supervisor' ? ['open', 'escalated'] : ['open'];
    const n = await deps.orm.em
      .fork()
      .createQueryBuilder(HumanTask)
      .update({
        assignee: user.username,
        status: task.status === 'escalated' ? 'escalated' : 'claimed',
        version: raw('version + 1'),
      })
      .where({ id: task.id, status: { $in: claimable }, assignee: null })
      .execute('run');
    if (n.affectedRows !== 1)
      throw new HttpProblem(409, 'TASK_NOT_CLAIMABLE', 'Conflict', 'the task is not open for claiming');
    res.json(taskView(await loadTask(task.id, user)));
  });

  router.post('/tasks/:id/release', reviewer, async (req, res) => {
    const user = currentUser(res);
    const task = await loadTask(req.params.id as string, user);
    const n = await deps.orm.em
      .fork()
      .createQueryBuilder(HumanTask)
      .update({
        assignee: null,
        status: task.status === 'escalated' ? 'escalated' : 'open',
        version: raw('version + 1'),
      })
      .where({ id: task.id, status: { $in: ['claimed', 'escalated'] }, assignee: user.username })
      .execute('run');
    if (n.affectedRows !== 1)
      throw new HttpProblem(409, 'TASK_NOT_CLAIMED', 'Conflict', 'the task is not claimed by you');
    res.json(taskView(await loadTask(task.id, user)));
  });

  router.post('/tasks/:id/decision', reviewer, async (req, res) => {
    const body = TaskDecision.parse(req.body);
    const user = currentUser(res);
    const task = await recordDecision(deps.orm, user, req.params.id as string, body);
    let outcome: Awaited<ReturnType<typeof deliver>>;
    try {
      outcome = await deliver(deps.orm, deps.temporal, task);
    } catch (error) {
      deps.log(`decision on ${task.id} recorded, delivery pending: ${String(error)}`);
      throw new HttpProblem(
        503,
        'DECISION_DELIVERY_PENDING',
        'Decision recorded, delivery pending',
        'the decision is stored and will reach the case when the workflow service answers again',
        { task_id: task.id, decision: task.decision, recorded: true, delivered: false },
      );
    }
    if (outcome === 'case_closed') {
      throw new HttpProblem(
        409,
        'CASE_CLOSED',
        'Case closed',
        'the decision is recorded but the review had already ended',
        {
          task_id: task.id,
          decision: task.decision,
          recorded: true,
          delivered: false,
        },
      );
    }
    res.json({ ...taskView(task), delivered: true });
  });

  router.post('/filings/:id/revoke', reviewer, async (req, res) => {
    const body = ReferralRevoke.parse(req.body);
    const user = currentUser(res);
    const em = deps.orm.em.fork();
    const filing = await visibleFiling(em, user, req.params.id as string);
    if (!filing.trt_dcla_detl_sn)
      throw new HttpProblem(
        409,
        'REFERRAL_NOT_APPROVED',
        'Refused',
        'only an approved referral can be revoked',
      );
    await applied(
      deps.temporal.workflow.getHandle(filing.id).executeUpdate(revokeReferralUpdate, {
        args: [
          {
            trt_dcla_detl_sn: filing.trt_dcla_detl_sn,
            psn_no: filing.psn_no,
            memo: body.memo,
            requested_by: user.username,
          },
        ],
      }),
      'the revocation',
    );
    res.json(await currentCase(deps.orm.em.fork(), user, filing.id));
  });

  return router;
}
