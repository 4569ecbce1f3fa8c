import { Connection } from '@temporalio/client';
import request from 'supertest';
import { createApp } from '../../api/app';
import { databaseDependency, temporalDependency } from '../../bin/platform';
import { loadConfig } from '../../config';
import { type Orm, openOrm } from '../../db/orm';
import { startDevServer } from '../../devserver';
import { migratedOrm } from '../support/db';
import { freePort } from '../support/ports';

type DevServer = Awaited<ReturnType<typeof startDevServer>>;

let orm: Orm;
let closeDb: () => Promise<void>;
let dbUrl: string;
let devserver: DevServer;
let client: Connection;
const config = { ...loadConfig({}), temporal: { kind: 'embedded' as const } };
const log = () => {};

beforeAll(async () => {
  const migrated = await migratedOrm();
  ({ orm } = migrated);
  closeDb = migrated.close;
  dbUrl = migrated.db.url;
  devserver = await startDevServer({ port: 0 });
  client = await Connection.connect({ address: devserver.address });
});

afterAll(async () => {
  await client.close();
  await devserver.stop();
  await closeDb();
});

test('200 naming the database and the Temporal endpoint when both answer', async () => {
  const app = createApp({
    log,
    database: databaseDependency({ ...config, database: { kind: 'external', url: dbUrl } }, dbUrl, orm),
    temporal: temporalDependency(config, devserver.address, client),
  });
  const res = await request(app).get('/healthz');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    status: 'ok',
    database: { kind: 'external', url: dbUrl, reachable: true, pool: expect.objectContaining({ max: 10 }) },
    temporal: { kind: 'embedded', address: devserver.address, namespace: 'default', reachable: true },
  });
});

test('503 saying the database is unreachable when it does not answer', async () => {
  const deadUrl = `postgres://postgres@127.0.0.1:${await freePort()}/nowhere`;
  const deadOrm = await openOrm(deadUrl, { connect: false });
  try {
    const app = createApp({
      log,
      database: databaseDependency(config, deadUrl, deadOrm),
      temporal: temporalDependency(config, devserver.address, client),
    });
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('unavailable');
    expect(res.body.database).toMatchObject({ url: deadUrl, reachable: false });
    expect(res.body.database.error).toMatch(/ECONNREFUSED|connect/);
    expect(res.body.temporal.reachable).toBe(true);
  } finally {
    await deadOrm.close();
  }
});

test('503 saying Temporal is unreachable when its frontend is gone', async () => {
  const other = await startDevServer({ port: 0 });
  // No retry interceptor: under load /healthz may answer on its own timeout while a retry's backoff
  // timer is still pending, and that timer would fire on the channel this test closes.
  const otherClient = await Connection.connect({ address: other.address, interceptors: [] });
  try {
    await other.stop();
    const app = createApp({
      log,
      database: databaseDependency(config, dbUrl, orm),
      temporal: temporalDependency(config, other.address, otherClient),
    });
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body.database.reachable).toBe(true);
    expect(res.body.temporal).toMatchObject({ address: other.address, reachable: false });
  } finally {
    await otherClient.close();
  }
});

test('unknown paths and malformed JSON answer problem+json', async () => {
  const app = createApp({
    log,
    database: databaseDependency(config, dbUrl, orm),
    temporal: temporalDependency(config, devserver.address, client),
  });
  const missing = await request(app).get('/api/v1/nothing-here');
  expect(missing.status).toBe(404);
  expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(missing.body).toMatchObject({ status: 404, code: 'NOT_FOUND', title: '未找到' });

  const malformed = await request(app)
    .post('/api/v1/anything')
    .set('content-type', 'application/json')
    .send('{"a":');
  expect(malformed.status).toBe(400);
  expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(malformed.body).toMatchObject({ code: 'MALFORMED_JSON', title: '请求体不是合法的 JSON' });
});
