// A month's clearing statements per province pair (insured → treatment), split by insurance type and by
// the fund that pays: 统筹等 ('fund'), 个人账户 ('acct') and 医疗救助 ('maf', paid from a different budget,
// so on its own line). Settlements count positively in their month, reversals (2305) negatively in
// theirs; amounts held back for fee checks not yet confirmed and recovered by confirmed 核查有误 come in
// as data. Each direction's net is netted against the opposite direction of the same two provinces.
import { provinceOf, type SignedFen } from './clearing';
import type { Fen } from './money';

/** The funds of a clearing line, in the order a statement lists them. */
export const CLEARING_FUNDS = ['fund', 'acct', 'maf'] as const;
export type ClearingFund = (typeof CLEARING_FUNDS)[number];

/** A settlement or reversal as the month's statement reads it: the original's amounts (not negated). */
export interface StatementItem {
  readonly setl_id: string;
  readonly kind: 'settle' | 'reverse';
  readonly insuplc_admdvs: string;
  readonly mdtrtarea_admvs: string;
  readonly insutype: string;
  readonly medfee_sumamt: Fen;
  /** All funds, 医疗救助 included (the core's fund_pay_sumamt). */
  readonly fund_pay_sumamt: Fen;
  readonly acct_pay: Fen;
  readonly maf_pay: Fen;
}

/** A fee check's effect on a pair's statement (from the fee-check tables, through `clearingHolds`). */
export interface ClearingHold {
  readonly setl_id: string;
  readonly held_back: Fen;
  readonly recovered: Fen;
  /** A hold of an earlier month given back now that the check is confirmed (its recovery comes with it). */
  readonly released?: Fen;
}

/** A fee check as the clearing of a month sees it: its lines, its confirmation and where it went. */
export interface HoldCheck {
  readonly setl_id: string;
  readonly confirmed: boolean;
  /** Σ the check's lines (what is held back while it is open), in fen. */
  readonly lines: Fen;
  /** Σ confirmed 核查有误 amounts, in fen. */
  readonly recovered: Fen;
  /** The clearing month its hold went into, and its recovery (null: not yet in any). */
  readonly held_in: string | null;
  readonly recovered_in: string | null;
}

/**
 * What a check does to the clearing of `clr_month` (computed or re-cleared), and where its hold and
 * recovery stand afterwards. Each goes into one month only: the first month cleared once it exists
 * (so a check confirmed after its settlement's month was cleared reaches the next month), and a
 * re-clear of that month finds it again. A hold given in an earlier month is released with the
 * recovery; a month re-cleared after its check was confirmed takes the recovery instead of the hold.
 */
export function holdEffect(
  c: HoldCheck,
  clr_month: string,
): { hold: ClearingHold | null; held_in: string | null; recovered_in: string | null } {
  let held_back = 0;
  let recovered = 0;
  let released = 0;
  let held_in = c.held_in;
  let recovered_in = c.recovered_in;
  if (c.confirmed && (recovered_in === null || recovered_in === clr_month)) {
    if (held_in === clr_month && recovered_in === null) held_in = null;
    recovered_in = clr_month;
    recovered = c.recovered;
    if (held_in !== null && held_in !== clr_month) released = c.lines;
  }
  if (held_in === clr_month || (held_in === null && recovered_in === null && !c.confirmed)) {
    held_in = clr_month;
    held_back = c.lines;
  }
  const hold =
    held_back || recovered || released
      ? {
          setl_id: c.setl_id,
          held_back: held_back as Fen,
          recovered: recovered as Fen,
          released: released as Fen,
        }
      : null;
  return { hold, held_in, recovered_in };
}

export interface StatementLine {
  readonly insutype: string;
  readonly fund: ClearingFund;
  /** Settlements and reversals that paid something from this fund. */
  readonly settlements: number;
  readonly reversals: number;
  /** Σ medfee_sumamt of those settlements minus those reversals. */
  readonly medfee_sumamt: SignedFen;
  readonly amount: SignedFen;
}

export interface PairStatement {
  readonly pair_id: string;
  readonly insured_prov: string;
  readonly treatment_prov: string;
  readonly lines: readonly StatementLine[];
  readonly settlements: number;
  readonly reversals: number;
  /** Σ lines.amount: what the insured province owes the treatment province for the month. */
  readonly owed: SignedFen;
  readonly held_back: Fen;
  readonly recovered: Fen;
  /** Holds of earlier months given back (their checks confirmed): paid with this month. */
  readonly released: Fen;
  /** owed − held_back + released − recovered. */
  readonly due: SignedFen;
  /** due − the opposite direction's due (positive: insured → treatment). */
  readonly net_transfer: SignedFen;
  /** The settlements and reversals counted, in the order given. */
  readonly setl_ids: readonly string[];
}

export function pairIdOf(insured_prov: string, treatment_prov: string): string {
  return `${insured_prov}-${treatment_prov}`;
}

/** What an item pays from each fund (the original's sign; the caller applies the reversal's). */
export function fundAmounts(it: StatementItem): Record<ClearingFund, number> {
  return { fund: it.fund_pay_sumamt - it.maf_pay, acct: it.acct_pay, maf: it.maf_pay };
}

