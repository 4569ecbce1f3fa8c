// Demo (and test) settlements of a past month, written as rows: the clearing screens need a month that
// has ended, which the live stays (settled today) cannot give. Each row is a complete, balanced
// settlement (medfee = fund + acct + cash, 医疗救助 inside the funds) with its ledger entries.
import type { Knex } from '@mikro-orm/knex';
import { cstMonthRange } from '../settlement/clearing-statement';

export interface DemoSettlement {
  setl_id: string;
  insuplc_admdvs: string;
  mdtrtarea_admvs: string;
  fixmedins_code: string;
  psn_no: string;
  insutype: string;
  /** Fen: what the funds other than 医疗救助 paid, 医疗救助, the personal account, the person's cash. */
  hifp_pay: number;
  maf_pay: number;
  acct_pay: number;
  psn_cash_pay: number;
  /** Days into the month (CST) it settled. */
  day: number;
  /** A reversal (2305) of the settlement named, made on `day`. */
  reverses?: string;
}

const FUND_PAY_TYPE = { hifp: '310100', maf: '610100', acct: '310200' } as const;

/** The settlement (or its reversal: amounts negated) as its row, and its ledger entries. */
export function settlementRows(d: DemoSettlement, clr_month: string, original?: DemoSettlement) {
  const src = d.reverses ? (original as DemoSettlement) : d;
  const sign = d.reverses ? -1 : 1;
  const at = new Date(cstMonthRange(clr_month).from.getTime() + (d.day - 1) * 86_400_000 + 10 * 3_600_000);
  const fund = src.hifp_pay + src.maf_pay;
  const medfee = fund + src.acct_pay + src.psn_cash_pay;
  const n = (v: number) => sign * v;
  const row = {
    setl_id: d.setl_id,
    request_key: `demo-${d.setl_id}`,
    mdtrt_id: src.setl_id.replace(/[SR].*$/, ''),
    psn_no: src.psn_no,
    insuplc_admdvs: src.insuplc_admdvs,
    mdtrtarea_admvs: src.mdtrtarea_admvs,
    fixmedins_code: src.fixmedins_code,
    kind: d.reverses ? 'REVERSAL' : 'SETTLEMENT',
    reverses: d.reverses ?? null,
    reversed_by: null,
    insutype: src.insutype,
    psn_type: '11',
    filing_type: 'retired_resettled',
    medfee_sumamt: n(medfee),
    fulamt_ownpay_amt: 0,
    overlmt_selfpay: 0,
    preselfpay_amt: 0,
    inscp_scp_amt: n(medfee),
    act_pay_dedc: 0,
    hifp_pay: n(src.hifp_pay),
    pool_prop_selfpay: 0,
    cvlserv_pay: 0,
    hifes_pay: 0,
    hifmi_pay: 0,
    hifob_pay: 0,
    maf_pay: n(src.maf_pay),
    oth_pay: 0,
    fund_pay_sumamt: n(fund),
    psn_part_amt: n(src.acct_pay + src.psn_cash_pay),
    acct_pay: n(src.acct_pay),
    psn_cash_pay: n(src.psn_cash_pay),
    hosp_part_amt: 0,
    balc: 0,
    policy_id: 'demo-clearing',
    policy_version: 1,
    policy_name: '清算演示',
    policy_source: 'demo',
    clr_optins: src.insuplc_admdvs,
    clr_way: '1',
    clr_type: '21',
    acc_year: at.getUTCFullYear(),
    accumulators_before: JSON.stringify({}),
    accumulators_after: JSON.stringify({}),
    setl_time: at,
    created_at: at,
  };
  const lines: [string, string | null, string, number][] = [
    ['treatment_place_receivable', null, src.mdtrtarea_admvs, medfee],
    ['insured_fund_payable', FUND_PAY_TYPE.hifp, src.insuplc_admdvs, -src.hifp_pay],
    ['insured_fund_payable', FUND_PAY_TYPE.maf, src.insuplc_admdvs, -src.maf_pay],
    ['personal_account', FUND_PAY_TYPE.acct, src.insuplc_admdvs, -src.acct_pay],
    ['personal_cash', null, src.insuplc_admdvs, -src.psn_cash_pay],
  ];
  const ledger = lines
    .filter(([, , , amount]) => amount !== 0)
    .map(([account, fund_pay_type, admdvs, amount], i) => {
      const a = sign * amount;
      return {
        setl_id: d.setl_id,
        seq: i + 1,
        mdtrt_id: row.mdtrt_id,
        account,
        fund_pay_type,
        admdvs,
        debit: a > 0 ? a : 0,
        credit: a < 0 ? -a : 0,
        posted_at: at,
      };
    });
  return { row, ledger };
}

