import path from 'node:path';
import { ConfigError, loadConfig } from '../../config';

const root = path.resolve(__dirname, '..', '..');

describe('loadConfig', () => {
  test('nothing set: embedded PostgreSQL in .data and the embedded Temporal devserver', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.database).toEqual({
      kind: 'embedded',
      dataDir: path.join(root, '.data', 'postgres'),
      port: 54320,
    });
    expect(config.temporal).toEqual({
      kind: 'embedded',
      dbFilename: path.join(root, '.data', 'temporal', 'devserver.db'),
    });
    expect(config.namespace).toBe('default');
    expect(config.workflowThreads).toBe(1);
    expect(loadConfig({ YIDI_WORKFLOW_THREADS: '2' }).workflowThreads).toBe(2);
  });

  test('DATABASE_URL and TEMPORAL_ADDRESS point at real servers', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://yidi:secret@db.internal:5432/yidi',
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'yidi-prod',
    });
    expect(config.database).toEqual({
      kind: 'external',
      url: 'postgres://yidi:secret@db.internal:5432/yidi',
    });
    expect(config.temporal).toEqual({ kind: 'external', address: 'temporal.internal:7233' });
    expect(config.namespace).toBe('yidi-prod');
  });

  test('YIDI_DEMO: the demo cases on the embedded setup, off against a real server unless asked for', () => {
    expect(loadConfig({}).demo).toBe('seed');
    expect(loadConfig({ YIDI_DEMO: '0' }).demo).toBe('off');
    const real = { DATABASE_URL: 'postgres://yidi:secret@db.internal:5432/yidi' };
    expect(loadConfig(real).demo).toBe('off');
    expect(loadConfig({ ...real, YIDI_DEMO: '1' }).demo).toBe('seed');
    expect(() => loadConfig({ YIDI_DEMO: 'yes please' })).toThrow(
      /YIDI_DEMO must be 1 or 0, got 'yes please'/,
    );
  });

  test.each([
    ['not a url', /DATABASE_URL is not a valid URL/],
    ['mysql://u@h/db', /must use the postgres:\/\/ scheme, got 'mysql:'/],
    ['postgres://u@h:5432', /names no database/],
    ['postgres://u@h:5432/', /names no database/],
  ])('a malformed DATABASE_URL %p is refused with a clear reason', (url, reason) => {
    expect(() => loadConfig({ DATABASE_URL: url })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: url })).toThrow(reason);
  });

  test.each([
    [{ PORT: 'http' }, /PORT must be a port number/],
    [{ PORT: '70000' }, /PORT must be a port number/],
    [{ TEMPORAL_ADDRESS: 'temporal' }, /TEMPORAL_ADDRESS must be host:port/],
    [{ TEMPORAL_NAMESPACE: ' ' }, /TEMPORAL_NAMESPACE is set but empty/],
    [{ YIDI_DATA_DIR: '' }, /YIDI_DATA_DIR is set but empty/],
    [{ DATABASE_URL: '' }, /DATABASE_URL is set but empty/],
    [{ TEMPORAL_ADDRESS: ' ' }, /TEMPORAL_ADDRESS is set but empty/],
    [{ YIDI_REQUEST_TIMEOUT_MS: '10s' }, /YIDI_REQUEST_TIMEOUT_MS must be a whole number/],
    [{ YIDI_DB_POOL_MAX: '0' }, /YIDI_DB_POOL_MAX must be a whole number from 1/],
    [{ YIDI_DB_ACQUIRE_TIMEOUT_MS: '-1' }, /YIDI_DB_ACQUIRE_TIMEOUT_MS must be a whole number/],
    [{ PORT: '' }, /PORT must be a port number/],
    [{ YIDI_WORKFLOW_THREADS: '0' }, /YIDI_WORKFLOW_THREADS must be a whole number from 1 to 16/],
    [{ EMBEDDED_PG_PORT: '0' }, /EMBEDDED_PG_PORT must be a port number from 1 to 65535/],
  ])('%p is refused', (env, reason) => {
    expect(() => loadConfig(env)).toThrow(reason);
  });
});