interface MutableLine {
  insutype: string;
  fund: ClearingFund;
  settlements: number;
  reversals: number;
  medfee_sumamt: number;
  amount: number;
}

/**
 * The statements of the month's items. Items of one province on both sides are not cross-province
 * and left out. `holds` are keyed by pair id; a hold on a settlement the pair does not have still
 * counts (a fee check on an earlier month's stay is held back from this month's transfer).
 */
export function clearingStatements(
  items: readonly StatementItem[],
  holds: Readonly<Record<string, readonly ClearingHold[]>> = {},
): PairStatement[] {
  const pairs = new Map<
    string,
    {
      insured_prov: string;
      treatment_prov: string;
      lines: Map<string, MutableLine>;
      settlements: number;
      reversals: number;
      setl_ids: string[];
    }
  >();
  const pairOf = (insured_prov: string, treatment_prov: string) => {
    const id = pairIdOf(insured_prov, treatment_prov);
    let p = pairs.get(id);
    if (p === undefined) {
      p = { insured_prov, treatment_prov, lines: new Map(), settlements: 0, reversals: 0, setl_ids: [] };
      pairs.set(id, p);
    }
    return p;
  };
  for (const it of items) {
    const from = provinceOf(it.insuplc_admdvs);
    const to = provinceOf(it.mdtrtarea_admvs);
    if (from === to) continue;
    const p = pairOf(from, to);
    const sign = it.kind === 'settle' ? 1 : -1;
    if (sign === 1) p.settlements++;
    else p.reversals++;
    p.setl_ids.push(it.setl_id);
    const amounts = fundAmounts(it);
    for (const fund of CLEARING_FUNDS) {
      const amount = amounts[fund];
      if (amount === 0) continue;
      const key = `${it.insutype}|${fund}`;
      let l = p.lines.get(key);
      if (l === undefined) {
        l = { insutype: it.insutype, fund, settlements: 0, reversals: 0, medfee_sumamt: 0, amount: 0 };
        p.lines.set(key, l);
      }
      if (sign === 1) l.settlements++;
      else l.reversals++;
      l.medfee_sumamt += sign * it.medfee_sumamt;
      l.amount += sign * amount;
    }
  }
  // A pair with holds but no items this month still gets a statement (its holds change the transfer).
  for (const id of Object.keys(holds)) {
    const [a, b] = id.split('-');
    if (a && b && (holds[id]?.length ?? 0) > 0) pairOf(a, b);
  }

  const due = new Map<string, number>();
  const built = [...pairs.entries()].map(([pair_id, p]) => {
    const lines = [...p.lines.values()].sort((x, y) =>
      x.insutype === y.insutype
        ? CLEARING_FUNDS.indexOf(x.fund) - CLEARING_FUNDS.indexOf(y.fund)
        : x.insutype.localeCompare(y.insutype),
    );
    const owed = lines.reduce((s, l) => s + l.amount, 0);
    const h = holds[pair_id] ?? [];
    const held_back = h.reduce((s, x) => s + x.held_back, 0) as Fen;
    const recovered = h.reduce((s, x) => s + x.recovered, 0) as Fen;
    const released = h.reduce((s, x) => s + (x.released ?? 0), 0) as Fen;
    const d = owed - held_back + released - recovered;
    due.set(pair_id, d);
    return { pair_id, p, lines, owed, held_back, recovered, released, due: d };
  });
  return built
    .map(({ pair_id, p, lines, owed, held_back, recovered, released, due: d }) => ({
      pair_id,
      insured_prov: p.insured_prov,
      treatment_prov: p.treatment_prov,
      lines,
      settlements: p.settlements,
      reversals: p.reversals,
      owed,
      held_back,
      recovered,
      released,
      due: d,
      net_transfer: d - (due.get(pairIdOf(p.treatment_prov, p.insured_prov)) ?? 0),
      setl_ids: p.setl_ids,
    }))
    .sort((x, y) => x.pair_id.localeCompare(y.pair_id));
}

/** The month (YYYY-MM) an instant falls in at Asia/Shanghai (UTC+8 all year: China keeps no DST). */
export function cstMonth(ms: number): string {
  const d = new Date(ms + 8 * 3_600_000);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The month before the one an instant falls in, at Asia/Shanghai: what the 1st-of-month run clears. */
export function previousCstMonth(ms: number): string {
  const d = new Date(ms + 8 * 3_600_000);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth(); // 0-based: the previous month's 1-based number
  return m === 0 ? `${y - 1}-12` : `${y}-${String(m).padStart(2, '0')}`;
}

/** [start, end) of a CST month as UTC instants. */
export function cstMonthRange(clr_month: string): { from: Date; to: Date } {
  const [y, m] = clr_month.split('-').map(Number) as [number, number];
  const from = new Date(Date.UTC(y, m - 1, 1) - 8 * 3_600_000);
  const to = new Date(Date.UTC(m === 12 ? y + 1 : y, m === 12 ? 0 : m, 1) - 8 * 3_600_000);
  return { from, to };
}
