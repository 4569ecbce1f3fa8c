import { createServer, type Server, type Socket } from 'node:net';
import { Client } from '@temporalio/client';
import express from 'express';
import request from 'supertest';
import { problemHandler } from '../../api/problem';
import { databaseDependency } from '../../bin/platform';
import { DEFAULT_DATABASE_POOL, loadConfig } from '../../config';
import { Filing } from '../../db/entities';
import { type Orm, openOrm, poolStats } from '../../db/orm';
import { migratedOrm, type TestDatabase } from '../support/db';
import { eventually } from '../support/eventually';
import { testApp } from '../support/platform';
import { freePort } from '../support/ports';

let orm: Orm;
let db: TestDatabase;
let closeDb: () => Promise<void>;
const config = { ...loadConfig({}), temporal: { kind: 'embedded' as const } };

beforeAll(async () => {
  ({ orm, db, close: closeDb } = await migratedOrm());
});
afterAll(async () => {
  await closeDb?.();
});

/** The platform's app over a database at `url` (the login route reads the user table). */
async function appOver(url: string, pool: Partial<typeof DEFAULT_DATABASE_POOL>, requestTimeoutMs?: number) {
  const target = await openOrm(url, { connect: false, pool: { ...DEFAULT_DATABASE_POOL, ...pool } });
  const logs: string[] = [];
  const app = testApp({
    database: databaseDependency(config, url, target),
    log: (m) => logs.push(m),
    requestTimeoutMs,
    // Login never reaches Temporal; a lazy client that is never used.
    cases: { orm: target, temporal: new Client(), taskQueue: 'unused', tokenSecret: 's' },
  });
  return { app, logs, close: () => target.close() };
}

/** A "paused" PostgreSQL: it accepts connections and never says a word. */
async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/paused`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const login = { username: 'zhangwei', password: 'yidi-demo' };

test('a database that is not there: 503 DATABASE_UNAVAILABLE with Retry-After, not a 500', async () => {
  const { app, logs, close } = await appOver(`postgres://postgres@127.0.0.1:${await freePort()}/nowhere`, {
    acquireTimeoutMs: 500,
  });
  try {
    const res = await request(app).post('/api/v1/auth/login').send(login).expect(503);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.body).toMatchObject({ code: 'DATABASE_UNAVAILABLE', title: '数据库暂时不可用' });
    expect(logs.join('\n')).toMatch(/database unavailable on POST \/auth\/login/);
  } finally {
    await close();
  }
});

test('a paused database: the pool gives up after its acquire timeout and the answer is 503', async () => {
  const paused = await silentServer();
  const { app, close } = await appOver(paused.url, { acquireTimeoutMs: 500 });
  try {
    const res = await request(app).post('/api/v1/auth/login').send(login).expect(503);
    expect(res.body.code).toBe('DATABASE_UNAVAILABLE');
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
  } finally {
    await close();
    await paused.close();
  }
});

test('the request deadline answers 503 REQUEST_TIMEOUT with Retry-After when a dependency hangs', async () => {
  const paused = await silentServer();
  // The pool would wait 20 s for the paused server; the deadline answers first.
  const { app, logs, close } = await appOver(paused.url, { acquireTimeoutMs: 20_000 }, 300);
  try {
    const res = await request(app).post('/api/v1/auth/login').send(login).expect(503);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.body).toMatchObject({ code: 'REQUEST_TIMEOUT', title: '请求超时' });
    expect(logs).toEqual([]);
  } finally {
    await paused.close();
    await close();
  }
});

test('/healthz tells an exhausted pool from an unreachable database', async () => {
  const busy = await openOrm(db.url, {
    pool: { ...DEFAULT_DATABASE_POOL, max: 1, acquireTimeoutMs: 10_000 },
  });
  let release: () => void = () => undefined;
  try {
    const health = testApp({ database: databaseDependency(config, db.url, busy) });
    const before = await request(health).get('/healthz').expect(200);
    expect(before.body.database).toMatchObject({ reachable: true, pool: { max: 1 } });

    // One transaction holds the only connection; a second query queues behind it.
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const knex = busy.em.getConnection().getKnex();
    let inside: () => void = () => undefined;
    const entered = new Promise<void>((resolve) => {
      inside = resolve;
    });
    const holding = knex.transaction(async (trx) => {
      await trx.raw('select 1');
      inside();
      await held;
    });
    await entered;
    const queued = knex.raw('select 1').then(() => undefined); // a knex query runs once awaited
    await eventually(async () => (poolStats(busy)?.pending ? true : undefined));
    const exhausted = await request(health).get('/healthz').expect(503);
    expect(exhausted.body.database).toMatchObject({
      reachable: true,
      pool_exhausted: true,
      pool: { max: 1, used: 1, pending: 1 },
    });
    expect(exhausted.body.database.error).toMatch(/pool exhausted/);
    release();
    await Promise.all([holding, queued]);
    await request(health).get('/healthz').expect(200);
  } finally {
    release();
    await busy.close();
  }
});

test('an unexpected database error is logged without its SQL or values (no phone number in the log)', async () => {
  const logs: string[] = [];
  const row = {
    id: 'filing-P34010000000001-dup',
    psn_no: 'P34010000000001',
    insuplc_admdvs: '340100',
    prov_admdvs: '340000',
    category: 'other_temporary' as const,
    status: 'SUBMITTED' as const,
    mdtrtarea_admdvs: '110000',
    fixmedins_code: null,
    begndate: '2026-03-01',
    enddate: null,
    commitment: false,
    deemed: false,
    retro: false,
    trt_dcla_detl_sn: null,
    effective_at: null,
    reason: null,
    memo: null,
    form: { tel: '13912345678', addr: '合肥市蜀山区某路 1 号' },
    created_at: new Date(),
    updated_at: new Date(),
    projection_seq: 0,
  };
  const app = express();
  app.post('/twice', async () => {
    await orm.em.fork().insert(Filing, row);
    await orm.em.fork().insert(Filing, row); // duplicate key: the driver's message carries the SQL
  });
  app.use(problemHandler((m) => logs.push(m)));
  const res = await request(app).post('/twice').expect(500);
  expect(res.body).toMatchObject({ code: 'INTERNAL', title: '服务器内部错误' });
  const logged = logs.join('\n');
  expect(logged).toMatch(/unhandled error on POST \/twice: UniqueConstraintViolationException, code 23505/);
  expect(logged).toMatch(/constraint filing_pkey/);
  expect(logged).not.toMatch(/13912345678|某路|insert into|P34010000000001/);
});

test('pooled sessions carry the configured statement and idle-in-transaction timeouts', async () => {
  const rows = await orm.em
    .fork()
    .execute<{ statement_timeout: string; idle: string }[]>(
      "select current_setting('statement_timeout') as statement_timeout, current_setting('idle_in_transaction_session_timeout') as idle",
    );
  expect(rows[0]).toEqual({ statement_timeout: '10s', idle: '15s' });
});
