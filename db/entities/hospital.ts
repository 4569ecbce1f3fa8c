import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Admdvs } from './admdvs';

export const HOSP_LVS = ['1', '2', '3'] as const;
/** 医院等级: 一级 / 二级 / 三级; the insured place's deductible and ratio depend on it. */
export type HospLv = (typeof HOSP_LVS)[number];

export const NETWORK_STATUSES = ['networked', 'suspended', 'not_networked'] as const;
/** Whether the hospital may settle cross-province stays directly (跨省联网定点医疗机构). */
export type NetworkStatus = (typeof NETWORK_STATUSES)[number];

/** 定点医疗机构: a designated hospital, supervised by its treatment place (就医地). */
export const Hospital = defineEntity({
  name: 'Hospital',
  tableName: 'hospital',
  properties: (p) => ({
    fixmedins_code: p.string().length(30).primary(),
    fixmedins_name: p.string().length(128),
    admdvs: () => p.manyToOne(Admdvs).ref().fieldName('admdvs'),
    hosp_lv: p.enum([...HOSP_LVS]),
    network_status: p.enum([...NETWORK_STATUSES]),
  }),
});
export type Hospital = InferEntity<typeof Hospital>;
