import { randomUUID } from 'node:crypto';
import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { type Request, Router } from 'express';
import {
  FEE_CHECK_REFUSALS,
  type FeeCheckBatchStart,
  type FeeCheckBatchView,
  type FeeCheckCandidateView,
  type FeeCheckView,
  feeCheckAnswerUpdate,
  feeCheckConfirmUpdate,
  feeCheckFreezeUpdate,
  feeCheckId,
  feeCheckMonthOf,
  feeCheckParamsFor,
  WORKFLOW_TYPES,
} from '../../cases';
import {
  FeeCheck,
  FeeCheckBatch,
  FeeCheckItem,
  FeeDetail,
  provinceOf,
  Settlement,
  Stay,
} from '../../db/entities';
import { openBatchFrom, recordFeeCheckEvent } from '../../db/fee-checks';
import { formatYuan } from '../../settlement';
import { requireRole } from '../auth/middleware';
import type { AuthUser } from '../auth/tokens';
import { type CaseDeps, currentUser } from '../context';

type Deps = Pick<CaseDeps, 'orm' | 'temporal' | 'taskQueue' | 'log'>;

import { idempotencyKey } from '../idempotency';
import { HttpProblem, RETRY_AFTER_SECONDS } from '../problem';
import { PROBLEM_CODES, type ProblemCode } from '../problem-codes';
import {
  FeeCheckAnswerBody,
  FeeCheckBatchQuery,
  FeeCheckCandidateQuery,
  FeeCheckCreate,
  FeeCheckFreezeBody,
  FeeCheckQuery,
} from '../schemas/fee-checks';
import { maskName, notFound, pairScope, sideOf } from '../scope';

const READERS = ['staff', 'supervisor', 'coordinator'] as const;
const REFUSAL_CODES = new Set<string>(Object.values(FEE_CHECK_REFUSALS));
const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);
/** Fen as people read yuan: 30,000.00. */
function yuanText(fen: number): string {
  const [int, dec] = formatYuan(fen as Parameters<typeof formatYuan>[0]).split('.');
  return `${(int ?? '0').replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${dec}`;
}

/** The checks as FeeCheckView, items in line order. */
export async function feeCheckViews(em: EntityManager, rows: FeeCheck[]): Promise<FeeCheckView[]> {
  if (rows.length === 0) return [];
  const items = await em.find(
    FeeCheckItem,
    { check_id: { $in: rows.map((r) => r.check_id) } },
    { orderBy: { check_id: 'asc', feedetl_sn: 'asc' } },
  );
  return rows.map((r) => ({
    check_id: r.check_id,
    setl_id: r.setl_id,
    mdtrt_id: r.mdtrt_id,
    status: r.status,
    insured_prov: r.insured_prov,
    treatment_prov: r.treatment_prov,
    fixmedins_name: r.fixmedins_name,
    medfee_sumamt: r.medfee_sumamt,
    reason: r.reason,
    batch_id: r.batch_id,
    rolled_over: r.rolled_over,
    requested_by: r.requested_by,
    requested_at: new Date(r.requested_at).toISOString(),
    answer_due: iso(r.answer_due),
    confirm_due: iso(r.confirm_due),
    items: items
      .filter((i) => i.check_id === r.check_id)
      .map((i) => ({
        feedetl_sn: i.feedetl_sn,
        med_list_codg: i.med_list_codg,
        list_name: i.list_name ?? null,
        det_item_fee_sumamt: i.det_item_fee_sumamt,
        outcome: i.outcome ?? null,
        reason: i.reason ?? null,
        amount: i.amount ?? null,
        answered_at: iso(i.answered_at),
      })),
    recovered: r.recovered,
  }));
}

