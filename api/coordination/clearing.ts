import { randomUUID } from 'node:crypto';
import type { Knex } from '@mikro-orm/knex';
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { type Request, type Response, Router } from 'express';
import {
  type AdvanceFundView,
  type ClearingStatementView,
  clearingWorkflowId,
  cstDate,
  HAND_RAISED_FROM,
  LABELS,
  type Side,
  type TicketStart,
  ticketId,
  WORKFLOW_TYPES,
} from '../../cases';
import {
  CLEARING_REFUSALS,
  type ClearingAction,
  type ClearingActionRequest,
  type ClearingInput,
  clearingActionUpdate,
} from '../../cases/clearing';
import { readAdvanceFunds, requestTopUp } from '../../db/advance-funds';
import { readStatements } from '../../db/clearing';
import { type Fen, formatYuan } from '../../settlement';
import { cstMonth, cstMonthRange } from '../../settlement/clearing-statement';
import { requireRole } from '../auth/middleware';
import type { AuthUser } from '../auth/tokens';
import { problemFromTemporal } from '../cases/temporal-errors';
import { type CaseDeps, currentUser } from '../context';
import { XLSX_CONTENT_TYPE, type XlsxCell, xlsx } from '../export/xlsx';
import { idempotencyKey } from '../idempotency';
import { cnDatesIn, HttpProblem, RETRY_AFTER_SECONDS } from '../problem';
import { PROBLEM_CODES } from '../problem-codes';
import {
  AdvanceFundTopUpRequest,
  ClearingDisputeRequest,
  ClearingQuery,
  ClearingRunRequest,
  ClearingSupplementRequest,
  ClearingTicketRequest,
  ClearingTransferRequest,
  clrMonth,
} from '../schemas/clearing';
import { maskName } from '../scope';

const readers = requireRole('coordinator', 'staff', 'supervisor');
/** A side acts through its coordinators, and through its supervisors once the confirmation was escalated. */
const sides = requireRole('coordinator', 'supervisor');
const agency = requireRole('staff', 'supervisor');

const REFUSAL_TITLES: Record<string, string> = {
  CLEARING_MONTH_DONE: '该月已清算',
  CLEARING_NOT_FOUND: '未找到清算单',
  CLEARING_WRONG_SIDE: '不是该操作的一方',
  CLEARING_CLOSED: '清算单已结束',
  CLEARING_NOT_ALLOWED: '清算单当前状态不允许此操作',
  CLEARING_OPPOSITE_CLOSED: '反方向清算单已结束',
};
const ACTION_NAMES: Record<ClearingAction, string> = {
  confirm: '确认',
  dispute: '提出异议',
  transfer: '登记拨付',
  reclear: '重新清算',
  recheck: '重新对账',
  supplement: '登记补拨',
  ticket: '发起对账问题协同',
};
const CLEARING_CODES = new Set<string>(Object.values(CLEARING_REFUSALS));

/** The provinces whose statements the user sees: their own (every role here belongs to one). */
function provsOf(user: AuthUser): string[] {
  return user.prov_admdvs ? [user.prov_admdvs] : [];
}

function viewerSide(
  user: AuthUser,
  st: Pick<ClearingStatementView, 'insured_prov' | 'treatment_prov'>,
): Side | null {
  if (user.prov_admdvs === st.insured_prov) return 'insured';
  if (user.prov_admdvs === st.treatment_prov) return 'treatment';
  return null;
}

/**
 * The fee checks and tickets a dispute names must be the pair's: a fee check of the pair on a
 * settlement of the month (or held or recovered in it), a ticket between the pair's two provinces.
 */
