// The treatment place's catalogue (就医地目录) and the fee lines it classifies.
import { fail, ok, type Result } from './errors';
import type { Fen } from './money';
import { NIL, type Ratio } from './ratio';
import { join, Reader } from './read';

/** 01 甲 (all in scope), 02 乙 (a 先行自付 share first), 03 丙 (all self-paid). */
export type ChrgitmLv = '01' | '02' | '03';
export const CHRGITM_LVS: readonly ChrgitmLv[] = ['01', '02', '03'];

export interface CatalogueEntry {
  readonly med_list_codg: string;
  readonly chrgitm_lv: ChrgitmLv;
  /** 先行自付比例 of a 乙 item; zero for 甲 and 丙. */
  readonly selfpay_prop: Ratio;
  /** Price limit per unit (限价), or null when the item has none. */
  readonly pric_uplmt_amt: Fen | null;
}

export interface Catalogue {
  /** The treatment place whose catalogue this is. */
  readonly admvs: string;
  readonly entries: ReadonlyMap<string, CatalogueEntry>;
  /**
   * A code missing from the catalogue: 'self_pay' treats it as 丙 (brief §4), 'reject' refuses the
   * stay (the "catalogue code not mapped" error). [U] which one a province uses is a parameter.
   */
  readonly unlisted: 'self_pay' | 'reject';
}

/** A fee line as uploaded (2301 feedetail), amounts parsed. */
export interface FeeLine {
  readonly feedetl_sn: string;
  readonly med_list_codg: string;
  readonly det_item_fee_sumamt: Fen;
  /** Quantity in ten-thousandths (cnt "1.5" → 15000), for the price-limit check. */
  readonly cnt_e4: number;
}

/** A fee line already classified by the treatment place (the vector format, or a 2301 response). */
export interface ClassifiedLine {
  readonly feedetl_sn: string;
  readonly det_item_fee_sumamt: Fen;
  readonly chrgitm_lv: ChrgitmLv;
  readonly selfpay_prop: Ratio;
  /** The part of the line above the price limit. */
  readonly overlmt_amt: Fen;
}

const CNT = /^(0|[1-9][0-9]{0,8})(?:\.([0-9]{1,4}))?$/;

export function catalogue(
  admvs: string,
  entries: readonly CatalogueEntry[],
  unlisted: Catalogue['unlisted'],
): Catalogue {
  return { admvs, unlisted, entries: new Map(entries.map((e) => [e.med_list_codg, e])) };
}

/** Validates a catalogue document: { admvs, unlisted, entries: [{ med_list_codg, chrgitm_lv, selfpay_prop?, pric_uplmt_amt? }] }. */
export function validateCatalogue(input: unknown): Result<Catalogue> {
  const r = new Reader();
  const o = r.object(input, '', ['admvs', 'unlisted', 'entries']);
  if (o === null) return fail(r.errors);
  const admvs = r.string(o.admvs, 'admvs', /^[0-9]{6}$/, 'a 6-digit admvs code');
  const unlisted = r.oneOf(o.unlisted, 'unlisted', ['self_pay', 'reject'] as const);
  const entries: CatalogueEntry[] = [];
  const seen = new Set<string>();
  r.array(o.entries, 'entries').forEach((item, i) => {
    const p = join('entries', i);
    const e = r.object(item, p, ['med_list_codg', 'chrgitm_lv'], ['selfpay_prop', 'pric_uplmt_amt']);
    if (e === null) return;
    const code = r.string(e.med_list_codg, join(p, 'med_list_codg'));
    if (seen.has(code)) r.fail(join(p, 'med_list_codg'), 'inconsistent', `"${code}" is listed twice`);
    seen.add(code);
    const lv = r.oneOf(e.chrgitm_lv, join(p, 'chrgitm_lv'), CHRGITM_LVS);
    let prop = NIL;
    if (lv === '02') prop = r.ratio(e.selfpay_prop, join(p, 'selfpay_prop'));
    else if (e.selfpay_prop !== undefined)
      r.fail(join(p, 'selfpay_prop'), 'inconsistent', 'only 乙 (02) items have one');
    const limit = e.pric_uplmt_amt === undefined ? null : r.yuan(e.pric_uplmt_amt, join(p, 'pric_uplmt_amt'));
    entries.push({ med_list_codg: code, chrgitm_lv: lv, selfpay_prop: prop, pric_uplmt_amt: limit });
  });
  return r.errors.length > 0 ? fail(r.errors) : ok(catalogue(admvs, entries, unlisted));
}

/** Validates uploaded fee lines: [{ feedetl_sn, med_list_codg, det_item_fee_sumamt: "yuan", cnt: "1.5" }]. */
export function parseFeeDetail(input: unknown, path = 'feedetail'): Result<FeeLine[]> {
  const r = new Reader();
  const lines: FeeLine[] = [];
  const seen = new Set<string>();
  r.array(input, path, 1).forEach((item, i) => {
    const p = join(path, i);
    const o = r.object(item, p, ['feedetl_sn', 'med_list_codg', 'det_item_fee_sumamt', 'cnt']);
    if (o === null) return;
    const sn = r.string(o.feedetl_sn, join(p, 'feedetl_sn'));
    if (seen.has(sn)) r.fail(join(p, 'feedetl_sn'), 'inconsistent', `duplicate feedetl_sn "${sn}"`);
    seen.add(sn);
    let cnt = 0;
    const m = typeof o.cnt === 'string' ? CNT.exec(o.cnt) : null;
    if (m === null) r.fail(join(p, 'cnt'), 'format', 'must be a quantity string with at most four decimals');
    else cnt = Number(m[1]) * 10_000 + Number((m[2] ?? '').padEnd(4, '0'));
    lines.push({
      feedetl_sn: sn,
      med_list_codg: r.string(o.med_list_codg, join(p, 'med_list_codg')),
      det_item_fee_sumamt: r.yuan(o.det_item_fee_sumamt, join(p, 'det_item_fee_sumamt')),
      cnt_e4: cnt,
    });
  });
  return r.errors.length > 0 ? fail(r.errors) : ok(lines);
}
