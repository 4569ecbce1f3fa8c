import { computed, ref } from 'vue';
import { ApiProblem } from './api/client';
import { problemText } from './labels';

/** A decision the API stored but the case refused: its reason is the case's own words. */
export function refused(problem: ApiProblem | null): boolean {
  return problem?.body.outcome === 'refused';
}

/** Chinese for a problem: the case's reason for a refused decision, else the text for its code, else the API's. */
export function problemMessage(problem: ApiProblem): string {
  if (refused(problem) && problem.detail) return problem.detail;
  return problemText[problem.code] ?? problem.detail ?? problem.title;
}

/**
 * The last failure of a form's action, shown where it happened and kept until the user acts:
 * field errors stay on their field until that field is edited, the summary until the next try.
 */
export function useProblem() {
  const problem = ref<ApiProblem | null>(null);
  const fields = ref<Record<string, string>>({});
  const message = computed(() => (problem.value ? problemMessage(problem.value) : ''));

  function set(error: unknown) {
    if (!(error instanceof ApiProblem)) throw error;
    problem.value = error;
    const byField: Record<string, string> = {};
    for (const e of error.errors)
      byField[e.path] = byField[e.path] ? `${byField[e.path]}；${e.message}` : e.message;
    fields.value = byField;
  }
  function clear() {
    problem.value = null;
    fields.value = {};
  }
  /** The error of one field (by its API path), e.g. `tel` or `referral.diag_name`. */
  function field(path: string): string {
    return fields.value[path] ?? '';
  }
  function clearField(path: string) {
    if (!fields.value[path]) return;
    const { [path]: _removed, ...rest } = fields.value;
    fields.value = rest;
  }
  /** Runs an action, recording its failure; true when it succeeded. */
  async function run(action: () => Promise<unknown>): Promise<boolean> {
    clear();
    try {
      await action();
      return true;
    } catch (error) {
      set(error);
      return false;
    }
  }
  return { problem, message, fields, field, clearField, set, clear, run };
}
