import { EntitySchema, type Ref } from '@mikro-orm/core';
import { Admdvs } from './admdvs';

/**
 * One version of an insured place's benefit policy (参保地政策), stored as the settlement core's
 * policy document (`params`, validated by the core before it is stored). The scope and dates are
 * also columns, so the versions of one region load with one indexed query; the core picks the one
 * in force (`selectPolicyVersion`).
 */
export class PolicyVersion {
  id!: number;
  policy_id!: string;
  version!: number;
  admdvs!: Ref<Admdvs>;
  insutype!: string;
  med_type!: string;
  /** Hospital levels (1/2/3) and person types (in_service/retired) the version applies to. */
  hosp_lv!: string[];
  psn_type!: string[];
  begndate!: string;
  enddate!: string | null;
  params!: Record<string, unknown>;
  /** Where the numbers come from (document number or address, with the brief's [S]/[3P]/[U] marks). */
  src!: string;
}

export const PolicyVersionSchema = new EntitySchema<PolicyVersion>({
  class: PolicyVersion,
  tableName: 'policy_version',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    policy_id: { type: 'string', length: 64 },
    version: { type: 'integer' },
    admdvs: { kind: 'm:1', entity: () => Admdvs, fieldName: 'admdvs', ref: true },
    insutype: { type: 'string', length: 3 },
    med_type: { type: 'string', length: 4 },
    hosp_lv: { type: 'array' },
    psn_type: { type: 'array' },
    begndate: { type: 'date' },
    enddate: { type: 'date', nullable: true },
    params: { type: 'json' },
    src: { type: 'text' },
  },
  uniques: [{ properties: ['policy_id', 'version'] }],
  indexes: [{ properties: ['admdvs', 'insutype', 'med_type'] }],
});
