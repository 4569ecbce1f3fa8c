import type { Knex } from '@mikro-orm/knex';
import type { LedgerEntry } from '../db/entities';
import { ACCUMULATOR_FIELDS, type Accumulators, type Insutype } from '../settlement';
import { poolFundPayType } from '../settlement/fund-pay-type';
import { accumulatorsUpdate, lockAccumulators } from './settlement';

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
