import { EntitySchema, PrimaryKeyProp } from '@mikro-orm/core';

/** 统筹区: a pooling region, keyed by its 6-digit administrative division code (e.g. 340100 合肥). */
export class Admdvs {
  [PrimaryKeyProp]?: 'admdvs';
  admdvs!: string;
  admdvs_name!: string;
  /** The province the region belongs to (e.g. 340000); staff scope and clearing are per province. */
  prov_admdvs!: string;
}

export const AdmdvsSchema = new EntitySchema<Admdvs>({
  class: Admdvs,
  tableName: 'admdvs',
  properties: {
    admdvs: { type: 'string', length: 6, primary: true },
    admdvs_name: { type: 'string', length: 64 },
    prov_admdvs: { type: 'string', length: 6, index: true },
  },
});

/** The province code of any division code: its first two digits, then zeros. */
export function provinceOf(admdvs: string): string {
  return `${admdvs.slice(0, 2)}0000`;
}