async function batchViews(em: EntityManager, batches: FeeCheckBatch[]): Promise<FeeCheckBatchView[]> {
  const checks = await feeCheckViews(
    em,
    await em.find(
      FeeCheck,
      { batch_id: { $in: batches.map((b) => b.batch_id) } },
      { orderBy: { check_id: 'asc' } },
    ),
  );
  return batches.map((b) => ({
    batch_id: b.batch_id,
    insured_prov: b.insured_prov,
    treatment_prov: b.treatment_prov,
    month: b.month,
    status: b.status,
    frozen_at: iso(b.frozen_at),
    answer_due: iso(b.answer_due),
    checks: checks.filter((c) => c.batch_id === b.batch_id),
  }));
}

function problem(code: ProblemCode, title: string, detail: string, extra: Record<string, unknown> = {}) {
  return new HttpProblem(PROBLEM_CODES[code].status, code, title, detail, extra);
}

/** The batch's refusal as its own code (409/400); an unreachable Temporal as 503. */
function problemFromBatch(error: unknown, what: string): HttpProblem {
  if (
    error instanceof WorkflowUpdateFailedError &&
    error.cause instanceof ApplicationFailure &&
    REFUSAL_CODES.has(error.cause.type ?? '')
  ) {
    return problem(error.cause.type as ProblemCode, `${what}未被受理`, error.cause.message);
  }
  if (error instanceof WorkflowNotFoundError) {
    return problem('FEE_CHECK_BATCH_CLOSED', '协查批次已结束', `协查批次已办结，不能再${what}`);
  }
  return new HttpProblem(
    503,
    'WORKFLOW_UNAVAILABLE',
    '工作流服务暂时不可用',
    `${what}未执行，请稍后重试`,
    {},
    RETRY_AFTER_SECONDS,
  );
}

/**
 * Starts the batch's workflow unless it runs already, or ran to its end (a closed batch is never started
 * again); one terminated (the demo's reset removes its rows) may start afresh.
 */
