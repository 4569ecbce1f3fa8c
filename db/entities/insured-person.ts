import { defineEntity, type InferEntity } from '@mikro-orm/core';
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
export const InsuredPerson = defineEntity({
  name: 'InsuredPerson',
  tableName: 'insured_person',
  properties: (p) => ({
    psn_no: p.string().length(30).primary(),
    psn_name: p.string().length(64),
    /** Resident ID number (公民身份号码). */
    certno: p.string().length(18).unique(),
    gend: p.enum(['1', '2']),
    brdy: p.date(),
    insutype: p.enum([...INSUTYPES]),
    psn_type: p.enum([...PSN_TYPES]),
    insuplc_admdvs: () => p.manyToOne(Admdvs).ref().fieldName('insuplc_admdvs'),
    insu_status: p.enum([...INSU_STATUSES]),
  }),
});
export type InsuredPerson = InferEntity<typeof InsuredPerson>;
