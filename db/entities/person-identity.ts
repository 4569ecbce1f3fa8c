import { defineEntity, type InferEntity } from '@mikro-orm/core';

/**
 * 人员身份 (低保对象, 特困供养人员, 离休人员 …): an insured person's special identities, each valid for a
 * period, as 1101's `idetinfo` answers them. `psn_idet_type` is the insured place's code.
 */
export const PersonIdentity = defineEntity({
  name: 'PersonIdentity',
  tableName: 'person_identity',
  properties: (p) => ({
    id: p.bigint('number').primary().autoincrement(),
    psn_no: p.string().length(30).index(),
    /** 人员身份类别. */
    psn_idet_type: p.string().length(6),
    /** 人员类别等级 ("" when the place grades none). */
    psn_type_lv: p.string().length(6),
    memo: p.string().length(200),
    begntime: p.date(),
    endtime: p.date().nullable(),
  }),
  uniques: [{ properties: ['psn_no', 'psn_idet_type', 'begntime'] }],
});
export type PersonIdentity = InferEntity<typeof PersonIdentity>;
