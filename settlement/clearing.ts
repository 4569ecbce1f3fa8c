// Monthly clearing 清算 (先预付后清算): the treatment province's fund has paid its hospitals; the
// insured province owes it what its funds and personal accounts paid. Settlements count in their
// month, reversals (2305) count negatively in theirs. Directed amounts are netted per province pair.
import { fail, issue, ok, type Result, type ValidationError } from './errors';
import type { Fen } from './money';

export interface ClearingItem {
  readonly setl_id: string;
  readonly kind: 'settle' | 'reverse';
  /** The month the settlement or reversal was made, YYYY-MM. */
  readonly clr_month: string;
  readonly insuplc_admdvs: string;
  readonly mdtrtarea_admvs: string;
  readonly medfee_sumamt: Fen;
  readonly fund_pay_sumamt: Fen;
  readonly acct_pay: Fen;
}

/** Amounts in fen that may be negative (a month with more reversals than settlements). */
export type SignedFen = number;

export interface PairFlow {
  /** Insured province (payer) and treatment province (payee), 2-digit code + '0000'. */
  readonly insured_prov: string;
  readonly treatment_prov: string;
  readonly settlements: number;
  readonly reversals: number;
  readonly medfee_sumamt: SignedFen;
  readonly fund_pay_sumamt: SignedFen;
  readonly acct_pay: SignedFen;
  /** fund_pay_sumamt + acct_pay: what the insured province owes for this month. */
  readonly owed: SignedFen;
}

export interface NetTransfer {
  readonly payer_prov: string;
  readonly payee_prov: string;
  /** Positive: after netting both directions of the pair. */
  readonly amount: Fen;
}

export interface ProvincePosition {
  readonly prov: string;
  readonly receivable: SignedFen;
  readonly payable: SignedFen;
  /** receivable − payable; the positions of all provinces sum to zero. */
  readonly net: SignedFen;
}

export interface ClearingStatement {
  readonly clr_month: string;
  readonly flows: readonly PairFlow[];
  readonly transfers: readonly NetTransfer[];
  readonly positions: readonly ProvincePosition[];
  /** Σ (fund + account) of the month's settlements minus its reversals; equals Σ flows.owed. */
  readonly total_owed: SignedFen;
  /** Items that are not cross-province (same province both sides), left out and listed. */
  readonly excluded: readonly string[];
}

export function provinceOf(admvs: string): string {
  return `${admvs.slice(0, 2)}0000`;
}

const MONTH = /^[0-9]{4}-(0[1-9]|1[0-2])$/;
const ADMVS = /^[0-9]{6}$/;

/** The clearing statement of one month. Refuses malformed or duplicate items rather than skipping them. */
export function clearMonth(items: readonly ClearingItem[], clr_month: string): Result<ClearingStatement> {
  const errors: ValidationError[] = [];
  if (!MONTH.test(clr_month)) errors.push(issue('clr_month', 'format', 'must be YYYY-MM'));
  const seen = new Set<string>();
  const flows = new Map<string, { -readonly [K in keyof PairFlow]: PairFlow[K] }>();
  const excluded: string[] = [];
  let total = 0;
  items.forEach((it, i) => {
    const p = `items[${i}]`;
    const key = `${it.kind}:${it.setl_id}`;
    if (seen.has(key))
      errors.push(issue(`${p}.setl_id`, 'inconsistent', `${it.kind} of ${it.setl_id} listed twice`));
    seen.add(key);
    if (!ADMVS.test(it.insuplc_admdvs))
      errors.push(issue(`${p}.insuplc_admdvs`, 'format', 'not a 6-digit code'));
    if (!ADMVS.test(it.mdtrtarea_admvs))
      errors.push(issue(`${p}.mdtrtarea_admvs`, 'format', 'not a 6-digit code'));
    if (it.clr_month !== clr_month) return;
    const from = provinceOf(it.insuplc_admdvs);
    const to = provinceOf(it.mdtrtarea_admvs);
    if (from === to) {
      excluded.push(it.setl_id);
      return;
    }
    const sign = it.kind === 'settle' ? 1 : -1;
    const k = `${from}>${to}`;
    let f = flows.get(k);
    if (f === undefined) {
      f = {
        insured_prov: from,
        treatment_prov: to,
        settlements: 0,
        reversals: 0,
        medfee_sumamt: 0,
        fund_pay_sumamt: 0,
        acct_pay: 0,
        owed: 0,
      };
      flows.set(k, f);
    }
    if (sign === 1) f.settlements++;
    else f.reversals++;
    f.medfee_sumamt += sign * it.medfee_sumamt;
    f.fund_pay_sumamt += sign * it.fund_pay_sumamt;
    f.acct_pay += sign * it.acct_pay;
    const owed = sign * (it.fund_pay_sumamt + it.acct_pay);
    f.owed += owed;
    total += owed;
  });
  if (errors.length > 0) return fail(errors);

  const sorted = [...flows.values()].sort((a, b) =>
    a.insured_prov === b.insured_prov
      ? a.treatment_prov.localeCompare(b.treatment_prov)
      : a.insured_prov.localeCompare(b.insured_prov),
  );
  // Net each unordered pair: a negative directed amount (reversals) simply flows the other way.
  const pairNet = new Map<string, number>();
  for (const f of sorted) {
    const [a, b] =
      f.insured_prov < f.treatment_prov
        ? [f.insured_prov, f.treatment_prov]
        : [f.treatment_prov, f.insured_prov];
    const signed = f.insured_prov === a ? f.owed : -f.owed; // positive: a pays b
    pairNet.set(`${a}|${b}`, (pairNet.get(`${a}|${b}`) ?? 0) + signed);
  }
  const transfers: NetTransfer[] = [];
  for (const [k, v] of [...pairNet.entries()].sort(([x], [y]) => x.localeCompare(y))) {
    const [a, b] = k.split('|') as [string, string];
    if (v > 0) transfers.push({ payer_prov: a, payee_prov: b, amount: v as Fen });
    else if (v < 0) transfers.push({ payer_prov: b, payee_prov: a, amount: -v as Fen });
  }
  const pos = new Map<string, { receivable: number; payable: number }>();
  const at = (prov: string) => {
    let p = pos.get(prov);
    if (p === undefined) {
      p = { receivable: 0, payable: 0 };
      pos.set(prov, p);
    }
    return p;
  };
  for (const t of transfers) {
    at(t.payee_prov).receivable += t.amount;
    at(t.payer_prov).payable += t.amount;
  }
  const positions = [...pos.entries()]
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([prov, p]) => ({
      prov,
      receivable: p.receivable,
      payable: p.payable,
      net: p.receivable - p.payable,
    }));
  return ok({ clr_month, flows: sorted, transfers, positions, total_owed: total, excluded });
}

/** The clearing line of a settlement or of its reversal (identifiers come from the caller's records). */
export function clearingItem(
  s: {
    readonly setlinfo: { readonly medfee_sumamt: Fen; readonly fund_pay_sumamt: Fen; readonly acct_pay: Fen };
  },
  ids: Pick<ClearingItem, 'setl_id' | 'kind' | 'clr_month' | 'insuplc_admdvs' | 'mdtrtarea_admvs'>,
): ClearingItem {
  const { medfee_sumamt, fund_pay_sumamt, acct_pay } = s.setlinfo;
  return { ...ids, medfee_sumamt, fund_pay_sumamt, acct_pay };
}
