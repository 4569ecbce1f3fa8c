import { defineEntity, type InferEntity } from '@mikro-orm/core';

/**
 * One item of a place's medical-insurance catalogue (医保目录: drugs, services, materials), as the
 * settlement core classifies a fee line by it: the treatment place's for direct settlement (就医地目录),
 * the insured place's for the 待遇补差 comparison. A row is valid from `begndate` to `enddate`
 * (inclusive, null = open); `db/catalogue.ts` loads the items in force on a date.
 */
export const CatalogueItem = defineEntity({
  name: 'CatalogueItem',
  tableName: 'catalogue_item',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    /** The place whose catalogue this is: a province (海南 460000) or a city (成都 510100). */
    admvs: p.string().length(6),
    /** National code (医保编码), the `med_list_codg` a HIS sends. */
    med_list_codg: p.string().length(50),
    list_name: p.string().length(200),
    /** 101 西药 / 102 中成药 / 201 医疗服务项目 / 301 医用耗材 (national list types). */
    list_type: p.string().length(3),
    chrgitm_lv: p.enum(['01', '02', '03'] as const),
    /** 先行自付比例 of a 乙 item as an exact decimal string ("0.10"); null for 甲 and 丙. */
    selfpay_prop: p.string().length(8).nullable(),
    /** Price limit per unit in fen (限价), null when none. */
    pric_uplmt_amt: p.bigint('number').nullable(),
    begndate: p.date(),
    enddate: p.date().nullable(),
    /** Where the grade and limit come from (document or [U] demo). */
    src: p.text(),
  }),
  uniques: [{ properties: ['admvs', 'med_list_codg', 'begndate'] }],
  indexes: [{ properties: ['admvs', 'begndate'] }],
});
export type CatalogueItem = InferEntity<typeof CatalogueItem>;

/**
 * How a place treats a code missing from its catalogue: `self_pay` classifies it 丙 with a reason,
 * `reject` refuses the line (the "catalogue code not mapped" error); and a line over its price limit.
 */
export const CatalogueRule = defineEntity({
  name: 'CatalogueRule',
  tableName: 'catalogue_rule',
  properties: (p) => ({
    admvs: p.string().length(6).primary(),
    unlisted: p.enum(['self_pay', 'reject'] as const),
    /**
     * A line priced above its 限价 (`pric_uplmt_amt`): `self_pay` settles the excess as 超限价自费
     * (`overlmt_amt`, the default), `refuse` refuses the settlement (PRICE_OVER_LIMIT, a ticket). [U]
     */
    over_limit: p.enum(['self_pay', 'refuse'] as const).default('self_pay'),
  }),
});
export type CatalogueRule = InferEntity<typeof CatalogueRule>;
