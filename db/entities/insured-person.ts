import { EntitySchema, PrimaryKeyProp, type Ref } from '@mikro-orm/core';
import { Admdvs } from './admdvs';

export const INSUTYPES = ['310', '320', '390'] as const;
/** 险种类型: 310 职工基本医疗保险, 320 公务员医疗补助, 390 城乡居民基本医疗保险. */
export type Insutype = (typeof INSUTYPES)[number];

export const PSN_TYPES = ['in_service', 'retired'] as const;
/** 在职 / 退休: retirees get higher ratios and lower deductibles in most places. */
export type PsnType = (typeof PSN_TYPES)[number];

export const INSU_STATUSES = ['active', 'suspended', 'terminated'] as const;
/** 参保状态: fees incurred while insurance is suspended are fully self-paid. */
export type InsuStatus = (typeof INSU_STATUSES)[number];

/** 参保人: an insured person, whose benefits follow the insured place (参保地政策). */
export class InsuredPerson {
  [PrimaryKeyProp]?: 'psn_no';
  psn_no!: string;
  psn_name!: string;
  /** Resident ID number (公民身份号码). */
  certno!: string;
  gend!: '1' | '2';
  brdy!: string;
  insutype!: Insutype;
  psn_type!: PsnType;
  insuplc_admdvs!: Ref<Admdvs>;
  insu_status!: InsuStatus;
}

export const InsuredPersonSchema = new EntitySchema<InsuredPerson>({
  class: InsuredPerson,
  tableName: 'insured_person',
  properties: {
    psn_no: { type: 'string', length: 30, primary: true },
    psn_name: { type: 'string', length: 64 },
    certno: { type: 'string', length: 18, unique: true },
    gend: { enum: true, items: () => ['1', '2'] },
    brdy: { type: 'date' },
    insutype: { enum: true, items: () => [...INSUTYPES] },
    psn_type: { enum: true, items: () => [...PSN_TYPES] },
    insuplc_admdvs: { kind: 'm:1', entity: () => Admdvs, fieldName: 'insuplc_admdvs', ref: true },
    insu_status: { enum: true, items: () => [...INSU_STATUSES] },
  },
});