async function checkDisputeLinks(
  knex: Knex,
  st: ClearingStatementView,
  body: { fee_check_ids?: string[]; ticket_ids?: string[] },
): Promise<void> {
  const { from, to } = cstMonthRange(st.clr_month);
  const checkIds = [...new Set(body.fee_check_ids ?? [])];
  const ticketIds = [...new Set(body.ticket_ids ?? [])];
  const checks =
    checkIds.length === 0
      ? []
      : await knex('fee_check as c')
          .join('settlement as s', 's.setl_id', 'c.setl_id')
          .whereIn('c.check_id', checkIds)
          .where({ 'c.insured_prov': st.insured_prov, 'c.treatment_prov': st.treatment_prov })
          .andWhere((w) =>
            w
              .where((m) => m.where('s.setl_time', '>=', from).andWhere('s.setl_time', '<', to))
              // What the re-clear would take (clearingHolds): a check on an earlier settlement whose
              // hold or recovery is in no clearing yet, or in this month's.
              .orWhere((e) =>
                e.where('s.setl_time', '<', to).andWhere((h) =>
                  h
                    .where('c.held_in', st.clr_month)
                    .orWhere('c.recovered_in', st.clr_month)
                    .orWhere((n) => n.whereNull('c.held_in').whereNull('c.recovered_in'))
                    .orWhere((n) => n.where('c.status', 'CONFIRMED').whereNull('c.recovered_in')),
                ),
              ),
          )
          .pluck('c.check_id');
  const tickets =
    ticketIds.length === 0
      ? []
      : await knex('ticket')
          .whereIn('ticket_id', ticketIds)
          .where({ insured_prov: st.insured_prov, treatment_prov: st.treatment_prov })
          .pluck('ticket_id');
  const badChecks = checkIds.filter((id) => !checks.includes(id));
  const badTickets = ticketIds.filter((id) => !tickets.includes(id));
  if (badChecks.length === 0 && badTickets.length === 0) return;
  const parts = [
    badChecks.length > 0 ? `费用协查 ${badChecks.join('、')} 不存在或不属于该清算单的省份对和月份` : '',
    badTickets.length > 0 ? `问题协同单 ${badTickets.join('、')} 不存在或不属于该清算单的省份对` : '',
  ].filter(Boolean);
  throw new HttpProblem(
    422,
    'CLEARING_DISPUTE_LINK_INVALID',
    '异议关联的协查或问题单无效',
    parts.join('；'),
    {
      fee_check_ids: badChecks,
      ticket_ids: badTickets,
    },
  );
}

function closedCheck(st: ClearingStatementView): void {
  if (st.status === 'TRANSFERRED' || st.status === 'RECONCILED')
    throw new HttpProblem(
      409,
      'CLEARING_CLOSED',
      '清算单已结束',
      `该清算单${LABELS.clearing_status[st.status]}，不能再操作`,
    );
}

const notFound = (clr_month: string, pair_id: string) =>
  new HttpProblem(
    404,
    'CLEARING_NOT_FOUND',
    '未找到清算单',
    `没有 ${clr_month} ${pair_id} 的清算单，或您无权查看`,
  );

function monthParam(req: Request): string {
  const m = clrMonth.safeParse(req.params.clr_month);
  if (!m.success)
    throw notFound(
      'clearing statement',
      `${String(req.params.clr_month)}/${String(req.params.pair_id ?? '')}`,
    );
  return m.data;
}

async function visibleStatement(
  deps: CaseDeps,
  user: AuthUser,
  req: Request,
): Promise<ClearingStatementView> {
  const clr_month = monthParam(req);
  const pair_id = String(req.params.pair_id);
  const [st] = await readStatements(deps.orm.em.getKnex(), { clr_month, pair_id, provs: provsOf(user) });
  if (!st) throw notFound('clearing statement', `${clr_month}/${pair_id}`);
  return st;
}

