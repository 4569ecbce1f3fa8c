/**
 * `npm start`: the whole platform in one process on embedded defaults (PostgreSQL in .data/,
 * the Temporal devserver on a free port), or against real servers when DATABASE_URL /
 * TEMPORAL_ADDRESS are set. Ctrl-C stops every part cleanly.
 */
import { startPlatform } from './platform';
import { runProcess } from './run';
import { ensureWebBuild } from './web-build';

runProcess(async (loaded, log) => {
  // `npm run demo:reset`: this start removes the demo cases and seeds them afresh, then serves as usual.
  const config = process.argv.includes('--demo-reset') ? { ...loaded, demo: 'reset' as const } : loaded;
  await ensureWebBuild(log);
  const platform = await startPlatform(config, log);
  return {
    ready: `${platform.url} (API ${platform.url}/api/v1, health ${platform.url}/healthz)`,
    stop: platform.stop,
  };
});
