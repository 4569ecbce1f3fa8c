import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';

/**
 * One webpack bundle of a workflows index per test run, shared by every test file that runs it: the
 * sources do not change during a run, and bundling costs seconds of CPU each time. The folder is made
 * by the global setup (`YIDI_TEST_BUNDLE_DIR`); without it (a file run on its own outside Jest's
 * setup) each call bundles afresh.
 */
export async function cachedBundle(
  workflowsPath: string,
  bundle: () => Promise<WorkflowBundleWithSourceMap>,
): Promise<WorkflowBundleWithSourceMap> {
  const dir = process.env.YIDI_TEST_BUNDLE_DIR;
  if (!dir || !fs.existsSync(dir)) return bundle();
  const file = path.join(dir, `${createHash('sha1').update(path.resolve(workflowsPath)).digest('hex')}.json`);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as WorkflowBundleWithSourceMap;
  const fresh = await bundle();
  // Written whole, then renamed: a parallel Jest worker reads a complete bundle or none.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ code: fresh.code, sourceMap: fresh.sourceMap }));
  fs.renameSync(tmp, file);
  return fresh;
}
