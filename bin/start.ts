/**
 * `npm start`: the whole platform in one process on embedded defaults (PostgreSQL in .data/,
 * the Temporal devserver on a free port), or against real servers when DATABASE_URL /
 * TEMPORAL_ADDRESS are set. Ctrl-C stops every part cleanly.
 */
import { ConfigError, EXIT_CONFIG, loadConfig } from '../config';
import { EmbeddedPostgresInUseError } from '../db/embedded-postgres';
import { PortInUseError, startPlatform } from './platform';

const log = (message: string) => console.log(`[yidi] ${message}`);

async function main(): Promise<void> {
  // `npm run demo:reset`: this start removes the demo cases and seeds them afresh, then serves as usual.
  const config = {
    ...loadConfig(),
    ...(process.argv.includes('--demo-reset') ? { demo: 'reset' as const } : {}),
  };
  const platform = await startPlatform(config, log);
  log(`ready: ${platform.url} (API ${platform.url}/api/v1, health ${platform.url}/healthz)`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log(`${signal} again: exiting at once`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: stopping`);
    platform.stop().then(
      () => {
        log('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`yidi: configuration error: ${error.message}`);
    process.exit(EXIT_CONFIG);
  }
  if (error instanceof EmbeddedPostgresInUseError || error instanceof PortInUseError) {
    console.error(`yidi: cannot start: ${error.message}`);
    process.exit(1);
  }
  console.error('yidi: failed to start:', error);
  process.exit(1);
});
