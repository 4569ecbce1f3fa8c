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
let loading: Promise<void> | null = null;

/** Loaded once per tab. */
export function loadVocabulary(): Promise<void> {
  loading ??= api.vocabulary().then(
    ({ task_kinds }) => {
      taskKinds.value = task_kinds;
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