/** The statement's settlements and reversals, for the drill-down and the export. */
async function statementSettlements(deps: CaseDeps, st: ClearingStatementView) {
  const { from, to } = cstMonthRange(st.clr_month);
  const rows = await deps.orm.em
    .getKnex()('settlement as s')
    .leftJoin('stay as st', 'st.mdtrt_id', 's.mdtrt_id')
    .leftJoin('hospital as h', 'h.fixmedins_code', 's.fixmedins_code')
    .leftJoin('insured_person as p', 'p.psn_no', 's.psn_no')
    .leftJoin('fee_check as fc', 'fc.setl_id', 's.setl_id')
    .select(
      's.setl_id',
      'fc.check_id',
      's.mdtrt_id',
      's.insutype',
      's.fixmedins_code',
      's.kind',
      's.reversed_by',
      's.setl_time',
      's.medfee_sumamt',
      's.fund_pay_sumamt',
      's.acct_pay',
      's.maf_pay',
      deps.orm.em
        .getKnex()
        .raw('coalesce(st.fixmedins_name, h.fixmedins_name, s.fixmedins_code) as fixmedins_name'),
      deps.orm.em.getKnex().raw("coalesce(st.psn_name, p.psn_name, '') as psn_name"),
    )
    .where('s.setl_time', '>=', from)
    .andWhere('s.setl_time', '<', to)
    .andWhereRaw('left(s.insuplc_admdvs, 2) = ?', [st.insured_prov.slice(0, 2)])
    .andWhereRaw('left(s.mdtrtarea_admvs, 2) = ?', [st.treatment_prov.slice(0, 2)])
    .orderBy([{ column: 's.setl_time' }, { column: 's.setl_id' }]);
  return rows.map((r) => ({
    setl_id: r.setl_id as string,
    mdtrt_id: r.mdtrt_id as string,
    insutype: r.insutype as string,
    fixmedins_code: r.fixmedins_code as string,
    fixmedins_name: r.fixmedins_name as string,
    psn_name: maskName(r.psn_name as string),
    setl_time: new Date(r.setl_time).toISOString(),
    medfee_sumamt: Number(r.medfee_sumamt),
    fund_pay_sumamt: Number(r.fund_pay_sumamt),
    acct_pay: Number(r.acct_pay),
    maf_pay: Number(r.maf_pay),
    reversed: r.kind === 'REVERSAL' || r.reversed_by !== null,
    // 费用协查 on this settlement, if any (its unconfirmed amounts are held back from the statement).
    fee_check_id: (r.check_id as string | null) ?? null,
  }));
}

const yuanText = (fen: number) => (fen < 0 ? `-${formatYuan(-fen as Fen)}` : formatYuan(fen as Fen));

/** The export's two tables: the statement (lines and totals) and its settlements. Amounts as `{ fen }`. */
async function exportTables(deps: CaseDeps, st: ClearingStatementView) {
  const settlements = await statementSettlements(deps, st);
  const statement: XlsxCell[][] = [
    ['清算月份', st.clr_month],
    ['参保地（付款方）', st.insured_prov],
    ['就医地（收款方）', st.treatment_prov],
    ['状态', LABELS.clearing_status[st.status]],
    [],
    ['险种', '险种名称', '资金', '结算笔数', '冲销笔数', '医疗费总额（元）', '清算金额（元）'],
    ...st.lines.map((l) => [
      l.insutype,
      LABELS.insutype[l.insutype] ?? l.insutype,
      LABELS.clearing_fund[l.fund],
      l.settlements,
      l.reversals,
      { fen: l.medfee_sumamt },
      { fen: l.amount },
    ]),
    [],
    ['应付合计（元）', { fen: st.owed }],
    ['协查暂扣（元）', { fen: st.held_back }],
    ['协查追回（元）', { fen: st.recovered }],
    ['以前月份暂扣退回（元）', { fen: st.released }],
    ['轧差后净额（元）', { fen: st.net_transfer }],
    ...(st.reconcile_problem ? [['对账不平', st.reconcile_problem]] : []),
  ];
  const detail: XlsxCell[][] = [
    [
      '结算ID',
      '就诊ID',
      '险种',
      '定点医疗机构',
      '参保人',
      '结算时间',
      '医疗费总额（元）',
      '基金支付（元）',
      '个人账户（元）',
      '医疗救助（元）',
      '冲销',
    ],
    ...settlements.map((s) => [
      s.setl_id,
      s.mdtrt_id,
      s.insutype,
      s.fixmedins_name,
      s.psn_name,
      s.setl_time,
      { fen: s.medfee_sumamt },
      { fen: s.fund_pay_sumamt },
      { fen: s.acct_pay },
      { fen: s.maf_pay },
      s.reversed ? '是' : '否',
    ]),
  ];
  return { statement, detail };
}

