import type { Knex } from '@mikro-orm/knex';
import type { LedgerEntry } from '../db/entities';
import type { Insutype } from '../settlement';
import { poolFundPayType } from '../settlement/fund-pay-type';

/**
 * The insured place's fund paying the person (待遇补差, 手工报销): a balanced pair keyed like a
 * settlement — the person's cash is owed the amount (debit), the insured fund pays it (credit). The
 * unique (setl_id, seq) makes the payment exactly once, whatever retried it: true when this call
 * wrote it, false when an earlier one had.
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
  },
): Promise<boolean> {
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
  return inserted.length > 0;
}
