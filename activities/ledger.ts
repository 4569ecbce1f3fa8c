import type { Knex } from '@mikro-orm/knex';
import type { LedgerEntry } from '../db/entities';
import { ACCUMULATOR_FIELDS, type Accumulators, type Insutype } from '../settlement';
import { poolFundPayType } from '../settlement/fund-pay-type';
import { accumulatorsUpdate, lockAccumulators } from './accumulators';

/**
 * The insured place's fund paying the person (待遇补差, 手工报销): a balanced pair keyed like a
 * settlement — the person's cash is owed the amount (debit), the insured fund pays it (credit). The
 * unique (setl_id, seq) makes the payment exactly once, whatever retried it: true when this call
 * wrote it, false when an earlier one had.
 *
 * With `accumulators`, the person's accumulator row of that year is locked first (the lock order of a
 * settlement, so a settlement of another stay in between is not lost) and moved by `effect` — in the
 * year-to-date figures added, in `acct_balc` what the account paid taken off — only when this call
 * wrote the pair: a retry that finds it moves nothing again.
 */
export async function payFromInsuredFund(
  trx: Knex.Transaction,
  p: {
    key: string;
    mdtrt_id: string;
    insuplc_admdvs: string;
    insutype: string;
    amount: number;
    posted_at: Date;
    accumulators?: { psn_no: string; year: number; effect: Accumulators };
  },
): Promise<boolean> {
  const acc = p.accumulators;
  const current = acc ? await lockAccumulators(trx, acc.psn_no, p.insuplc_admdvs, acc.year) : null;
  const rows: Omit<LedgerEntry, 'id'>[] = [
    {
      setl_id: p.key,
      seq: 1,
      mdtrt_id: p.mdtrt_id,
      account: 'personal_cash',
      fund_pay_type: null,
      admdvs: p.insuplc_admdvs,
      debit: p.amount,
      credit: 0,
      posted_at: p.posted_at,
    },
    {
      setl_id: p.key,
      seq: 2,
      mdtrt_id: p.mdtrt_id,
      account: 'insured_fund_payable',
      fund_pay_type: poolFundPayType(p.insutype as Insutype),
      admdvs: p.insuplc_admdvs,
      debit: 0,
      credit: p.amount,
      posted_at: p.posted_at,
    },
  ];
  const inserted = await trx('ledger_entry')
    .insert(rows)
    .onConflict(['setl_id', 'seq'])
    .ignore()
    .returning('seq');
  const paid = inserted.length > 0;
  if (paid && acc && current) {
    const e = acc.effect;
    // On the row as it stands now (another stay may have settled since the review).
    const after = Object.fromEntries(
      ACCUMULATOR_FIELDS.map((k) => [k, k === 'acct_balc' ? current[k] - e[k] : current[k] + e[k]]),
    ) as unknown as Accumulators;
    await accumulatorsUpdate(trx, acc.psn_no, p.insuplc_admdvs, acc.year, after);
  }
  return paid;
}

/** The ledger key of a paid 待遇补差's recovery: `BR` + the settlement's id (as long as its `BC` key). */
export function compensationRecoveryKey(setl_id: string): string {
  return `BR${setl_id}`;
}

/**
 * The settlement `setl_id` being reversed in this transaction (its accumulator row already locked by
 * it): if its 待遇补差 was paid, the gap goes back with it — the `BC` pair reversed as a `BR` pair (the
 * unique (setl_id, seq) makes it exactly once), the accumulators moved back by what the payment moved,
 * the compensation row RECOVERED and the citizen told on the stay's timeline. Nothing when no gap was
 * paid (an open comparison is closed by the reversal's signal to its workflow).
 */
export async function recoverCompensation(
  trx: Knex.Transaction,
  p: {
    setl_id: string;
    reversed_by: string;
    psn_no: string;
    insuplc_admdvs: string;
    at: Date;
    /** For a gap paid before payments stored their effect: the comparison's, computed again. */
    effectOf: (setl_id: string) => Promise<{ acc_year: number; accumulator_effect: Accumulators }>;
  },
): Promise<{ recovered: number } | null> {
  const paid: LedgerEntry[] = await trx('ledger_entry')
    .where({ setl_id: `BC${p.setl_id}` })
    .orderBy('seq');
  if (paid.length === 0) return null;
  const c = await trx('compensation').where({ setl_id: p.setl_id }).forUpdate().first();
  const key = compensationRecoveryKey(p.setl_id);
  const inserted = await trx('ledger_entry')
    .insert(
      paid.map((e) => ({
        setl_id: key,
        seq: e.seq,
        mdtrt_id: e.mdtrt_id,
        account: e.account,
        fund_pay_type: e.fund_pay_type,
        admdvs: e.admdvs,
        debit: Number(e.credit),
        credit: Number(e.debit),
        posted_at: p.at,
      })),
    )
    .onConflict(['setl_id', 'seq'])
    .ignore()
    .returning('seq');
  if (inserted.length === 0) return null;
  const amount = paid.reduce((sum, e) => sum + Number(e.debit), 0);
  const stored =
    c?.accumulator_effect && c.acc_year !== null
      ? { acc_year: c.acc_year as number, accumulator_effect: c.accumulator_effect as Accumulators }
      : c
        ? await p.effectOf(p.setl_id)
        : null;
  if (stored) {
    const effect = stored.accumulator_effect;
    const current = await lockAccumulators(trx, p.psn_no, p.insuplc_admdvs, stored.acc_year);
    const after = Object.fromEntries(
      ACCUMULATOR_FIELDS.map((k) => [k, k === 'acct_balc' ? current[k] + effect[k] : current[k] - effect[k]]),
    ) as unknown as Accumulators;
    await accumulatorsUpdate(trx, p.psn_no, p.insuplc_admdvs, stored.acc_year, after);
  }
  if (c) {
    await trx('compensation')
      .where({ setl_id: p.setl_id })
      .update({ status: 'RECOVERED', projection_seq: c.projection_seq + 1, updated_at: p.at });
    const yuan = `${Math.floor(amount / 100).toLocaleString('en-US')}.${String(amount % 100).padStart(2, '0')}`;
    await trx('case_event')
      .insert({
        id: `${c.compensation_id}:recovered`,
        case_id: c.mdtrt_id,
        at: p.at,
        actor: 'system',
        kind: 'compensation_recovered',
        detail: JSON.stringify({
          setl_id: p.setl_id,
          reversed_by: p.reversed_by,
          gap: amount,
          reason: '结算已撤销',
          text: `结算已撤销，已支付的待遇补差 ${yuan} 元随之收回；重新结算后将另行比较是否需要补差`,
        }),
      })
      .onConflict('id')
      .ignore();
  }
  return { recovered: amount };
}