export async function startBatch(deps: Deps, b: FeeCheckBatchStart): Promise<void> {
  try {
    await deps.temporal.workflow.start(WORKFLOW_TYPES.feeCheckBatch, {
      workflowId: b.batch_id,
      taskQueue: deps.taskQueue,
      args: [b],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    deps.log(`fee-check batch ${b.batch_id} not started: ${String(error)}`);
    throw new HttpProblem(
      503,
      'WORKFLOW_UNAVAILABLE',
      '工作流服务暂时不可用',
      '协查已登记，批次尚未启动，请稍后重新提交',
      {},
      RETRY_AFTER_SECONDS,
    );
  }
}

/**
 * The insured side's request (POST /fee-checks, and the demo): the settlement must be live, theirs and
 * at or above the threshold; the check goes into the pair's open batch of the month under its lock.
 */
export async function requestFeeCheck(
  deps: Deps,
  user: AuthUser,
  body: { setl_id: string; reason: string; feedetl_sns?: string[] | undefined },
): Promise<FeeCheckView & { retried?: true }> {
  const em = deps.orm.em.fork();
  const s = await em.findOne(Settlement, { setl_id: body.setl_id, kind: 'SETTLEMENT' });
  const pair = s && {
    insured_prov: provinceOf(s.insuplc_admdvs),
    treatment_prov: provinceOf(s.mdtrtarea_admvs),
  };
  const side = pair ? sideOf(user, pair) : null;
  if (!s || !pair || !side) throw notFound('settlement', body.setl_id);
  if (side !== 'insured') {
    throw problem('FEE_CHECK_WRONG_SIDE', '此操作属于另一方', '费用协查由参保地发起，就医地逐项答复');
  }
  if (s.reversed_by) {
    throw problem('FEE_CHECK_NOT_SETTLED', '结算已撤销', `结算 ${s.setl_id} 已撤销，不能协查`);
  }
  const params = feeCheckParamsFor(pair.insured_prov);
  if (s.medfee_sumamt < params.threshold) {
    throw problem(
      'FEE_CHECK_NOT_ELIGIBLE',
      '未达到协查起点',
      `医疗费总额 ${yuanText(s.medfee_sumamt)} 元，低于费用协查起点 ${yuanText(params.threshold)} 元`,
      { threshold: params.threshold, medfee_sumamt: s.medfee_sumamt },
    );
  }
  const check_id = feeCheckId(s.setl_id);
  const existing = await em.findOne(FeeCheck, { setl_id: s.setl_id });
  const duplicate = async (row: FeeCheck) => {
    // A resend after the batch failed to start: start it now, then say it is there.
    const b = row.status === 'REQUESTED' ? await em.findOne(FeeCheckBatch, { batch_id: row.batch_id }) : null;
    if (b) await startBatch(deps, { batch_id: b.batch_id, ...pair, month: b.month });
    return problem(
      'FEE_CHECK_DUPLICATE',
      '该结算已有费用协查',
      `结算 ${s.setl_id} 已有费用协查 ${row.check_id}`,
      {
        existing_id: row.check_id,
      },
    );
  };
  if (existing) {
    // The same user's same request again (a retried POST without Idempotency-Key): its answer again.
    if (existing.requested_by === user.username && existing.reason === body.reason) {
      await duplicate(existing);
      return { ...((await feeCheckViews(em, [existing]))[0] as FeeCheckView), retried: true };
    }
    throw await duplicate(existing);
  }
  const lines = await em.find(
    FeeDetail,
    { mdtrt_id: s.mdtrt_id, status: 'ACTIVE' },
    { orderBy: { feedetl_sn: 'asc' } },
  );
  const wanted = body.feedetl_sns ? new Set(body.feedetl_sns) : null;
  const chosen = wanted ? lines.filter((l) => wanted.has(l.feedetl_sn)) : lines;
  const unknown = [...(wanted ?? [])].find((sn) => !lines.some((l) => l.feedetl_sn === sn));
  if (unknown !== undefined || chosen.length === 0) {
    throw new HttpProblem(
      400,
      'VALIDATION_FAILED',
      '请求内容有误',
      `费用明细 ${unknown ?? ''} 不属于该结算`,
      {
        errors: [{ path: 'feedetl_sns', message: `费用明细 ${unknown ?? ''} 不属于该结算` }],
      },
    );
  }
  const stay = await em.findOne(Stay, { mdtrt_id: s.mdtrt_id });
  const now = new Date();
  const batch = await em.transactional(async (tx) => {
    const trx = tx.getTransactionContext<Knex.Transaction>() as Knex.Transaction;
    const b = await openBatchFrom(trx, {
      ...pair,
      month: feeCheckMonthOf(now.getTime(), params.freeze_day),
    });
    const inserted = await trx('fee_check')
      .insert({
        check_id,
        setl_id: s.setl_id,
        mdtrt_id: s.mdtrt_id,
        ...pair,
        insuplc_admdvs: s.insuplc_admdvs,
        mdtrtarea_admvs: s.mdtrtarea_admvs,
        fixmedins_code: s.fixmedins_code,
        fixmedins_name: stay?.fixmedins_name ?? s.fixmedins_code,
        insutype: s.insutype,
        medfee_sumamt: s.medfee_sumamt,
        reason: body.reason,
        status: 'REQUESTED',
        batch_id: b.batch_id,
        rolled_over: false,
        requested_by: user.username,
        requested_at: now,
        recovered: 0,
        updated_at: now,
      })
      .onConflict('setl_id')
      .ignore()
      .returning('check_id');
    if (inserted.length === 0) return null;
    await trx('fee_check_item').insert(
      chosen.map((l) => ({
        check_id,
        feedetl_sn: l.feedetl_sn,
        med_list_codg: l.med_list_codg,
        list_name: l.list_name ?? l.medins_list_name ?? null,
        det_item_fee_sumamt: l.det_item_fee_sumamt,
      })),
    );
    // On the citizen's timeline of the stay, in plain words (the reason is the coordinators' note).
    await recordFeeCheckEvent(trx, {
      check_id,
      mdtrt_id: s.mdtrt_id,
      step: 'requested',
      by: user.username,
      at: now.toISOString(),
      text: `参保地医保部门对本次住院结算发起费用协查（${chosen.length} 项费用），由就医地逐项核查`,
    });
    return b;
  });
  if (!batch) throw await duplicate((await em.findOneOrFail(FeeCheck, { setl_id: s.setl_id })) as FeeCheck);
  await startBatch(deps, { batch_id: batch.batch_id, ...pair, month: batch.month });
  const row = await em.fork().findOneOrFail(FeeCheck, { check_id });
  return (await feeCheckViews(em, [row]))[0] as FeeCheckView;
}

/** Freezes the viewer's province's open batches of `month` now (the staff route, and the demo). */
export async function freezeFeeCheckBatches(
  deps: Deps,
  user: AuthUser,
  month: string,
): Promise<FeeCheckBatchView[]> {
  const em = deps.orm.em.fork();
  const open = await em.find(FeeCheckBatch, { $and: [{ month, status: 'OPEN' }, pairScope(user)] });
  for (const b of open) {
    try {
      await deps.temporal.workflow.getHandle(b.batch_id).executeUpdate(feeCheckFreezeUpdate, {
        updateId: `freeze-${b.batch_id}`,
        args: [{ by: user.username }],
      });
    } catch (error) {
      const p = problemFromBatch(error, '冻结');
      if (p.code !== 'FEE_CHECK_BATCH_NOT_OPEN') throw p;
    }
  }
  const rows = await deps.orm.em
    .fork()
    .find(FeeCheckBatch, { $and: [{ month }, pairScope(user)] }, { orderBy: { batch_id: 'asc' } });
  return batchViews(em, rows);
}

/** 费用协查 routes (routes.md): the insured side requests and confirms, the treatment side answers. */
export function feeChecksRouter(deps: CaseDeps): Router {
  const router = Router();

  async function visibleCheck(em: EntityManager, req: Request, user: ReturnType<typeof currentUser>) {
    const check_id = req.params.check_id as string;
    const row = await em.findOne(FeeCheck, { $and: [{ check_id }, pairScope(user)] });
    if (!row) throw notFound('fee check', check_id);
    return row;
  }

  function requireSide(user: ReturnType<typeof currentUser>, row: FeeCheck, side: 'insured' | 'treatment') {
    if (sideOf(user, row) !== side) {
      throw problem(
        'FEE_CHECK_WRONG_SIDE',
        '此操作属于另一方',
        side === 'insured' ? '费用协查由参保地发起和确认' : '费用协查由就医地逐项答复',
      );
    }
  }

  router.get('/fee-checks', requireRole(...READERS), async (req, res) => {
    const q = FeeCheckQuery.parse(req.query);
    const user = currentUser(res);
    const em = deps.orm.em.fork();
    const where: Record<string, unknown> = {};
    if (q.status) where.status = q.status;
    if (q.month) where.batch_id = { $like: `FC-%-${q.month.replace('-', '')}` };
    const rows = await em.find(
      FeeCheck,
      { $and: [where, pairScope(user)] },
      { orderBy: { requested_at: 'desc' } },
    );
    res.json(await feeCheckViews(em, rows));
  });

  router.get('/fee-checks/:check_id', requireRole(...READERS), async (req, res) => {
    const em = deps.orm.em.fork();
    const row = await visibleCheck(em, req, currentUser(res));
    res.json((await feeCheckViews(em, [row]))[0]);
  });

  // The insured side's search for a stay to check: its settled, unreversed cross-province settlements at
  // or above its threshold without a check yet, by setl_id or psn_no.
  router.get('/fee-check-candidates', requireRole('coordinator'), async (req, res) => {
    const { q } = FeeCheckCandidateQuery.parse(req.query);
    const prov = currentUser(res).prov_admdvs ?? '';
    const knex = deps.orm.em.getKnex();
    const rows = await knex('settlement as s')
      .leftJoin('stay as t', 't.mdtrt_id', 's.mdtrt_id')
      .leftJoin('fee_check as c', 'c.setl_id', 's.setl_id')
      .where({ 's.kind': 'SETTLEMENT' })
      .whereNull('s.reversed_by')
      .whereNull('c.check_id')
      .whereRaw('left(s.insuplc_admdvs, 2) = left(?, 2)', [prov])
      .whereRaw('left(s.insuplc_admdvs, 2) <> left(s.mdtrtarea_admvs, 2)')
      .andWhere('s.medfee_sumamt', '>=', feeCheckParamsFor(prov).threshold)
      .andWhere((w) => w.where('s.setl_id', q).orWhere('s.psn_no', q))
      .orderBy('s.setl_time', 'desc')
      .limit(20)
      .select(
        's.setl_id',
        's.mdtrt_id',
        's.psn_no',
        's.fixmedins_code',
        's.medfee_sumamt',
        's.setl_time',
        't.psn_name',
        't.fixmedins_name',
      );
    res.json(
      rows.map(
        (r): FeeCheckCandidateView => ({
          setl_id: r.setl_id,
          mdtrt_id: r.mdtrt_id,
          psn_no: r.psn_no,
          psn_name: r.psn_name ? maskName(r.psn_name) : '',
          fixmedins_code: r.fixmedins_code,
          fixmedins_name: r.fixmedins_name ?? r.fixmedins_code,
          medfee_sumamt: Number(r.medfee_sumamt),
          setl_time: new Date(r.setl_time).toISOString(),
        }),
      ),
    );
  });

  router.post('/fee-checks', requireRole('coordinator'), async (req, res) => {
    const { retried, ...view } = await requestFeeCheck(
      deps,
      currentUser(res),
      FeeCheckCreate.parse(req.body),
    );
    res
      .status(retried ? 200 : 201)
      .location(`/api/v1/fee-checks/${view.check_id}`)
      .json(view);
  });

  router.post('/fee-checks/:check_id/answers', requireRole('coordinator'), async (req, res) => {
    const user = currentUser(res);
    const em = deps.orm.em.fork();
    const row = await visibleCheck(em, req, user);
    requireSide(user, row, 'treatment');
    const body = FeeCheckAnswerBody.parse(req.body);
    const lines = await em.find(FeeCheckItem, { check_id: row.check_id });
    const seen = new Set<string>();
    for (const i of body.items) {
      const line = lines.find((l) => l.feedetl_sn === i.feedetl_sn);
      const invalid = (detail: string) => problem('FEE_CHECK_AMOUNT_INVALID', '答复有误', detail);
      if (!line || seen.has(i.feedetl_sn))
        throw invalid(`费用明细 ${i.feedetl_sn} 不在本次协查中，或重复答复`);
      seen.add(i.feedetl_sn);
      if (i.outcome === 'incorrect') {
        if (!i.reason?.trim()) throw invalid(`费用明细 ${i.feedetl_sn} 核查有误，须填写原因`);
        if (i.amount === undefined || i.amount <= 0 || i.amount > line.det_item_fee_sumamt) {
          throw invalid(
            `费用明细 ${i.feedetl_sn} 的有误金额须大于 0 且不超过该项金额 ${yuanText(line.det_item_fee_sumamt)} 元`,
          );
        }
      } else if (i.amount !== undefined) {
        throw invalid(`费用明细 ${i.feedetl_sn} 核查无误，不应填写金额`);
      }
    }
    // A retried answer (no Idempotency-Key): every item already answered so, by this user → the same view.
    const same = body.items.every((i) => {
      const line = lines.find((l) => l.feedetl_sn === i.feedetl_sn);
      return (
        line?.outcome === i.outcome &&
        line.answered_by === user.username &&
        (line.reason ?? null) === (i.reason?.trim() || null) &&
        (line.amount ?? null) === (i.outcome === 'incorrect' ? (i.amount ?? null) : null)
      );
    });
    if (same) {
      res.json((await feeCheckViews(em, [row]))[0]);
      return;
    }
    const batch = await em.findOne(FeeCheckBatch, { batch_id: row.batch_id });
    if (row.status === 'ROLLED_OVER') {
      throw problem(
        'FEE_CHECK_BATCH_CLOSED',
        '答复期已过',
        '答复期限已过，该协查已转入下一批次，请在下一批次冻结后答复',
      );
    }
    if (row.status === 'REQUESTED') {
      throw problem('FEE_CHECK_NOT_FROZEN', '批次尚未冻结', '该协查所在批次尚未冻结，冻结后才能答复');
    }
    if (batch?.status === 'ANSWERED' || batch?.status === 'CLOSED' || row.status !== 'BATCHED') {
      throw problem('FEE_CHECK_BATCH_CLOSED', '答复期已结束', '该协查批次的答复期已结束，不能再答复');
    }
    const answer_id = idempotencyKey(req) ?? randomUUID();
    try {
      await deps.temporal.workflow.getHandle(row.batch_id).executeUpdate(feeCheckAnswerUpdate, {
        updateId: `answer-${answer_id}`,
        args: [
          {
            answer_id,
            check_id: row.check_id,
            items: body.items.map((i) => ({
              feedetl_sn: i.feedetl_sn,
              outcome: i.outcome,
              reason: i.reason?.trim() || null,
              amount: i.outcome === 'incorrect' ? (i.amount ?? null) : null,
            })),
            by: user.username,
            at: new Date().toISOString(),
          },
        ],
      });
    } catch (error) {
      throw problemFromBatch(error, '答复');
    }
    const fresh = await deps.orm.em.fork().findOneOrFail(FeeCheck, { check_id: row.check_id });
    res.json((await feeCheckViews(em, [fresh]))[0]);
  });

  router.post('/fee-checks/:check_id/confirm', requireRole('coordinator'), async (req, res) => {
    const user = currentUser(res);
    const em = deps.orm.em.fork();
    const row = await visibleCheck(em, req, user);
    requireSide(user, row, 'insured');
    // A resent confirmation answers what the first one did (its recovery is in the ledger once).
    if (row.status !== 'CONFIRMED') {
      const key = idempotencyKey(req) ?? randomUUID();
      try {
        await deps.temporal.workflow.getHandle(row.batch_id).executeUpdate(feeCheckConfirmUpdate, {
          updateId: `confirm-${key}`,
          args: [{ check_id: row.check_id, by: user.username, at: new Date().toISOString() }],
        });
      } catch (error) {
        const p = problemFromBatch(error, '确认');
        if (p.code !== 'FEE_CHECK_ALREADY_CONFIRMED') throw p;
      }
    }
    const fresh = await deps.orm.em.fork().findOneOrFail(FeeCheck, { check_id: row.check_id });
    res.json((await feeCheckViews(em, [fresh]))[0]);
  });

  router.get('/fee-check-batches', requireRole(...READERS), async (req, res) => {
    const q = FeeCheckBatchQuery.parse(req.query);
    const em = deps.orm.em.fork();
    const where = q.month ? { month: q.month } : {};
    const rows = await em.find(
      FeeCheckBatch,
      { $and: [where, pairScope(currentUser(res))] },
      { orderBy: { month: 'desc', batch_id: 'asc' } },
    );
    res.json(await batchViews(em, rows));
  });

  router.get('/fee-check-batches/:batch_id', requireRole(...READERS), async (req, res) => {
    const em = deps.orm.em.fork();
    const batch_id = req.params.batch_id as string;
    const row = await em.findOne(FeeCheckBatch, { $and: [{ batch_id }, pairScope(currentUser(res))] });
    if (!row) throw notFound('fee check batch', batch_id);
    res.json((await batchViews(em, [row]))[0]);
  });

  // Staff freeze their province's open batches of the month now (the batches' timers do it on the day).
  router.post('/fee-check-batches/freeze', requireRole('staff', 'supervisor'), async (req, res) => {
    const { month } = FeeCheckFreezeBody.parse(req.body);
    res.json(await freezeFeeCheckBatches(deps, currentUser(res), month));
  });

  return router;
}
