// 清算 reads: the month's settlements as the statement counts them, and the statement views.
import type { Knex } from '@mikro-orm/knex';
import type { ClearingStatementView, Side } from '../cases';
import type { Fen } from '../settlement';
import { cstMonthRange, type StatementItem } from '../settlement/clearing-statement';

type Db = Knex | Knex.Transaction;

/**
 * The month's cross-province settlements and reversals (by their CST settlement time), with the
 * original's amounts: a reversal row carries them negated, so they are negated back here.
 */
export async function monthItems(db: Db, clr_month: string): Promise<StatementItem[]> {
  const { from, to } = cstMonthRange(clr_month);
  const rows = await db('settlement')
    .select(
      'setl_id',
      'kind',
      'insuplc_admdvs',
      'mdtrtarea_admvs',
      'insutype',
      'medfee_sumamt',
      'fund_pay_sumamt',
      'acct_pay',
      'maf_pay',
    )
    .where('setl_time', '>=', from)
    .andWhere('setl_time', '<', to)
    .andWhereRaw('left(insuplc_admdvs, 2) <> left(mdtrtarea_admvs, 2)')
    .orderBy([{ column: 'setl_time' }, { column: 'setl_id' }]);
  return rows.map((r) => {
    const sign = r.kind === 'REVERSAL' ? -1 : 1;
    const n = (v: unknown) => (sign * Number(v)) as Fen;
    return {
      setl_id: r.setl_id,
      kind: r.kind === 'REVERSAL' ? 'reverse' : 'settle',
      insuplc_admdvs: r.insuplc_admdvs,
      mdtrtarea_admvs: r.mdtrtarea_admvs,
      insutype: r.insutype,
      medfee_sumamt: n(r.medfee_sumamt),
      fund_pay_sumamt: n(r.fund_pay_sumamt),
      acct_pay: n(r.acct_pay),
      maf_pay: n(r.maf_pay),
    };
  });
}

const iso = (d: unknown): string | null => (d ? new Date(d as string).toISOString() : null);

/** The statements of a month (or of every month) a set of provinces may see (null: all). */
export async function readStatements(
  db: Db,
  q: { clr_month?: string; pair_id?: string; provs: string[] | null },
): Promise<ClearingStatementView[]> {
  const sq = db('clearing_statement').orderBy([{ column: 'clr_month', order: 'desc' }, 'pair_id']);
  if (q.clr_month) sq.where({ clr_month: q.clr_month });
  if (q.pair_id) sq.where({ pair_id: q.pair_id });
  const provs = q.provs;
  if (provs) sq.where((w) => w.whereIn('insured_prov', provs).orWhereIn('treatment_prov', provs));
  const rows = await sq;
  if (rows.length === 0) return [];
  const months = [...new Set(rows.map((r) => r.clr_month as string))];
  const ids = rows.map((r) => r.pair_id as string);
  const [lines, confirmations, disputes, transfers, reconcileActions] = await Promise.all(
    [
      'clearing_line',
      'clearing_confirmation',
      'clearing_dispute',
      'clearing_transfer',
      'clearing_reconcile_action',
    ].map((t) => db(t).whereIn('clr_month', months).whereIn('pair_id', ids).orderBy('id')),
  );
  const of = <T extends { clr_month: string; pair_id: string }>(
    list: T[],
    r: { clr_month: string; pair_id: string },
  ) => list.filter((x) => x.clr_month === r.clr_month && x.pair_id === r.pair_id);
  return rows.map((r) => {
    const tr = of(transfers ?? [], r)[0];
    return {
      clr_month: r.clr_month,
      pair_id: r.pair_id,
      insured_prov: r.insured_prov,
      treatment_prov: r.treatment_prov,
      status: r.status,
      lines: of(lines ?? [], r).map((l) => ({
        insutype: l.insutype,
        fund: l.fund,
        settlements: l.settlements,
        reversals: l.reversals,
        medfee_sumamt: Number(l.medfee_sumamt),
        amount: Number(l.amount),
      })),
      owed: Number(r.owed),
      held_back: Number(r.held_back),
      recovered: Number(r.recovered),
      released: Number(r.released),
      reconcile_problem: r.reconcile_problem ?? null,
      net_transfer: Number(r.net_transfer),
      confirmations: of(confirmations ?? [], r)
        .filter((c) => c.round === r.round)
        .map((c) => ({
          side: c.side as Side,
          by: c.confirmed_by,
          at: iso(c.confirmed_at),
          task_id: c.task_id,
        })),
      confirm_due: iso(r.confirm_due),
      disputes: of(disputes ?? [], r).map((d) => ({
        side: d.side as Side,
        reason: d.reason,
        fee_check_ids: d.fee_check_ids,
        ticket_ids: d.ticket_ids,
        at: iso(d.disputed_at) as string,
      })),
      transfer: tr
        ? {
            amount: Number(tr.amount),
            at: iso(tr.transferred_at) as string,
            by: tr.transferred_by,
            reference: tr.reference,
          }
        : null,
      // 对账不平 worked: each re-check and 补拨/退回, with what the reconciliation then said.
      reconcile_actions: of(reconcileActions ?? [], r).map((x) => ({
        action: x.action as 'recheck' | 'supplement' | 'ticket',
        amount: Number(x.amount),
        reference: x.reference ?? null,
        by: x.acted_by,
        at: iso(x.acted_at) as string,
        reconciled: Boolean(x.reconciled),
        problem: x.problem ?? null,
      })),
    };
  });
}
