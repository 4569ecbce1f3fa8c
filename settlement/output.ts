// The settlement as the national interface prints it: amounts as two-decimal yuan strings.
import type { Accumulators, Setlinfo, Settlement } from './calculate';
import type { SetlDetail } from './explain';
import { type Fen, formatYuan } from './money';

export type Yuan<T> = {
  readonly [K in keyof T]: T[K] extends Fen ? string : T[K] extends Fen | null ? string | null : T[K];
};

/** Every setlinfo field, in the national interface's order: for whatever lists them all (columns, outputs). */
export const SETLINFO_FIELDS = [
  'medfee_sumamt',
  'fulamt_ownpay_amt',
  'overlmt_selfpay',
  'preselfpay_amt',
  'inscp_scp_amt',
  'act_pay_dedc',
  'hifp_pay',
  'pool_prop_selfpay',
  'cvlserv_pay',
  'hifes_pay',
  'hifmi_pay',
  'hifob_pay',
  'maf_pay',
  'oth_pay',
  'fund_pay_sumamt',
  'psn_part_amt',
  'acct_pay',
  'psn_cash_pay',
  'hosp_part_amt',
  'balc',
] as const satisfies readonly (keyof Setlinfo)[];

/** A setlinfo field missing from the list above fails the type check here. */
const everyField: Exclude<keyof Setlinfo, (typeof SETLINFO_FIELDS)[number]> extends never ? true : never =
  true;
void everyField;

export type SetlinfoJson = Yuan<Setlinfo>;
export type SetlDetailJson = Yuan<SetlDetail>;
export type AccumulatorsJson = Yuan<Accumulators>;

function yuanFields<T extends object>(o: T): Yuan<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = typeof v === 'number' ? formatYuan(v as Fen) : v;
  return out as Yuan<T>;
}

export function setlinfoToJson(s: Setlinfo): SetlinfoJson {
  return yuanFields(s);
}

export function setldetailToJson(d: SetlDetail): SetlDetailJson {
  return yuanFields(d);
}

export function accumulatorsToJson(a: Accumulators): AccumulatorsJson {
  return yuanFields(a);
}

export interface SettlementJson extends SetlinfoJson {
  readonly policy_id: string;
  readonly policy_version: number;
  readonly setldetail: readonly SetlDetailJson[];
  readonly accumulators_after: AccumulatorsJson;
}

/** setlinfo fields at the top level (as settlement-io.md shows), then setldetail and the accumulators. */
export function settlementToJson(s: Settlement): SettlementJson {
  return {
    ...setlinfoToJson(s.setlinfo),
    policy_id: s.policy_id,
    policy_version: s.policy_version,
    setldetail: s.setldetail.map(setldetailToJson),
    accumulators_after: accumulatorsToJson(s.accumulators_after),
  };
}
