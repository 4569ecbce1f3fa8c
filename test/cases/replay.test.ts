import path from 'node:path';
import { loadHistories, replayHistories } from '../support/histories';
import { bundleCaseWorkflows } from '../support/temporal';

/**
 * Histories of filing and referral executions recorded from earlier code must replay on the current
 * code: a change that fails here would break the cases already running in production.
 * Re-record on purpose (and only with a versioning plan for running cases):
 * `YIDI_RECORD_HISTORIES=1 npx jest test/cases/workflows.test.ts`.
 */
test('recorded filing, referral, stay and settlement histories replay on the current workflow code', async () => {
  // v1/: recorded before the case kernel (the frozen v1 path behind patched('case-kernel')); the rest after.
  const histories = [
    ...(await loadHistories(path.join(__dirname, 'histories', 'v1'))),
    ...(await loadHistories(path.join(__dirname, 'histories'))),
    // stays/: hospitalization and settlement runs (`YIDI_RECORD_HISTORIES=1 npx jest test/cases/stays.test.ts`).
    ...(await loadHistories(path.join(__dirname, 'histories', 'stays'))),
    // stays/remote-steps/: recorded before the stay's steps became local activities (patched('stay-local-steps')).
    ...(await loadHistories(path.join(__dirname, 'histories', 'stays', 'remote-steps'))),
    // stays/compensation-reversal/: 2305s that signal their comparison (patched('reversal-closes-compensation');
    // `YIDI_RECORD_HISTORIES=1 npx jest test/compensation/reversal.test.ts`).
    ...(await loadHistories(path.join(__dirname, 'histories', 'stays', 'compensation-reversal'))),
    // tickets/: 问题协同 and the stays that raised them (`YIDI_RECORD_HISTORIES=1 npx jest test/tickets`).
    ...(await loadHistories(path.join(__dirname, 'histories', 'tickets', 'seed-story'))),
    ...(await loadHistories(path.join(__dirname, 'histories', 'tickets', 'workflow'))),
  ];
  const types = new Set(
    histories.map((h) => h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name),
  );
  expect(types).toEqual(
    new Set([
      'filingWorkflow',
      'referralWorkflow',
      'hospitalizationWorkflow',
      'settlementWorkflow',
      'settlementErrorWorkflow',
      'manualClaimWorkflow',
    ]),
  );
  const { failures, replayed } = await replayHistories(await bundleCaseWorkflows(), histories);
  expect(failures).toEqual([]);
  expect(replayed).toBe(histories.length);
  // ~100 histories: 70–110 s on a busy 2-core box (one CI run passed 120 s), so well above that.
}, 600_000);
