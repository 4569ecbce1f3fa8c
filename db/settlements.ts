import type { Knex } from '@mikro-orm/knex';
import type { SettlementResult } from '../cases';
import { type Fen, SETLINFO_FIELDS, type SetlDetail, type Setlinfo } from '../settlement';

/** The setlinfo fields (the core's list), one bigint column each in `settlement`. */
export { SETLINFO_FIELDS };

/** A settlement row's setlinfo, in fen. */
export const setlinfoOf = (row: Record<string, unknown>): Setlinfo =>
  Object.fromEntries(SETLINFO_FIELDS.map((k) => [k, Number(row[k])])) as unknown as Setlinfo;

export async function setlDetailOf(knex: Knex | Knex.Transaction, setl_id: string): Promise<SetlDetail[]> {
  const rows = await knex('setl_detail').where({ setl_id }).orderBy('seq');
  return rows.map((d) => ({
    step: d.step,
    fund_pay_type: d.fund_pay_type,
    rule: d.rule,
    amount: Number(d.amount) as Fen,
    inscp_scp_amt: Number(d.inscp_scp_amt) as Fen,
    crt_payb_lmt_amt: d.crt_payb_lmt_amt === null ? null : (Number(d.crt_payb_lmt_amt) as Fen),
    fund_payamt: Number(d.fund_payamt) as Fen,
    setl_proc_info: d.setl_proc_info,
  }));
}

/** A stored settlement as 2304 answered it. */
export async function readSettlement(
  knex: Knex | Knex.Transaction,
  row: Record<string, unknown>,
): Promise<SettlementResult> {
  return {
    setl_id: row.setl_id as string,
    mdtrt_id: row.mdtrt_id as string,
    psn_no: row.psn_no as string,
    setl_time: new Date(row.setl_time as string).toISOString(),
    insutype: row.insutype as string,
    psn_type: row.psn_type as string,
    setlinfo: setlinfoOf(row),
    setldetail: await setlDetailOf(knex, row.setl_id as string),
    policy: {
      policy_id: row.policy_id as string,
      version: row.policy_version as number,
      name: row.policy_name as string,
      source: row.policy_source as string,
    },
    clr_optins: row.clr_optins as string,
    clr_way: row.clr_way as string,
    clr_type: row.clr_type as string,
  };
}
