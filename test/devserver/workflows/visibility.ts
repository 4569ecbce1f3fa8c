// Memo and search attributes seen from inside a workflow, and upserted by it.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import {
  condition,
  defineSignal,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';

export const CaseStage = defineSearchAttributeKey('CaseStage', SearchAttributeType.KEYWORD);
export const upsertStage = defineSignal<[string]>('upsertStage');
export const done = defineSignal('done');

export async function tracked(): Promise<{ memo: unknown; stage: unknown }> {
  let finished = false;
  setHandler(upsertStage, (stage) => {
    upsertSearchAttributes([{ key: CaseStage, value: stage }]);
  });
  setHandler(done, () => {
    finished = true;
  });
  await condition(() => finished);
  const info = workflowInfo();
  return { memo: info.memo, stage: info.typedSearchAttributes.get(CaseStage) };
}
