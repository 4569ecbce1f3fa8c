import path from 'node:path';
import { loadHistories, replayHistories } from '../support/histories';
import { bundleCaseWorkflows } from '../support/temporal';

/**
 * 待遇补差 histories recorded from earlier code (NOT_ELIGIBLE, paid, rejected, escalated, too late, attention retried) must
 * replay on the current workflow code, or running comparisons would break. Re-record on purpose only:
 * `YIDI_RECORD_HISTORIES=1 npx jest test/compensation/workflow.test.ts`.
 */
test('recorded compensation histories replay on the current workflow code', async () => {
  const histories = [
    ...(await loadHistories(path.join(__dirname, 'histories'))),
    // remote-steps/: recorded before the comparison's steps became local activities (patched('compensation-local')).
    ...(await loadHistories(path.join(__dirname, 'histories', 'remote-steps'))),
    // reversed/: comparisons closed or recovered by a 2305 (`YIDI_RECORD_HISTORIES=1 npx jest test/compensation/reversal.test.ts`).
    ...(await loadHistories(path.join(__dirname, 'histories', 'reversed'))),
    // capped/: payments limited by the annual caps (`YIDI_RECORD_HISTORIES=1 npx jest test/compensation/capped-payment.test.ts`).
    ...(await loadHistories(path.join(__dirname, 'histories', 'capped'))),
  ];
  expect(histories.length).toBeGreaterThanOrEqual(14);
  const types = new Set(
    histories.map((h) => h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name),
  );
  expect(types).toEqual(new Set(['compensationWorkflow']));
  const { failures, replayed } = await replayHistories(await bundleCaseWorkflows(), histories);
  expect(failures).toEqual([]);
  expect(replayed).toBe(histories.length);
}, 120_000);
