import type { EntityManager } from '@mikro-orm/postgresql';
import {
  type CompensationParams,
  describeErrors,
  fen,
  formatYuan,
  validateCompensationParams,
} from '../settlement';
import { COMPENSATION_PARAMS } from '../settlement/fixtures/parameters';
import { CompensationParam } from './entities';

export { provinceOf } from './entities';

/** Where each province recomputes with, and its review SLA — [U] demo values beside the core's fixture. */
const DEMO_EXTRAS: Readonly<
  Record<
    string,
    { catalogue_admvs: string; review_sla_working_days: number; supervisor_sla_working_days: number }
  >
> = {
  // 安徽: the provincial capital's list stands for the province's (cities share the provincial catalogue).
  '340000': { catalogue_admvs: '340100', review_sla_working_days: 5, supervisor_sla_working_days: 3 },
  // 海南 pools at province level: one catalogue for the whole province.
  '460000': { catalogue_admvs: '460000', review_sla_working_days: 5, supervisor_sla_working_days: 3 },
};

/** The seeded rows: the core's fixture parameters, validated by the core like any parameters on their way in. */
export function compensationParamRows(): CompensationParam[] {
  return Object.entries(COMPENSATION_PARAMS).map(([prov_admdvs, doc]) => {
    const checked = validateCompensationParams(doc);
    if (!checked.ok)
      throw new Error(`待遇补差 parameters of ${prov_admdvs}: ${describeErrors(checked.errors)}`);
    const extras = DEMO_EXTRAS[prov_admdvs];
    if (!extras) throw new Error(`待遇补差 parameters of ${prov_admdvs}: no catalogue to recompute with`);
    return {
      prov_admdvs,
      enabled: checked.value.enabled,
      threshold: checked.value.threshold,
      deadline_days: checked.value.deadline_days,
      ...extras,
      src: '[U] settlement/fixtures/parameters.ts COMPENSATION_PARAMS; db/compensation.ts',
    };
  });
}

export interface LoadedCompensationParams {
  params: CompensationParams;
  catalogue_admvs: string;
  review_sla_working_days: number;
  supervisor_sla_working_days: number;
}

/** A province's parameters, validated by the core on the way out; null where it has none (no 待遇补差). */
export async function loadCompensationParams(
  em: EntityManager,
  prov_admdvs: string,
): Promise<LoadedCompensationParams | null> {
  const row = await em.findOne(CompensationParam, { prov_admdvs });
  if (!row) return null;
  const checked = validateCompensationParams({
    enabled: row.enabled,
    threshold: formatYuan(fen(row.threshold)),
    deadline_days: row.deadline_days,
  });
  if (!checked.ok)
    throw new Error(`stored 待遇补差 parameters of ${prov_admdvs}: ${describeErrors(checked.errors)}`);
  return {
    params: checked.value,
    catalogue_admvs: row.catalogue_admvs,
    review_sla_working_days: row.review_sla_working_days,
    supervisor_sla_working_days: row.supervisor_sla_working_days,
  };
}
