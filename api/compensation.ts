import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { Router } from 'express';
import {
  addDays,
  type CompensationStart,
  type CompensationView,
  compensationWorkflowId,
  cstDate,
  WORKFLOW_TYPES,
} from '../cases';
import { loadCompensationParams } from '../db/compensation';
import { Admdvs, CaseEvent, Compensation, type HumanTask, provinceOf, Stay } from '../db/entities';
import { hainanScenario } from '../db/scenario-hainan';
import { requireRole } from './auth/middleware';
import { type CaseDeps, currentUser } from './context';
import { cnDate, HttpProblem, RETRY_AFTER_SECONDS } from './problem';

/** A compensation row as the stay view and the review page show it. */
export function compensationViewOf(row: Compensation): CompensationView {
  return {
    compensation_id: row.compensation_id,
    setl_id: row.setl_id,
    status: row.status,
    direct_fund_pay: row.direct_fund_pay ?? 0,
    recomputed_fund_pay: row.recomputed_fund_pay ?? 0,
    gap: row.gap,
    // Rows paid before the payment recorded its amount paid the whole gap.
    paid: row.paid_amount ?? (row.status === 'PAID' || row.status === 'RECOVERED' ? row.gap : null),
    steps: row.steps,
    items: row.items,
    task_id: row.task_id ?? null,
    decision: row.decision ?? null,
  };
}

/**
 * `StayView.compensation`: the comparison of the stay's live settlement, or of its latest one when
 * none is live (a reversed stay still shows what was decided); null before any.
 */
export async function stayCompensation(em: EntityManager, stay: Pick<Stay, 'mdtrt_id' | 'setl_id'>) {
  const rows = await em.find(Compensation, { mdtrt_id: stay.mdtrt_id }, { orderBy: { created_at: 'desc' } });
  const row = rows.find((r) => r.setl_id === stay.setl_id) ?? rows[0];
  return row ? compensationViewOf(row) : null;
}

/** What the review page needs beside the task: the comparison, the stay, and its 待遇补差 timeline. */
export async function compensationCase(em: EntityManager, task: Pick<HumanTask, 'case_id'>) {
  const row = await em.findOne(Compensation, { compensation_id: task.case_id });
  if (!row) return null;
  const [stay, events] = await Promise.all([
    em.findOne(Stay, { mdtrt_id: row.mdtrt_id }),
    em.find(
      CaseEvent,
      { case_id: row.mdtrt_id, id: { $like: `${row.compensation_id}:e%` } },
      { orderBy: { at: 'asc', id: 'asc' } },
    ),
  ]);
  return {
    case_type: 'compensation' as const,
    compensation: compensationViewOf(row),
    origin: row.origin,
    applied_by: row.applied_by,
    catalogue_admvs: row.catalogue_admvs,
    policy: row.policy_id ? { policy_id: row.policy_id, version: row.policy_version } : null,
    stay: stay && {
      mdtrt_id: stay.mdtrt_id,
      psn_no: stay.psn_no,
      psn_name: stay.psn_name,
      fixmedins_code: stay.fixmedins_code,
      fixmedins_name: stay.fixmedins_name,
      mdtrtarea_admvs: stay.mdtrtarea_admvs,
      insuplc_admdvs: stay.insuplc_admdvs,
      begntime: stay.begntime,
      endtime: stay.endtime,
      medfee_sumamt: stay.medfee_sumamt,
      fund_pay_sumamt: stay.fund_pay_sumamt,
    },
    timeline: events.map((e) => ({
      at: e.at,
      event: e.kind,
      text: typeof e.detail.text === 'string' ? e.detail.text : e.kind,
      actor: e.actor,
    })),
  };
}

/** 待遇补差 routes: the citizen's application, and the Hainan demo scenario for the counter page. */
export function compensationRouter(deps: CaseDeps): Router {
  const router = Router();

  // The citizen applies for the stay's live settlement. Idempotent: one comparison per settlement, so
  // a repeat (or an application after the automatic detection) answers the one already there.
  router.post('/stays/:mdtrt_id/compensation', requireRole('citizen'), async (req, res) => {
    const user = currentUser(res);
    const em = deps.orm.em.fork();
    const stay = await em.findOne(Stay, {
      mdtrt_id: req.params.mdtrt_id as string,
      psn_no: user.psn_no ?? '',
    });
    if (!stay) throw new HttpProblem(404, 'NOT_FOUND', '未找到该住院记录', '没有这次住院，或它不是您的住院');
    if (!stay.setl_id) {
      throw new HttpProblem(
        409,
        'COMPENSATION_NOT_SETTLED',
        '尚未结算',
        '这次住院还没有有效的出院结算，结算后才能申请待遇补差',
      );
    }
    const location = `/api/v1/stays/${stay.mdtrt_id}`;
    const compensation_id = compensationWorkflowId(stay.setl_id);
    const existing = await em.findOne(Compensation, { setl_id: stay.setl_id });
    if (existing) {
      res.status(200).location(location).json({ compensation_id, status: existing.status, location });
      return;
    }
    const prov_admdvs = provinceOf(stay.insuplc_admdvs);
    const loaded = await loadCompensationParams(em, prov_admdvs);
    if (!loaded?.params.enabled) {
      const prov = await em.findOne(Admdvs, { admdvs: prov_admdvs });
      throw new HttpProblem(
        409,
        'COMPENSATION_NOT_OFFERED',
        '参保地未开展待遇补差',
        `参保地（${prov?.admdvs_name ?? prov_admdvs}）未开展待遇补差，请向参保地经办机构咨询手工报销`,
      );
    }
    const dscg_date = cstDate((stay.endtime ?? stay.updated_at).getTime());
    const last = addDays(dscg_date, loaded.params.deadline_days);
    const today = cstDate(Date.now());
    if (today > last) {
      throw new HttpProblem(
        409,
        'COMPENSATION_DEADLINE_PASSED',
        '已超过申请期限',
        `待遇补差须在出院后 ${loaded.params.deadline_days} 天内申请（出院日期 ${cnDate(dscg_date)}，截至 ${cnDate(last)}），已超过申请期限`,
        { dscg_date, deadline: last },
      );
    }
    const start: CompensationStart = {
      setl_id: stay.setl_id,
      mdtrt_id: stay.mdtrt_id,
      psn_no: stay.psn_no,
      insuplc_admdvs: stay.insuplc_admdvs,
      origin: 'applied',
      applied_by: user.username,
      at: new Date().toISOString(),
    };
    try {
      await deps.temporal.workflow.start(WORKFLOW_TYPES.compensation, {
        workflowId: compensation_id,
        taskQueue: deps.taskQueue,
        args: [start],
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        // Detected (or applied) a moment ago and not projected yet: the same comparison.
        res.status(200).location(location).json({ compensation_id, status: 'DETECTED', location });
        return;
      }
      deps.log(`compensation ${compensation_id} not started: ${String(error)}`);
      throw new HttpProblem(
        503,
        'WORKFLOW_UNAVAILABLE',
        '工作流服务暂时不可用',
        '待遇补差申请未提交，请稍后重试',
        {},
        RETRY_AFTER_SECONDS,
      );
    }
    res.status(202).location(location).json({ compensation_id, status: 'APPLIED', location });
  });

  // The seed story as the counter page loads it: 2401, 2301, 2402 and 2304 inputs of the national interface.
  router.get('/demo/scenarios/hainan', requireRole('hospital', 'staff', 'supervisor'), (_req, res) => {
    res.json(hainanScenario(new Date()));
  });

  return router;
}
