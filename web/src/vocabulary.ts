import { ref } from 'vue';
import { api } from './api/client';
import type { Decision } from './api/types';

/** Per task kind, the decisions it takes and which need a reason: the server's rules (`GET /api/v1/vocabulary`). */
export interface TaskKindRule {
  decisions: Decision[];
  reason_required: Decision[];
}

/** Until the vocabulary is loaded, a review offers what a referral review takes. */
const REFERRAL_REVIEW: TaskKindRule = {
  decisions: ['approve', 'reject', 'more_info'],
  reason_required: ['reject', 'more_info'],
};

export const taskKinds = ref<Record<string, TaskKindRule>>({});
/** The Chinese labels per code list (`cases/labels.ts` LABELS), e.g. `stay_status`, `compensation_status`. */
export const vocabularyLabels = ref<Record<string, Record<string, string>>>({});
let loading: Promise<void> | null = null;

/** Loaded once per tab. */
export function loadVocabulary(): Promise<void> {
  loading ??= api.vocabulary().then(
    ({ task_kinds, labels }) => {
      taskKinds.value = task_kinds;
      vocabularyLabels.value = labels ?? {};
    },
    (error) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

export function kindRule(kind: string | undefined): TaskKindRule {
  return (kind && taskKinds.value[kind]) || REFERRAL_REVIEW;
}

/** A code's Chinese label from the served vocabulary; '' while it loads (a page shows no raw code), the code itself when unknown. */
export function vocab(group: string, code: string | null | undefined): string {
  if (!code) return '';
  const labels = vocabularyLabels.value[group];
  if (!labels) return '';
  return labels[code] ?? code;
}
