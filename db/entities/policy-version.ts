import { EntitySchema, type Ref } from '@mikro-orm/core';
import { Admdvs } from './admdvs';

/**
 * One version of an insured place's benefit policy (参保地政策) for an insurance type and treatment
 * type, in force from `begndate` to `enddate` (inclusive; open-ended when null). `params` is the
 * settlement core's policy object, validated by the core before it is stored or used.
 */
export class PolicyVersion {
  id!: number;
  admdvs!: Ref<Admdvs>;
  insutype!: string;
  med_type!: string;
  begndate!: string;
  enddate!: string | null;
  params!: Record<string, unknown>;
  /** Where the numbers come from (document number or address), so a reader can check them. */
  src!: string;
}

export const PolicyVersionSchema = new EntitySchema<PolicyVersion>({
  class: PolicyVersion,
  tableName: 'policy_version',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    admdvs: { kind: 'm:1', entity: () => Admdvs, fieldName: 'admdvs', ref: true },
    insutype: { type: 'string', length: 3 },
    med_type: { type: 'string', length: 4 },
    begndate: { type: 'date' },
    enddate: { type: 'date', nullable: true },
    params: { type: 'json' },
    src: { type: 'text' },
  },
  uniques: [{ properties: ['admdvs', 'insutype', 'med_type', 'begndate'] }],
});
