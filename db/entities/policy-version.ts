import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Admdvs } from './admdvs';

/**
 * One version of an insured place's benefit policy (参保地政策), stored as the settlement core's
 * policy document (`params`, validated by the core before it is stored). The scope and dates are
 * also columns, so the versions of one region load with one indexed query; the core picks the one
 * in force (`selectPolicyVersion`).
 */
export const PolicyVersion = defineEntity({
  name: 'PolicyVersion',
  tableName: 'policy_version',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    policy_id: p.string().length(64),
    version: p.integer(),
    admdvs: () => p.manyToOne(Admdvs).ref().fieldName('admdvs'),
    insutype: p.string().length(3),
    med_type: p.string().length(4),
    /** Hospital levels (1/2/3) and person types (in_service/retired) the version applies to. */
    hosp_lv: p.array(),
    psn_type: p.array(),
    begndate: p.date(),
    enddate: p.date().nullable(),
    params: p.json<Record<string, unknown>>(),
    /** Where the numbers come from (document number or address, with the brief's [S]/[3P]/[U] marks). */
    src: p.text(),
  }),
  uniques: [{ properties: ['policy_id', 'version'] }],
  indexes: [{ properties: ['admdvs', 'insutype', 'med_type'] }],
});
export type PolicyVersion = InferEntity<typeof PolicyVersion>;
