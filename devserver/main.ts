// CLI for the devserver. Accepts the two argument styles sdk-core passes to an `existing-path` executable:
//   Temporal CLI:  server start-dev --port P --namespace NS --ip IP --log-format F --log-level L
//                  --dynamic-config-value K=V … --headless [--search-attribute Name=Type …] [extra args]
//   Java test server (TestWorkflowEnvironment.createTimeSkipping): <port> [--enable-time-skipping]
// The bare form `--port 7233 …` (npm run devserver -- --port 7233) is read as `server start-dev`.

export interface CliOptions {
  port: number;
  ip: string;
  namespaces: string[];
  searchAttributes: Record<string, string>;
  timeSkipping: boolean;
  /** Java test server's --enable-time-skipping: time skips from the start instead of only while a client waits. */
  timeSkippingUnlocked: boolean;
  /** --db-filename: keep the state in this file; unset = in memory. */
  dbFilename?: string;
  /** --dynamic-config-value KEY=VALUE, by key (engine/limits.ts reads the limits among them). */
  dynamicConfig: Record<string, string>;
  logLevel: string;
  logFormat: string;
  /** Notes for stderr about accepted-but-ignored flags. */
  notes: string[];
}

export class UsageError extends Error {}

const USAGE =
  'usage: yidi-devserver [server start-dev] [--port N] [--ip ADDR] [--namespace NS]… ' +
  '[--search-attribute Name=Type]… [--db-filename FILE] | yidi-devserver <port> [--enable-time-skipping]';

