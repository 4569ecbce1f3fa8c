import { reactive } from 'vue';
import { api } from './api/client';
import type { FilingCategory, TaskKindRule, Vocabulary } from './api/types';

export type { TaskKindRule } from './api/types';

/**
 * The case vocabulary and its Chinese labels, as the server serves them (`GET /api/v1/vocabulary`,
 * from `cases/labels.ts`): never copied into the web app. `main.ts` loads it once before the app is
 * mounted, so no page ever renders a raw code while it loads.
 */

type Table = Record<string, string>;

// Filled in place once loaded (reactive, so a page shows the labels as soon as they are there).
export const categoryLabel = reactive<Table>({});
/** Every case's and task's statuses in one table (a filing's wording where another case uses the same code). */
export const statusLabel = reactive<Table>({});
export const decisionLabel = reactive<Table>({});
export const roleLabel = reactive<Table>({});
export const eventLabel = reactive<Table>({});
export const reflFilTypeLabel = reactive<Table>({});
export const taskKindLabel = reactive<Table>({});
export const LONG_TERM = reactive<FilingCategory[]>([]);
export const taskKinds = reactive<Record<string, TaskKindRule>>({});
/** Every table as served, for a page that needs one not listed above (e.g. `servedLabels.case_type`). */
export const servedLabels = reactive<Record<string, Table>>({});

/** A code's label; the code itself when the vocabulary has none (a newer server). */
export const label = (table: Table, value: string | null | undefined): string =>
  value ? (table[value] ?? value) : '';

function apply(v: Vocabulary): void {
  const { labels } = v;
  // The category select lists the categories in the vocabulary's order.
  for (const c of v.filing_categories) categoryLabel[c] = labels.category[c] ?? c;
  Object.assign(
    statusLabel,
    labels.stay_status,
    labels.compensation_status,
    labels.referral_status,
    labels.task_status,
    labels.filing_status,
  );
  Object.assign(servedLabels, labels);
  Object.assign(decisionLabel, labels.decision);
  Object.assign(roleLabel, labels.role);
  Object.assign(eventLabel, labels.event);
  Object.assign(reflFilTypeLabel, labels.refl_fil_type);
  Object.assign(taskKindLabel, labels.task_kind);
  LONG_TERM.splice(0, LONG_TERM.length, ...v.long_term_categories);
  Object.assign(taskKinds, v.task_kinds);
}

let loading: Promise<void> | null = null;

/** Loads the vocabulary once per tab; a failed load is tried again on the next call. */
export function loadVocabulary(): Promise<void> {
  loading ??= api.vocabulary().then(apply, (error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}

/** Until the vocabulary is loaded, a review offers what a referral review takes. */
const REFERRAL_REVIEW: TaskKindRule = {
  decisions: ['approve', 'reject', 'more_info'],
  reason_required: ['reject', 'more_info'],
};

export function kindRule(kind: string | undefined): TaskKindRule {
  return (kind && taskKinds[kind]) || REFERRAL_REVIEW;
}

/** A code's Chinese label from the served vocabulary; '' while it loads (a page shows no raw code), the code itself when unknown. */
export function vocab(group: string, code: string | null | undefined): string {
  if (!code) return '';
  const labels = servedLabels[group];
  if (!labels) return '';
  return labels[code] ?? code;
}
