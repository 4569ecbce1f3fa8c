// Which policy version applies to a stay: the one whose scope matches and which is in force on the
// discharge date. Works on plain arrays so db/, activities and tests can share it.
import { fail, issue, ok, type Result } from './errors';
import type { HospLv, Insutype, MedType, PsnType } from './policy';

/** The fields selection reads; both Policy and PolicyDoc have them. */
export interface Selectable {
  readonly policy_id: string;
  readonly version: number;
  readonly scope: {
    readonly admvs: string;
    readonly insutype: Insutype;
    readonly med_type: MedType;
    readonly hosp_lv: readonly HospLv[];
    readonly psn_type: readonly PsnType[];
  };
  readonly effective_from: string;
  readonly effective_to: string | null;
}

export interface PolicyKey {
  readonly admvs: string;
  readonly insutype: Insutype;
  readonly hosp_lv: HospLv;
  readonly med_type: MedType;
  readonly psn_type: PsnType;
  /** The discharge date, YYYY-MM-DD. */
  readonly on: string;
}

function inForce(p: Selectable, on: string): boolean {
  return p.effective_from <= on && (p.effective_to === null || on <= p.effective_to);
}

function matches(p: Selectable, k: PolicyKey): boolean {
  const s = p.scope;
  return (
    s.admvs === k.admvs &&
    s.insutype === k.insutype &&
    s.med_type === k.med_type &&
    s.hosp_lv.includes(k.hosp_lv) &&
    s.psn_type.includes(k.psn_type)
  );
}

/**
 * The single version in force. Two versions in force for the same key are a data error, refused
 * rather than guessed (a later effective_from does not silently win).
 */
export function selectPolicyVersion<P extends Selectable>(versions: readonly P[], key: PolicyKey): Result<P> {
  const found = versions.filter((p) => matches(p, key) && inForce(p, key.on));
  const what = `${key.admvs}/${key.insutype}/med_type ${key.med_type}/level ${key.hosp_lv}/${key.psn_type} on ${key.on}`;
  if (found.length === 0)
    return fail([issue('policy', 'no_policy', `no policy version in force for ${what}`)]);
  if (found.length > 1) {
    const ids = found.map((p) => `${p.policy_id} v${p.version}`).join(', ');
    return fail([
      issue('policy', 'ambiguous_policy', `${found.length} versions in force for ${what}: ${ids}`),
    ]);
  }
  return ok(found[0]!);
}

/** Every pair of versions that would both apply to some stay: the integrator checks this before saving. */
export function findOverlaps<P extends Selectable>(versions: readonly P[]): Array<[P, P]> {
  const out: Array<[P, P]> = [];
  for (let i = 0; i < versions.length; i++) {
    for (let j = i + 1; j < versions.length; j++) {
      const a = versions[i]!;
      const b = versions[j]!;
      const sa = a.scope;
      const sb = b.scope;
      const sameKey =
        sa.admvs === sb.admvs &&
        sa.insutype === sb.insutype &&
        sa.med_type === sb.med_type &&
        sa.hosp_lv.some((l) => sb.hosp_lv.includes(l)) &&
        sa.psn_type.some((t) => sb.psn_type.includes(t));
      const aEnd = a.effective_to ?? '9999-12-31';
      const bEnd = b.effective_to ?? '9999-12-31';
      if (sameKey && a.effective_from <= bEnd && b.effective_from <= aEnd) out.push([a, b]);
    }
  }
  return out;
}
