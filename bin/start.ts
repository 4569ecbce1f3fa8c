/**
 * `npm start`: the whole platform in one process on embedded defaults (PostgreSQL in .data/,
 * the Temporal devserver on a free port), or against real servers when DATABASE_URL /
 * TEMPORAL_ADDRESS are set. Ctrl-C stops every part cleanly.
 */
import { startPlatform } from './platform';
import { runProcess } from './run';
import { ensureWebBuild } from './web-build';

runProcess(async (config, log) => {
  await ensureWebBuild(log);
  const platform = await startPlatform(config, log);
  return {
    ready: `${platform.url} (API ${platform.url}/api/v1, health ${platform.url}/healthz)`,
    stop: platform.stop,
  };
});