const SEARCH_ATTRIBUTE_TYPES = ['Keyword', 'Text', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList'];
const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal', 'never'];

/** Flags of `temporal server start-dev` that take a value and are accepted but have no effect here. */
const IGNORED_VALUE_FLAGS = new Set([
  '--ui-ip',
  '--ui-public-path',
  '--ui-asset-path',
  '--ui-codec-endpoint',
  '--http-port',
  '--metrics-port',
  '--sqlite-pragma',
  '--log-config',
  '--config',
  '--env',
]);
const IGNORED_BOOL_FLAGS = new Set(['--headless']);

function parsePort(s: string | undefined, flag: string): number {
  if (s === undefined || !/^\d{1,5}$/.test(s) || Number(s) > 65535) {
    throw new UsageError(`invalid port for ${flag}: '${s ?? ''}'`);
  }
  return Number(s);
}

/** Parses argv (without `node` and the script). Throws UsageError on anything it does not know. */
export function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = {
    port: 7233,
    ip: '127.0.0.1',
    namespaces: [],
    searchAttributes: {},
    dynamicConfig: {},
    timeSkipping: false,
    timeSkippingUnlocked: false,
    logLevel: 'warn',
    logFormat: 'pretty',
    notes: [],
  };

  // Java test server style: the first argument is the port.
  if (argv[0] !== undefined && /^\d+$/.test(argv[0])) {
    opts.port = parsePort(argv[0], 'port');
    opts.timeSkipping = true;
    for (const arg of argv.slice(1)) {
      if (arg.toLowerCase() === '--enable-time-skipping') opts.timeSkippingUnlocked = true;
      else throw new UsageError(`unknown flag ${arg}`);
    }
    opts.namespaces = ['default'];
    return opts;
  }

  let args = argv;
  if (args[0] === 'server') {
    if (args[1] !== 'start-dev') throw new UsageError(`unknown command 'server ${args[1] ?? ''}'`);
    args = args.slice(2);
  }

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = args[++i];
      if (v === undefined) throw new UsageError(`flag ${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--port':
      case '-p':
        opts.port = parsePort(value(), flag);
        break;
      case '--ip':
        opts.ip = value();
        break;
      case '--namespace':
      case '-n':
        opts.namespaces.push(value());
        break;
      case '--log-level': {
        const level = value().toLowerCase();
        if (!LOG_LEVELS.includes(level)) throw new UsageError(`invalid --log-level '${level}'`);
        opts.logLevel = level;
        break;
      }
      case '--log-format':
        opts.logFormat = value();
        break;
      case '--search-attribute': {
        const v = value();
        // Any name the real server takes (sdk-core passes names like `new-search-attr`).
        const m = /^([^=\s]+)=([A-Za-z]+)$/.exec(v);
        const type = m && SEARCH_ATTRIBUTE_TYPES.find((t) => t.toLowerCase() === m[2]!.toLowerCase());
        if (!m || !type)
          throw new UsageError(
            `invalid --search-attribute '${v}' (want Name=${SEARCH_ATTRIBUTE_TYPES.join('|')})`,
          );
        opts.searchAttributes[m[1]!] = type;
        break;
      }
      case '--db-filename':
      case '-f': {
        const file = value();
        if (!file) throw new UsageError('flag --db-filename needs a file name');
        opts.dbFilename = file;
        break;
      }
      case '--dynamic-config-value': {
        const v = value();
        const at = v.indexOf('=');
        if (at <= 0) throw new UsageError(`invalid --dynamic-config-value '${v}' (want KEY=VALUE)`);
        opts.dynamicConfig[v.slice(0, at)] = v.slice(at + 1);
        break;
      }
      case '--enable-time-skipping':
        opts.timeSkipping = true;
        opts.timeSkippingUnlocked = true;
        break;
      case '--ui-port':
        // The real dev server serves the Temporal Web UI there (port + 1000 by default); say why it is closed.
        opts.notes.push(`no Web UI in this devserver (always headless): --ui-port ${value()} is ignored`);
        break;
      default:
        if (IGNORED_VALUE_FLAGS.has(flag)) {
          value();
        } else if (IGNORED_BOOL_FLAGS.has(flag) && inline === undefined) {
          // The UI does not exist here; --headless is what we do anyway.
        } else {
          throw new UsageError(`unknown flag ${arg}`);
        }
    }
  }
  if (!opts.namespaces.includes('default')) opts.namespaces.unshift('default');
  opts.namespaces = [...new Set(opts.namespaces)];
  return opts;
}

async function main(): Promise<void> {
  let opts: CliOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`yidi-devserver: ${err.message}; ${USAGE}\n`);
      process.exit(2);
    }
    throw err;
  }
  for (const note of opts.notes) process.stderr.write(`yidi-devserver: ${note}\n`);

  // Handlers go in before the ready line: a caller may signal the moment it reads that line.
  let server: { address: string; stop(): Promise<void> } | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130); // A second signal means the user does not want to wait.
    stopping = true;
    if (!server) process.exit(0); // Not listening yet: nothing to close.
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`yidi-devserver: error while stopping on ${signal}: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  // Loaded after parsing, so a usage error answers at once and parseArgs can be tested alone. require, not
  // import(): the bundle is CommonJS, and esbuild keeps a require lazy.
  const { startDevServer } = require('./index') as typeof import('./index');
  server = await startDevServer({
    port: opts.port,
    ip: opts.ip,
    namespaces: opts.namespaces,
    searchAttributes: opts.searchAttributes,
    timeSkipping: opts.timeSkipping,
    timeSkippingUnlocked: opts.timeSkippingUnlocked,
    dbFilename: opts.dbFilename,
    dynamicConfig: opts.dynamicConfig,
    log: (level, msg) => {
      if (LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(opts.logLevel)) {
        process.stderr.write(`devserver ${level}: ${msg}\n`);
      }
    },
  });
  if (stopping) {
    await server.stop();
    process.exit(0);
  }
  process.stdout.write(`devserver listening on ${server.address}\n`);
}

/** Runs the CLI on process.argv (bin/yidi-devserver calls this on the compiled bundle). */
export function cli(): void {
  main().catch((err: unknown) => {
    // A state file that cannot be used is the user's to fix: its message names the file and says why.
    const known = err instanceof Error && err.name === 'StateFileError';
    process.stderr.write(
      `yidi-devserver: ${err instanceof Error ? (known ? err.message : (err.stack ?? err.message)) : String(err)}\n`,
    );
    process.exit(1);
  });
}

if (require.main === module) cli();
