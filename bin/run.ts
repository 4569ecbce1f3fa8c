/**
 * The life of a process entry point (`start`, `worker`, `api`): start, print the ready line, stop every
 * part on SIGINT/SIGTERM (a second signal exits at once), and turn start-up errors into one line and an
 * exit code (78 for configuration).
 */
import { type Config, ConfigError, EXIT_CONFIG, loadConfig } from '../config';
import { EmbeddedPostgresInUseError } from '../db/embedded-postgres';
import { type Log, PortInUseError } from './platform';

export function runProcess(
  start: (config: Config, log: Log) => Promise<{ ready: string; stop(): Promise<void> }>,
): void {
  const log: Log = (message) => console.log(`[yidi] ${message}`);
  const main = async () => {
    const config = loadConfig();
    const running = await start(config, log);
    log(`ready: ${running.ready}`);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        log(`${signal} again: exiting at once`);
        process.exit(1);
      }
      stopping = true;
      log(`${signal}: stopping`);
      running.stop().then(
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
  };
  main().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(`yidi: configuration error: ${error.message}`);
      process.exit(EXIT_CONFIG);
    }
    // StateFileError by name: it comes from the compiled devserver bundle, its own copy of the class.
    if (
      error instanceof EmbeddedPostgresInUseError ||
      error instanceof PortInUseError ||
      (error instanceof Error && error.name === 'StateFileError')
    ) {
      console.error(`yidi: cannot start: ${error.message}`);
      process.exit(1);
    }
    console.error('yidi: failed to start:', error);
    process.exit(1);
  });
}