/** Writes the settlements (each once: `setl_id` is the key) and marks the reversed ones. */
export async function insertSettlements(
  knex: Knex,
  clr_month: string,
  list: readonly DemoSettlement[],
  earlier: readonly DemoSettlement[] = [],
): Promise<void> {
  const byId = new Map([...earlier, ...list].map((d) => [d.setl_id, d]));
  await knex.transaction(async (trx) => {
    for (const d of list) {
      const { row, ledger } = settlementRows(d, clr_month, d.reverses ? byId.get(d.reverses) : undefined);
      const ins = await trx('settlement').insert(row).onConflict('setl_id').ignore().returning('setl_id');
      if (ins.length === 0) continue;
      await trx('ledger_entry').insert(ledger);
      if (d.reverses)
        await trx('settlement').where({ setl_id: d.reverses }).update({ reversed_by: d.setl_id });
    }
  });
}

/**
 * [U] The demo month: 安徽 and 海南 insured treated in 成都 and 上海, employees (310) and residents
 * (390, with 医疗救助), one reversal; 四川 insured treated in 海南 for the netting.
 */
export const DEMO_CLEARING_SETTLEMENTS: readonly DemoSettlement[] = [
  {
    setl_id: 'DMC0001S01',
    insuplc_admdvs: '340100',
    mdtrtarea_admvs: '510100',
    fixmedins_code: 'H51010000001',
    psn_no: 'P34010000000001',
    insutype: '310',
    hifp_pay: 2_860_000,
    maf_pay: 0,
    acct_pay: 120_000,
    psn_cash_pay: 640_000,
    day: 3,
  },
  {
    setl_id: 'DMC0002S01',
    insuplc_admdvs: '340100',
    mdtrtarea_admvs: '510100',
    fixmedins_code: 'H51010000002',
    psn_no: 'P34010000000002',
    insutype: '390',
    hifp_pay: 1_450_000,
    maf_pay: 230_000,
    acct_pay: 0,
    psn_cash_pay: 410_000,
    day: 9,
  },
  {
    setl_id: 'DMC0003S01',
    insuplc_admdvs: '460000',
    mdtrtarea_admvs: '510100',
    fixmedins_code: 'H51010000001',
    psn_no: 'P46000000000001',
    insutype: '390',
    hifp_pay: 1_900_000,
    maf_pay: 300_000,
    acct_pay: 0,
    psn_cash_pay: 2_700_000,
    day: 12,
  },
  {
    setl_id: 'DMC0004S01',
    insuplc_admdvs: '460000',
    mdtrtarea_admvs: '510100',
    fixmedins_code: 'H51010000003',
    psn_no: 'P46000000000001',
    insutype: '310',
    hifp_pay: 980_000,
    maf_pay: 0,
    acct_pay: 45_000,
    psn_cash_pay: 230_000,
    day: 15,
  },
  {
    setl_id: 'DMC0005S01',
    insuplc_admdvs: '340100',
    mdtrtarea_admvs: '310000',
    fixmedins_code: 'H31000000001',
    psn_no: 'P34010000000001',
    insutype: '310',
    hifp_pay: 4_120_000,
    maf_pay: 0,
    acct_pay: 200_000,
    psn_cash_pay: 880_000,
    day: 18,
  },
  {
    setl_id: 'DMC0006S01',
    insuplc_admdvs: '460000',
    mdtrtarea_admvs: '510100',
    fixmedins_code: 'H51010000002',
    psn_no: 'P46000000000001',
    insutype: '390',
    hifp_pay: 620_000,
    maf_pay: 90_000,
    acct_pay: 0,
    psn_cash_pay: 150_000,
    day: 20,
  },
  {
    setl_id: 'DMC0006R01',
    reverses: 'DMC0006S01',
    insuplc_admdvs: '460000',
    mdtrtarea_admvs: '510100',
    fixmedins_code: 'H51010000002',
    psn_no: 'P46000000000001',
    insutype: '390',
    hifp_pay: 0,
    maf_pay: 0,
    acct_pay: 0,
    psn_cash_pay: 0,
    day: 21,
  },
  {
    setl_id: 'DMC0007S01',
    insuplc_admdvs: '510100',
    mdtrtarea_admvs: '460000',
    fixmedins_code: 'H46000000001',
    psn_no: 'P51010000000001',
    insutype: '310',
    hifp_pay: 760_000,
    maf_pay: 0,
    acct_pay: 30_000,
    psn_cash_pay: 210_000,
    day: 24,
  },
];

/** `demo:reset`: the demo month's clearing and settlements removed, and the advances back to their seed. */
export async function removeClearingDemo(
  knex: Knex,
  clr_month: string,
  seedFunds: readonly object[],
): Promise<void> {
  const ids = DEMO_CLEARING_SETTLEMENTS.map((d) => d.setl_id);
  await knex.transaction(async (trx) => {
    for (const t of [
      'clearing_line',
      'clearing_confirmation',
      'clearing_dispute',
      'clearing_transfer',
      'clearing_statement',
    ])
      await trx(t).where({ clr_month }).delete();
    await trx('clearing_run').where({ clr_month }).delete();
    await trx('human_task').where('case_id', 'like', `clearing-${clr_month}-%`).delete();
    await trx('advance_fund_event').where({ clr_month }).delete();
    await trx('ledger_entry').whereIn('setl_id', ids).delete();
    await trx('settlement').whereIn('setl_id', ids).delete();
    for (const f of seedFunds) await trx('advance_fund').insert(f).onConflict('pair_id').merge();
  });
}
