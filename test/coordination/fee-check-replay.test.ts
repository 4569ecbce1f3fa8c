import path from 'node:path';
import { loadHistories, replayHistories } from '../support/histories';
import { bundleCaseWorkflows } from '../support/temporal';

/**
 * 费用协查 batch histories recorded from earlier code replay on the current code (a change that fails
 * here would break batches already running). Re-record on purpose:
 * `YIDI_RECORD_HISTORIES=1 npx jest test/coordination/fee-check.test.ts`.
 */
test('recorded fee-check batch histories replay on the current workflow code', async () => {
  const histories = await loadHistories(path.join(__dirname, '..', 'cases', 'histories', 'fee-check'));
  expect(histories.length).toBeGreaterThanOrEqual(3);
  const { failures, replayed } = await replayHistories(await bundleCaseWorkflows(), histories);
  expect(failures).toEqual([]);
  expect(replayed).toBe(histories.length);
}, 120_000);
