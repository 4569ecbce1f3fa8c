import fs from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { createApp } from '../../api/app';
import { projectRoot } from '../../config';
import type { Orm } from '../../db/orm';
import { seedReferenceData } from '../../db/seed';
import { DEMO_PASSWORD } from '../../db/seed-data';
import { migratedOrm } from '../support/db';
import { bundleCaseWorkflows, caseWorker } from '../support/temporal';

/** Debian's chromium (installed by .ci/run); never a downloaded browser. */
const CHROMIUM = process.env.YIDI_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(projectRoot, 'test-artifacts');

let orm: Orm;
let close: () => Promise<void>;
let w: Awaited<ReturnType<typeof caseWorker>>;
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const db = await migratedOrm();
  orm = db.orm;
  close = db.close;
  await seedReferenceData(orm.em.fork());
  w = await caseWorker(orm, 'time-skipping', await bundleCaseWorkflows());
  const up = { describe: () => ({ kind: 'test' }), ping: async () => undefined };
  const app = createApp({
    database: up,
    temporal: up,
    log: () => undefined,
    cases: { orm, temporal: w.client, taskQueue: w.taskQueue, tokenSecret: 'browser-secret' },
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu'],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  server?.closeAllConnections();
  await w?.teardown();
  await close?.();
});

async function loggedIn(username: string) {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1200, height: 1000 } });
  const page = await context.newPage();
  await page.goto(`${base}/login.html`);
  await page.fill('#username', username);
  await page.fill('#password', DEMO_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(/filings|queue|escalations/);
  return page;
}

const shot = (page: import('playwright-core').Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

test('a citizen files a referral, staff approve it in another browser, the citizen’s timeline shows it', async () => {
  const citizen = await loggedIn('zhangwei');
  await citizen.selectOption('#category', 'referral');
  await citizen.fill('#tel', '13800000001');
  await citizen.fill('#diag_name', '肺恶性肿瘤');
  await citizen.fill('#refl_hosp_name', '合肥市第一人民医院');
  await citizen.fill('#documents', '转诊证明.pdf, 病历.pdf');
  await citizen.click('#submit');
  await citizen.locator('#filing-status').getByText('审核中').waitFor({ timeout: 20_000 });
  const caseId = new URL(citizen.url()).searchParams.get('id') ?? '';
  expect(caseId).toMatch(/^filing-P34010000000001-[0-9a-z]+-[0-9a-f]{8}$/);
  await citizen.locator('#timeline li[data-kind=review_task_opened]').waitFor({ timeout: 20_000 });
  await shot(citizen, '1-citizen-filed');

  const staff = await loggedIn('staff-ah');
  await staff.getByRole('link', { name: caseId }).click({ timeout: 20_000 });
  await staff.locator('#claim').click();
  await staff.locator('#approve').waitFor();
  expect(await staff.locator('#place').textContent()).toContain('成都市 510100');
  await shot(staff, '2-staff-review');
  await staff.locator('#approve').click();
  await staff.locator('#task-status').getByText('已决定').waitFor({ timeout: 20_000 });
  await shot(staff, '3-staff-approved');

  await citizen.locator('#filing-status').getByText('已生效').waitFor({ timeout: 20_000 });
  await citizen.locator('#timeline li[data-kind=referral_approved]').waitFor();
  expect(await citizen.locator('#sn').textContent()).toMatch(/^TD340100/);
  expect(await citizen.locator('#place').textContent()).toContain('成都市 510100');
  const kinds = await citizen
    .locator('#timeline li')
    .evaluateAll((items) => items.map((li) => li.getAttribute('data-kind')));
  expect(kinds).toEqual(
    expect.arrayContaining(['submitted', 'decision_recorded', 'referral_approved', 'active']),
  );
  await shot(citizen, '4-citizen-active');

  // Another province's staff see nothing of it.
  const other = await loggedIn('staff-hi');
  await other.waitForSelector('#tasks tbody tr');
  expect(await other.locator('#tasks').textContent()).not.toContain(caseId);
});
