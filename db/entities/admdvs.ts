import { defineEntity, type InferEntity } from '@mikro-orm/core';

/** 统筹区: a pooling region, keyed by its 6-digit administrative division code (e.g. 340100 合肥). */
export const Admdvs = defineEntity({
  name: 'Admdvs',
  tableName: 'admdvs',
  properties: (p) => ({
    admdvs: p.string().length(6).primary(),
    admdvs_name: p.string().length(64),
    /** The province the region belongs to (e.g. 340000); staff scope and clearing are per province. */
    prov_admdvs: p.string().length(6).index(),
  }),
});
export type Admdvs = InferEntity<typeof Admdvs>;

/** The province code of any division code: its first two digits, then zeros. */
export function provinceOf(admdvs: string): string {
  return `${admdvs.slice(0, 2)}0000`;
}