function csvOf(rows: XlsxCell[][]): string {
  const cell = (v: XlsxCell) => {
    const s = v === null || v === undefined ? '' : typeof v === 'object' ? yuanText(v.fen) : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((r) => r.map(cell).join(',')).join('\r\n');
}

/** A clearing workflow's refusal as its own code; other Temporal failures as the shared mapping. */
function clearingProblem(error: unknown, what: string): HttpProblem {
  if (
    error instanceof WorkflowUpdateFailedError &&
    error.cause instanceof ApplicationFailure &&
    CLEARING_CODES.has(error.cause.type ?? '')
  ) {
    const code = error.cause.type as keyof typeof REFUSAL_TITLES & keyof typeof PROBLEM_CODES;
    return new HttpProblem(
      PROBLEM_CODES[code].status,
      code,
      REFUSAL_TITLES[code] ?? '操作未被受理',
      cnDatesIn(error.cause.message),
    );
  }
  if (error instanceof WorkflowNotFoundError)
    return new HttpProblem(409, 'CLEARING_CLOSED', '清算已结束', `该月清算已办结，不能再${what}`);
  return problemFromTemporal(error, what);
}

/** `/clearing…` and `/advance-funds…`: a record is visible only to the two provinces of its pair (else 404). */
export function clearingRouter(deps: CaseDeps): Router {
  const router = Router();

  router.get('/clearing', readers, async (req, res) => {
    const q = ClearingQuery.parse(req.query);
    const user = currentUser(res);
    res.json(await readStatements(deps.orm.em.getKnex(), { clr_month: q.clr_month, provs: provsOf(user) }));
  });

  // Run a month now (the Schedule does it on the 1st): once per month, by Temporal's id and the run's key.
  router.post('/clearing', agency, async (req, res) => {
    const { clr_month } = ClearingRunRequest.parse(req.body);
    const user = currentUser(res);
    if (clr_month >= cstMonth(Date.now()))
      throw new HttpProblem(
        409,
        'CLEARING_MONTH_OPEN',
        '该月尚未结束',
        `${clr_month} 尚未结束，月末之后才能清算`,
      );
    const done = (detail: string) => new HttpProblem(409, 'CLEARING_MONTH_DONE', '该月已清算', detail);
    const run = await deps.orm.em.getKnex()('clearing_run').where({ clr_month }).first();
    if (run)
      throw done(`${clr_month} 已于 ${cnDatesIn(new Date(run.created_at).toISOString())} 清算，不能再次清算`);
    const workflowId = clearingWorkflowId(clr_month);
    try {
      await deps.temporal.workflow.start(WORKFLOW_TYPES.clearing, {
        workflowId,
        taskQueue: deps.taskQueue,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        args: [{ clr_month, requested_by: user.username } satisfies ClearingInput],
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError)
        throw done(`${clr_month} 正在清算或已清算，不能再次清算`);
      deps.log(`clearing ${workflowId} not started: ${String(error)}`);
      throw new HttpProblem(
        503,
        'WORKFLOW_UNAVAILABLE',
        '工作流服务暂时不可用',
        '清算未启动，请稍后重试',
        {},
        RETRY_AFTER_SECONDS,
      );
    }
    const location = `/api/v1/clearing?clr_month=${clr_month}`;
    res.status(202).location(location).json({ clr_month, workflow_id: workflowId, location });
  });

  router.get('/clearing/:clr_month/:pair_id', readers, async (req, res) => {
    res.json(await visibleStatement(deps, currentUser(res), req));
  });

  router.get('/clearing/:clr_month/:pair_id/settlements', readers, async (req, res) => {
    const st = await visibleStatement(deps, currentUser(res), req);
    res.json(await statementSettlements(deps, st));
  });

  router.get('/clearing/:clr_month/:pair_id/export.csv', readers, async (req, res) => {
    const st = await visibleStatement(deps, currentUser(res), req);
    const { statement, detail } = await exportTables(deps, st);
    const name = `clearing-${st.clr_month}-${st.pair_id}.csv`;
    res
      .type('text/csv; charset=utf-8')
      .attachment(name)
      // The BOM makes Excel read the Chinese as UTF-8.
      .send(`\ufeff${csvOf([...statement, [], ['结算明细'], ...detail])}\r\n`);
  });

  router.get('/clearing/:clr_month/:pair_id/export.xlsx', readers, async (req, res) => {
    const st = await visibleStatement(deps, currentUser(res), req);
    const { statement, detail } = await exportTables(deps, st);
    res
      .type(XLSX_CONTENT_TYPE)
      .attachment(`clearing-${st.clr_month}-${st.pair_id}.xlsx`)
      .send(
        xlsx([
          { name: '清算单', rows: statement, widths: [18, 22, 12, 10, 10, 18, 18] },
          { name: '结算明细', rows: detail, widths: [22, 20, 8, 26, 10, 26, 16, 16, 16, 16, 6] },
        ]),
      );
  });

  async function act(
    req: Request,
    res: Response,
    action: ClearingAction,
    extra: Partial<ClearingActionRequest>,
  ) {
    const user = currentUser(res);
    const st = await visibleStatement(deps, user, req);
    const reconciling = action === 'recheck' || action === 'supplement' || action === 'ticket';
    // A flagged reconciliation is worked on a TRANSFERRED statement; everything else ends there.
    if (!reconciling) closedCheck(st);
    const side = action === 'reclear' ? null : viewerSide(user, st);
    const action_id = `${action}-${st.clr_month}-${st.pair_id}-${idempotencyKey(req) ?? randomUUID()}`;
    const request: ClearingActionRequest = {
      action_id,
      pair_id: st.pair_id,
      action,
      side,
      prov_admdvs: user.prov_admdvs ?? '',
      user: user.username,
      ...extra,
    };
    try {
      await deps.temporal.workflow
        .getHandle(clearingWorkflowId(st.clr_month))
        .executeUpdate(clearingActionUpdate, { updateId: action_id, args: [request] });
    } catch (error) {
      throw clearingProblem(error, ACTION_NAMES[action]);
    }
    res.json(await visibleStatement(deps, user, req));
  }

  router.post('/clearing/:clr_month/:pair_id/confirm', sides, (req, res) => act(req, res, 'confirm', {}));
  router.post('/clearing/:clr_month/:pair_id/dispute', sides, async (req, res) => {
    const body = ClearingDisputeRequest.parse(req.body);
    const st = await visibleStatement(deps, currentUser(res), req);
    // A closed statement answers 409 whatever the dispute names.
    closedCheck(st);
    await checkDisputeLinks(deps.orm.em.getKnex(), st, body);
    return act(req, res, 'dispute', body);
  });
  router.post('/clearing/:clr_month/:pair_id/transfer', sides, (req, res) => {
    const body = ClearingTransferRequest.parse(req.body);
    return act(req, res, 'transfer', body);
  });
  // 对账不平: the insured side re-checks after correcting the data, or records a 补拨/退回 and re-checks.
  router.post('/clearing/:clr_month/:pair_id/recheck', sides, (req, res) => act(req, res, 'recheck', {}));
  router.post('/clearing/:clr_month/:pair_id/supplement', sides, (req, res) => {
    const body = ClearingSupplementRequest.parse(req.body);
    return act(req, res, 'supplement', body);
  });
  // A reconciliation_mismatch 问题协同 for one settlement of the pair, started by the month's run.
  router.post('/clearing/:clr_month/:pair_id/ticket', sides, async (req, res) => {
    const body = ClearingTicketRequest.parse(req.body);
    const user = currentUser(res);
    const st = await visibleStatement(deps, user, req);
    const knex = deps.orm.em.getKnex();
    const key = idempotencyKey(req);
    // A resend of a ticket already raised: the statement as it stands.
    if (
      key &&
      (await knex('clearing_reconcile_action')
        .where({ action_id: `ticket-${st.clr_month}-${st.pair_id}-${key}` })
        .first())
    )
      return res.json(await visibleStatement(deps, user, req));
    const setl = (await statementSettlements(deps, st)).find((s) => s.setl_id === body.setl_id);
    const stay = setl && (await knex('stay').where({ mdtrt_id: setl.mdtrt_id }).first());
    if (!setl || !stay)
      throw new HttpProblem(
        422,
        'CLEARING_TICKET_SETTLEMENT_INVALID',
        '结算不属于该清算单',
        `结算 ${body.setl_id} 不在 ${st.clr_month} ${st.pair_id} 的清算单中，或没有对应的住院`,
      );
    const open = await knex('ticket').where({ mdtrt_id: stay.mdtrt_id, status: 'OPEN' }).first();
    if (open)
      throw new HttpProblem(
        409,
        'TICKET_ALREADY_OPEN',
        '该住院已有办理中的问题协同',
        `请在问题协同 ${open.ticket_id} 中继续处理`,
        { ticket_id: open.ticket_id },
      );
    // Rounds from HAND_RAISED_FROM on are the hand-raised ones (as api/coordination/tickets.ts numbers them).
    const last = await knex('ticket')
      .where({ mdtrt_id: stay.mdtrt_id })
      .andWhere('round', '>=', HAND_RAISED_FROM)
      .max({ round: 'round' })
      .first();
    const ticket: TicketStart = {
      ticket_id: ticketId(stay.mdtrt_id, Math.max(Number(last?.round ?? 0) + 1, HAND_RAISED_FROM)),
      mdtrt_id: stay.mdtrt_id,
      category: 'reconciliation_mismatch',
      description:
        body.description ?? `清算 ${st.clr_month} ${st.pair_id} 对账不平：${st.reconcile_problem ?? ''}`,
      insuplc_admdvs: stay.insuplc_admdvs,
      mdtrtarea_admvs: stay.mdtrtarea_admvs,
      fixmedins_code: stay.fixmedins_code,
      psn_no: stay.psn_no,
      raised_by: { role: 'coordinator', user: user.username, side: viewerSide(user, st) },
      raised_at: new Date().toISOString(),
    };
    return act(req, res, 'ticket', { ticket });
  });
  router.post('/clearing/:clr_month/:pair_id/reclear', agency, (req, res) => act(req, res, 'reclear', {}));

  router.get('/advance-funds', readers, async (_req, res) => {
    res.json(await readAdvanceFunds(deps.orm.em.getKnex(), provsOf(currentUser(res))));
  });

  // 紧急调增: the treatment side asks for more; a resend with the same Idempotency-Key is one request,
  // and without one the same user's same amount for the pair on the same day (CST) is too.
  router.post('/advance-funds/:pair_id/top-up', sides, async (req, res) => {
    const { amount } = AdvanceFundTopUpRequest.parse(req.body);
    const user = currentUser(res);
    const pair_id = String(req.params.pair_id);
    const knex = deps.orm.em.getKnex();
    const funds = await readAdvanceFunds(knex, provsOf(user));
    const fund = funds.find((f: AdvanceFundView) => `${f.insured_prov}-${f.treatment_prov}` === pair_id);
    if (!fund)
      throw new HttpProblem(
        404,
        'ADVANCE_FUND_NOT_FOUND',
        '未找到预付金',
        `没有 ${pair_id} 的预付金，或您无权查看`,
      );
    if (user.prov_admdvs !== fund.treatment_prov)
      throw new HttpProblem(403, 'ADVANCE_FUND_WRONG_SIDE', '不是就医地', '紧急调增由就医地申请');
    const key = idempotencyKey(req);
    const at = new Date();
    await requestTopUp(knex, {
      pair_id,
      amount,
      requested_by: user.username,
      request_key: key ? `${user.id}:${key}` : `${user.id}:${pair_id}:${amount}:${cstDate(at.getTime())}`,
      at,
    });
    const [view] = (await readAdvanceFunds(knex, provsOf(user))).filter(
      (f) => `${f.insured_prov}-${f.treatment_prov}` === pair_id,
    );
    res.status(201).json(view);
  });

  return router;
}
