import { EntitySchema, PrimaryKeyProp, type Ref } from '@mikro-orm/core';
import { Admdvs } from './admdvs';

export const HOSP_LVS = ['1', '2', '3'] as const;
/** 医院等级: 一级 / 二级 / 三级; the insured place's deductible and ratio depend on it. */
export type HospLv = (typeof HOSP_LVS)[number];

export const NETWORK_STATUSES = ['networked', 'suspended', 'not_networked'] as const;
/** Whether the hospital may settle cross-province stays directly (跨省联网定点医疗机构). */
export type NetworkStatus = (typeof NETWORK_STATUSES)[number];

/** 定点医疗机构: a designated hospital, supervised by its treatment place (就医地). */
export class Hospital {
  [PrimaryKeyProp]?: 'fixmedins_code';
  fixmedins_code!: string;
  fixmedins_name!: string;
  admdvs!: Ref<Admdvs>;
  hosp_lv!: HospLv;
  network_status!: NetworkStatus;
}

export const HospitalSchema = new EntitySchema<Hospital>({
  class: Hospital,
  tableName: 'hospital',
  properties: {
    fixmedins_code: { type: 'string', length: 30, primary: true },
    fixmedins_name: { type: 'string', length: 128 },
    admdvs: { kind: 'm:1', entity: () => Admdvs, fieldName: 'admdvs', ref: true },
    hosp_lv: { enum: true, items: () => [...HOSP_LVS] },
    network_status: { enum: true, items: () => [...NETWORK_STATUSES] },
  },
});
