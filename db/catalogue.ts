import type { EntityManager } from '@mikro-orm/postgresql';
import {
  type Catalogue,
  describeErrors,
  type Fen,
  formatYuan,
  parseYuan,
  validateCatalogue,
} from '../settlement';
import { DEMO_CATALOGUES } from '../settlement/fixtures/catalogues';
import { FIXTURE_NAMES } from './catalogue-data';
import type { CatalogueItem, CatalogueRule } from './entities';

/** A row of loadCatalogue's statement (bigint comes back as text). */
interface CatalogueRow {
  rule_admvs: string | null;
  unlisted: CatalogueRule['unlisted'] | null;
  over_limit: CatalogueRule['over_limit'] | null;
  med_list_codg: string | null;
  list_name: string;
  chrgitm_lv: CatalogueItem['chrgitm_lv'];
  selfpay_prop: string | null;
  pric_uplmt_amt: string | number | null;
}

export interface LoadedCatalogue {
  catalogue: Catalogue;
  /** Item names by code, for the explanation of benefits. */
  names: ReadonlyMap<string, string>;
  /** The place's rule for a line priced above its limit (catalogue_rule.over_limit). */
  over_limit: 'self_pay' | 'refuse';
}

/**
 * The catalogue of a place in force on a date (CST `YYYY-MM-DD`), validated by the settlement core on
 * its way out as on its way in. A place with no rule row treats unlisted codes as 丙 (全自费).
 * With `codes`, only those entries: the core looks entries up by code, so a stay's own codes classify
 * it exactly as the whole list would, without reading and validating a few hundred rows per call.
 */
export async function loadCatalogue(
  em: EntityManager,
  admvs: string,
  on: string,
  codes?: readonly string[],
): Promise<LoadedCatalogue> {
  // The items and the place's rule in one statement (this runs for every fee upload and settlement):
  // one row with null item columns when no item is in force, no rule columns when the place has none.
  const wanted = codes ? [...new Set(codes)] : undefined;
  const found: CatalogueRow[] = await em.execute(
    `select r.admvs as rule_admvs, r.unlisted, r.over_limit,
            i.med_list_codg, i.list_name, i.chrgitm_lv, i.selfpay_prop, i.pric_uplmt_amt
       from (select 1) as one
       left join catalogue_rule as r on r.admvs = ?
       left join catalogue_item as i on i.admvs = ? and i.begndate <= ? and (i.enddate is null or i.enddate >= ?)
            ${wanted === undefined ? '' : wanted.length === 0 ? 'and false' : 'and i.med_list_codg in (?)'}
      order by i.med_list_codg asc`,
    [admvs, admvs, on, on, ...(wanted?.length ? [wanted] : [])],
  );
  const rule = found[0]?.rule_admvs != null ? found[0] : undefined;
  const rows = found
    .filter((r): r is CatalogueRow & { med_list_codg: string } => r.med_list_codg !== null)
    .map((r) => ({ ...r, pric_uplmt_amt: r.pric_uplmt_amt === null ? null : Number(r.pric_uplmt_amt) }));
  const doc = {
    admvs,
    unlisted: rule?.unlisted ?? 'self_pay',
    entries: rows.map((r) => ({
      med_list_codg: r.med_list_codg,
      chrgitm_lv: r.chrgitm_lv,
      ...(r.selfpay_prop !== null ? { selfpay_prop: r.selfpay_prop } : {}),
      ...(r.pric_uplmt_amt !== null ? { pric_uplmt_amt: formatYuan(r.pric_uplmt_amt as Fen) } : {}),
    })),
  };
  const checked = validateCatalogue(doc);
  if (!checked.ok) throw new Error(`catalogue ${admvs} is invalid: ${describeErrors(checked.errors)}`);
  return {
    catalogue: checked.value,
    names: new Map(rows.map((r) => [r.med_list_codg, r.list_name])),
    over_limit: rule?.over_limit ?? 'self_pay',
  };
}

/** The settlement core's fixture catalogues (成都, 海口) as rows: the codes its tests use stay valid. */
export function fixtureCatalogueRows(): {
  items: Omit<CatalogueItem, 'id'>[];
  rules: CatalogueRule[];
} {
  const items = DEMO_CATALOGUES.flatMap((c) =>
    c.entries.map((e) => ({
      admvs: c.admvs,
      med_list_codg: e.med_list_codg,
      list_name: FIXTURE_NAMES[e.med_list_codg] ?? e.med_list_codg,
      list_type: e.med_list_codg.startsWith('DRG')
        ? '101'
        : e.med_list_codg.startsWith('MAT')
          ? '301'
          : '201',
      chrgitm_lv: e.chrgitm_lv,
      selfpay_prop: e.selfpay_prop ?? null,
      pric_uplmt_amt: e.pric_uplmt_amt !== undefined ? fixtureFen(e.pric_uplmt_amt) : null,
      begndate: '2020-01-01',
      enddate: null,
      src: '[U] settlement/fixtures/catalogues.ts',
    })),
  );
  return {
    items,
    rules: DEMO_CATALOGUES.map((c) => ({ admvs: c.admvs, unlisted: c.unlisted, over_limit: 'self_pay' })),
  };
}

function fixtureFen(yuan: string): number {
  const fen = parseYuan(yuan, 'pric_uplmt_amt');
  if (typeof fen !== 'number') throw new Error(`fixture price ${yuan}: ${fen.message}`);
  return fen;
}
