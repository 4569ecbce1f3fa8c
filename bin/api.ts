/**
 * `npm run api`: the API and the web UI against a shared Temporal (TEMPORAL_ADDRESS) and PostgreSQL
 * (DATABASE_URL), with no worker. Run as many as the load needs behind a load balancer; every one needs
 * the same YIDI_TOKEN_SECRET.
 */
import { startApiRole } from './platform';
import { runProcess } from './run';
import { ensureWebBuild } from './web-build';

runProcess(async (config, log) => {
  await ensureWebBuild(log);
  const api = await startApiRole(config, log);
  return { ready: `${api.url} (API ${api.url}/api/v1, health ${api.url}/healthz)`, stop: api.stop };
});
