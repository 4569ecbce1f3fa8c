import path from 'node:path';
import { loadHistories, replayHistories } from '../support/histories';
import { bundleCaseWorkflows } from '../support/temporal';

/**
 * 清算 histories recorded from earlier code (a month confirmed, transferred and reconciled on one pair,
 * disputed and re-cleared on another, escalated; a second run of the month refused) must replay on
 * the current workflow code, or running months would break. Re-record on purpose only:
 * `YIDI_RECORD_HISTORIES=1 npx jest test/clearing/workflow.test.ts`.
 */
test('recorded clearing histories replay on the current workflow code', async () => {
  const histories = await loadHistories(path.join(__dirname, '..', 'cases', 'histories', 'clearing'));
  expect(histories.length).toBeGreaterThanOrEqual(2);
  const types = new Set(
    histories.map((h) => h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name),
  );
  expect(types).toEqual(new Set(['clearingWorkflow']));
  const { failures, replayed } = await replayHistories(await bundleCaseWorkflows(), histories);
  expect(failures).toEqual([]);
  expect(replayed).toBe(histories.length);
}, 120_000);
