import type { EntityManager } from '@mikro-orm/postgresql';
import {
  describeErrors,
  findOverlaps,
  type Policy,
  type PolicyDoc,
  type PolicyKey,
  policyToDoc,
  selectPolicyVersion,
  validatePolicy,
} from '../settlement';
import { PolicyVersion } from './entities';

/** A policy document the settlement core refused, or one that would overlap a stored version. */
export class PolicyRejectedError extends Error {
  override readonly name = 'PolicyRejectedError';
}

/**
 * Stores one policy version after the core has validated it, refusing one that would apply to the
 * same stays as a stored version (the core would later refuse to guess between them).
 */
export async function savePolicyVersion(em: EntityManager, doc: unknown): Promise<PolicyVersion> {
  const checked = validatePolicy(doc);
  if (!checked.ok) throw new PolicyRejectedError(`policy refused: ${describeErrors(checked.errors)}`);
  const policy = checked.value;
  // (policy_id, version) is unique across regions: say so instead of surfacing the driver's violation.
  if ((await em.count(PolicyVersion, { policy_id: policy.policy_id, version: policy.version })) > 0) {
    throw new PolicyRejectedError(
      `policy refused: ${policy.policy_id} v${policy.version} is already stored (a change is a new version)`,
    );
  }
  await refuseOverlap(em, policy, 'policy refused');
  const row = em.create(PolicyVersion, toRow(policy));
  await em.persistAndFlush(row);
  return row;
}

/**
 * Ends a stored version on `effective_to` (inclusive), so a successor can take over from the next day.
 * Stays discharged up to that day keep settling under it.
 */
export async function closePolicyVersion(
  em: EntityManager,
  ref: { policy_id: string; version: number },
  effective_to: string,
): Promise<void> {
  const row = await em.findOneOrFail(PolicyVersion, { policy_id: ref.policy_id, version: ref.version });
  const checked = validatePolicy({ ...(row.params as object), effective_to });
  if (!checked.ok)
    throw new PolicyRejectedError(
      `cannot close ${ref.policy_id} v${ref.version}: ${describeErrors(checked.errors)}`,
    );
  // Moving the end later could reach into a successor's dates: checked like a new version.
  await refuseOverlap(em, checked.value, `cannot close ${ref.policy_id} v${ref.version}`);
  Object.assign(row, toRow(checked.value));
  await em.flush();
}

/** Refuses `policy` when it would apply to the same stays as another stored version (itself excluded). */
async function refuseOverlap(em: EntityManager, policy: Policy, what: string): Promise<void> {
  const stored = await loadDocs(em, policy.scope.admvs, policy.scope.insutype, policy.scope.med_type);
  // Only the same (policy_id, version) is a re-save; any other version must not overlap it in scope and dates.
  const others = stored.filter((d) => d.policy_id !== policy.policy_id || d.version !== policy.version);
  const clash = findOverlaps([...others, policyToDoc(policy)]);
  if (clash.length > 0) {
    const [a, b] = clash[0]!;
    throw new PolicyRejectedError(
      `${what}: ${a.policy_id} v${a.version} and ${b.policy_id} v${b.version} overlap`,
    );
  }
}

/** The validated policy in force for a stay (insured place, insurance and treatment type, level, person, date). */
export async function loadPolicy(em: EntityManager, key: PolicyKey): Promise<Policy> {
  const docs = await loadDocs(em, key.admvs, key.insutype, key.med_type);
  const selected = selectPolicyVersion(docs, key);
  if (!selected.ok) throw new PolicyRejectedError(describeErrors(selected.errors));
  const checked = validatePolicy(selected.value);
  // Stored documents were validated on the way in; failing here means the table was edited by hand.
  if (!checked.ok)
    throw new PolicyRejectedError(
      `stored policy ${selected.value.policy_id} is invalid: ${describeErrors(checked.errors)}`,
    );
  return checked.value;
}

async function loadDocs(
  em: EntityManager,
  admdvs: string,
  insutype: string,
  med_type: string,
): Promise<PolicyDoc[]> {
  const rows = await em.find(PolicyVersion, { admdvs, insutype, med_type }, { orderBy: { begndate: 'asc' } });
  return rows.map((r) => r.params as unknown as PolicyDoc);
}

/** The row for a validated policy; shared by the seed, which inserts where missing. */
export function toRow(policy: Policy) {
  const doc = policyToDoc(policy);
  return {
    policy_id: policy.policy_id,
    version: policy.version,
    admdvs: policy.scope.admvs,
    insutype: policy.scope.insutype,
    med_type: policy.scope.med_type,
    hosp_lv: [...policy.scope.hosp_lv],
    psn_type: [...policy.scope.psn_type],
    begndate: policy.effective_from,
    enddate: policy.effective_to,
    params: doc as unknown as Record<string, unknown>,
    src: policy.source,
  };
}
