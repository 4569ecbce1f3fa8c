import path from 'node:path';
import type { Page } from 'playwright-core';
import { cstDate } from '../../cases';
import { DEMO_PASSWORD } from '../../db/seed-data';
import { ARTIFACTS, browserPlatformForFile } from '../support/browser';

const WAIT = { timeout: 20_000 };

const p = browserPlatformForFile({ tokenSecret: 'browser-secret' });

async function loggedIn(username: string, width = 1280) {
  const context = await p.browser.newContext({ locale: 'zh-CN', viewport: { width, height: 900 } });
  const page = await context.newPage();
  // The old entry URL still works: it leads to the app's login page.
  await page.goto(`${p.base}/login.html`);
  await page.waitForURL(/\/login/);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/(citizen|staff|supervisor)\//);
  return page;
}

const pdf = (name: string) => ({
  name,
  mimeType: 'application/pdf',
  buffer: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'),
});
// The 8-byte PNG signature and an IHDR chunk's start: enough for the server's type check.
const png = (name: string) => ({
  name,
  mimeType: 'image/png',
  buffer: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32)]),
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

/** Picks an option of an Element Plus select by the select's label. */
async function choose(page: Page, selectLabel: string, option: string) {
  const input = page.getByRole('combobox', { name: selectLabel, exact: true });
  await page.locator('.el-select__wrapper', { has: input }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

const timelineKinds = (page: Page) =>
  page
    .getByTestId('timeline')
    .locator('[data-kind]')
    .evaluateAll((items) => items.map((li) => li.getAttribute('data-kind')));

async function openTaskOf(staff: Page, caseId: string) {
  await staff.goto(`${p.base}/staff/tasks`);
  await staff.getByRole('link', { name: caseId }).click(WAIT);
  await staff.waitForURL(/\/staff\/tasks\/.+/);
}

test('a referral from filing to approval: more information asked and answered, approved after confirming', async () => {
  const citizen = await loggedIn('zhangwei');
  expect(new URL(citizen.url()).pathname).toBe('/citizen/filings');
  await citizen.getByTestId('new-filing').click();
  // Only the chosen category's fields are shown.
  await expect(citizen.getByLabel('诊断').isVisible()).resolves.toBe(true);
  await expect(citizen.getByLabel('急诊入院日期').count()).resolves.toBe(0);
  await choose(citizen, '就医地', '成都市');
  await citizen.getByLabel('联系电话').fill('13800000001');
  await citizen.getByLabel('诊断').fill('肺恶性肿瘤');
  await citizen.getByLabel('转出医院').fill('合肥市第一人民医院');
  // A wrong file is refused in the browser with the reason; PDFs and images are kept.
  await citizen
    .locator('#documents')
    .setInputFiles([{ name: '说明.txt', mimeType: 'text/plain', buffer: Buffer.from('x') }]);
  await expect(citizen.getByTestId('document-problem').textContent()).resolves.toContain(
    '不是 PDF、JPG 或 PNG 文件',
  );
  await citizen.locator('#documents').setInputFiles([pdf('转诊证明.pdf'), png('病历.png')]);
  await shot(citizen, '01-citizen-filing-form');
  await citizen.getByTestId('submit-filing').click();
  await citizen.waitForURL(/\/citizen\/filings\/filing-/);
  const caseId = decodeURIComponent(new URL(citizen.url()).pathname.split('/').pop() ?? '');
  expect(caseId).toMatch(/^filing-P34010000000001-[0-9a-z]+-[0-9a-f]{8}$/);
  await citizen.getByTestId('filing-status').getByText('审核中').waitFor(WAIT);
  await citizen.locator('[data-kind=review_task_opened]').waitFor(WAIT);
  await expect(citizen.getByTestId('next-step').textContent()).resolves.toContain('前办结');
  expect(await citizen.getByTestId('place').textContent()).toContain('成都市');
  await shot(citizen, '02-citizen-case-under-review');

  const staff = await loggedIn('staff-ah');
  expect(new URL(staff.url()).pathname).toBe('/staff/tasks');
  await staff.getByTestId('tasks').getByText(caseId).waitFor(WAIT);
  await shot(staff, '03-staff-queue');
  // Sorting is the server's, so a sorted page is also a correct page.
  const sorted = staff.waitForRequest(
    (r) => r.url().includes('/api/v1/tasks?') && /sort=-?created_at/.test(r.url()),
  );
  await staff.getByTestId('tasks').locator('th', { hasText: '提交时间' }).click();
  await sorted;
  await openTaskOf(staff, caseId);
  // Claim before deciding: no decision form until the task is claimed.
  await expect(staff.getByTestId('decision').count()).resolves.toBe(0);
  await staff.getByTestId('documents').getByRole('button', { name: '查看 转诊证明.pdf' }).waitFor(WAIT);
  await expect(staff.getByTestId('documents').textContent()).resolves.toContain('病历.png');
  await shot(staff, '04-staff-review-unclaimed');
  await staff.getByTestId('claim').click();
  await staff.getByTestId('decision').waitFor(WAIT);
  await expect(staff.getByTestId('task-status').textContent()).resolves.toBe('办理中');
  await staff.getByTestId('decision-more_info').click();
  // A reason is required: the error stays on the field.
  await staff.getByTestId('submit-decision').click();
  await staff.getByText('请写明需要补充的材料').waitFor();
  await staff.getByLabel('需要补充的材料').fill('请补充病理报告');
  await staff.getByTestId('submit-decision').click();
  await staff.getByTestId('confirm-dialog').getByText('要求补充材料').waitFor();
  await staff.getByTestId('confirm-decision').click();
  await staff.getByTestId('task-status').getByText('已办结').waitFor(WAIT);

  // The citizen's open page picks the request up by itself and answers it with a document.
  await citizen.getByTestId('more-info').waitFor(WAIT);
  await expect(citizen.getByTestId('more-info').textContent()).resolves.toContain('请补充病理报告');
  await citizen.getByLabel('补充说明').fill('病理报告已补充');
  await citizen.locator('#answer-documents').setInputFiles([pdf('病理报告.pdf')]);
  await shot(citizen, '05-citizen-more-info');
  await citizen.getByRole('button', { name: '提交补充材料' }).click();
  await citizen.locator('[data-kind=more_info_answered]').waitFor(WAIT);

  // A new review round: the staff see the supplementary document, type, and the refreshes keep the draft.
  await staff.goto(`${p.base}/staff/tasks`);
  await staff.getByTestId('tasks').getByRole('link', { name: caseId }).click(WAIT);
  await staff.getByTestId('claim').click(WAIT);
  await staff.getByTestId('decision').waitFor(WAIT);
  await staff.getByTestId('documents').getByRole('button', { name: '查看 病理报告.pdf' }).waitFor(WAIT);
  await expect(staff.getByTestId('documents').textContent()).resolves.toContain('补充材料');
  await staff.getByTestId('decision-approve').click();
  await staff.getByLabel('意见（可不填）').fill('材料齐全');
  await staff.waitForResponse((r) => r.url().includes('/api/v1/tasks/') && r.request().method() === 'GET');
  await staff.waitForResponse((r) => r.url().includes('/api/v1/tasks/') && r.request().method() === 'GET');
  expect(await staff.getByLabel('意见（可不填）').inputValue()).toBe('材料齐全');
  await staff.getByTestId('submit-decision').click();
  await staff.getByTestId('confirm-dialog').getByText('批准').first().waitFor();
  await shot(staff, '06-staff-confirm-approve');
  await staff.getByTestId('confirm-decision').click();
  await staff.getByTestId('task-status').getByText('已办结').waitFor(WAIT);
  await shot(staff, '07-staff-approved');

  await citizen.getByTestId('filing-status').getByText('已生效').waitFor(WAIT);
  await citizen.locator('[data-kind=referral_approved]').waitFor(WAIT);
  expect(await citizen.getByTestId('sn').textContent()).toMatch(/^TD340100/);
  const kinds = await timelineKinds(citizen);
  expect(kinds).toEqual(
    expect.arrayContaining([
      'submitted',
      'more_info_requested',
      'more_info_answered',
      'referral_approved',
      'active',
    ]),
  );
  // One decision appears once, and actors by name and role, never by id.
  expect(kinds).not.toContain('decision_recorded');
  const timeline = (await citizen.getByTestId('timeline').textContent()) ?? '';
  expect(timeline).toContain('经办人员 安徽省医保中心 经办 周敏');
  expect(timeline).not.toContain('staff-ah');
  expect(timeline).not.toContain('P34010000000001');
  expect(await citizen.getByTestId('announcer').textContent()).toContain('已生效');
  await shot(citizen, '08-citizen-active');

  // Another province's staff following a direct link get the 404 page, not the case.
  const taskUrl = staff.url();
  const other = await loggedIn('staff-hi');
  await other.goto(taskUrl);
  await other.getByTestId('not-found').waitFor(WAIT);
  expect(await other.locator('body').textContent()).not.toContain(caseId);
  await shot(other, '09-other-province-404');
});

test('the citizen pages fit a 390 px phone without horizontal scrolling', async () => {
  const phone = await loggedIn('lixiuying', 390);
  await phone.getByTestId('new-filing').click();
  await choose(phone, '备案类别', '异地长期居住');
  await phone.getByLabel('居住地址').waitFor();
  await expect(phone.getByLabel('诊断').count()).resolves.toBe(0);
  // Evaluated in the page, where `document` exists (this file is type-checked without the DOM).
  const width = () => phone.evaluate<number>('document.scrollingElement.scrollWidth');
  expect(await width()).toBeLessThanOrEqual(390);
  await shot(phone, '10-phone-filing-form');
  await choose(phone, '就医地', '上海市');
  await phone.getByLabel('联系电话').fill('13800000002');
  await phone.getByLabel('居住地址').fill('上海市浦东新区世纪大道 100 号');
  await phone.getByTestId('submit-filing').click();
  await phone.waitForURL(/\/citizen\/filings\/filing-/);
  await phone.getByTestId('filing-status').getByText('已生效').waitFor(WAIT);
  // A long-term filing in its lock: no 变更/取消, and the date the lock ends.
  await phone.getByTestId('locked').waitFor(WAIT);
  await expect(phone.getByTestId('cancel').count()).resolves.toBe(0);
  expect(await phone.getByTestId('locked').textContent()).toMatch(/\d{4}年\d{1,2}月\d{1,2}日起可办理/);
  expect(await width()).toBeLessThanOrEqual(390);
  await shot(phone, '11-phone-case');
  // Offline: the page keeps what it has and says it may be out of date, until the network is back.
  await phone.context().setOffline(true);
  await phone.getByText('页面内容可能不是最新').waitFor(WAIT);
  await shot(phone, '13-phone-offline');
  await phone.context().setOffline(false);
  await phone.getByText('页面内容可能不是最新').waitFor({ state: 'hidden', ...WAIT });
});

test('each other category shows only its own fields and files straight to an active filing; a second long-term one is told to 变更', async () => {
  const citizen = await loggedIn('wangfang');
  const categories: {
    category: string;
    shown: string[];
    hidden: string[];
    fill: () => Promise<void>;
    /** A second long-term filing while one is active is refused: the citizen is told to change (变更) it. */
    refused?: RegExp;
  }[] = [
    {
      category: '急诊抢救',
      shown: ['急诊入院日期'],
      hidden: ['居住地址', '诊断'],
      fill: async () => {
        await citizen.getByLabel('急诊入院日期').fill('2026-12-01');
        await citizen.getByLabel('急诊入院日期').press('Enter');
      },
    },
    {
      category: '其他临时外出',
      shown: ['结束日期'],
      hidden: ['居住地址', '急诊入院日期'],
      fill: async () => {},
    },
    {
      category: '异地安置退休',
      shown: ['居住地址'],
      hidden: ['急诊入院日期', '诊断'],
      fill: () => citizen.getByText('本人承诺所填信息真实（代替居住证明）').click(),
    },
    {
      category: '常驻异地工作',
      shown: ['居住地址'],
      hidden: ['急诊入院日期', '诊断'],
      fill: () => citizen.getByLabel('居住地址').fill('成都市武侯区人民南路四段 1 号'),
      refused: /同一时间只能有一份；如需更换就医地，请对现有备案办理变更/,
    },
  ];
  for (const c of categories) {
    await citizen.goto(`${p.base}/citizen/filings`);
    await citizen.getByTestId('new-filing').click();
    await choose(citizen, '备案类别', c.category);
    for (const field of c.shown) await citizen.getByLabel(field, { exact: true }).first().waitFor();
    for (const field of c.hidden) expect(await citizen.getByLabel(field, { exact: true }).count()).toBe(0);
    await choose(citizen, '就医地', '成都市');
    await citizen.getByLabel('联系电话').fill('13800000003');
    await c.fill();
    await citizen.getByTestId('submit-filing').click();
    if (c.refused) {
      await citizen.getByText(c.refused).first().waitFor(WAIT);
      expect(citizen.url()).toMatch(/\/citizen\/filings$/);
      continue;
    }
    await citizen.waitForURL(/\/citizen\/filings\/filing-/);
    await citizen.getByTestId('filing-status').getByText('已生效').waitFor(WAIT);
    expect(await citizen.getByTestId('case-header').textContent()).toContain(c.category);
  }
  await citizen.goto(`${p.base}/citizen/filings`);
  await citizen.getByTestId('filings').waitFor(WAIT);
  expect(await citizen.getByTestId('filings').locator('li').count()).toBe(
    categories.filter((c) => !c.refused).length,
  );
  await shot(citizen, '14-citizen-filings');
});

test('a wrong password is shown on the login page until the user tries again', async () => {
  const context = await p.browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${p.base}/staff/tasks`);
  await page.waitForURL(/\/login/);
  await page.getByLabel('用户名').fill('staff-ah');
  await page.getByLabel('密码').fill('wrong');
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByText('用户名或密码错误').waitFor(WAIT);
  await shot(page, '00-login-error');
  const supervisor = await loggedIn('super-ah');
  expect(new URL(supervisor.url()).pathname).toBe('/supervisor/escalations');
  await supervisor.getByTestId('tasks').waitFor(WAIT);
  await shot(supervisor, '12-supervisor-escalations');
});

test('labels come from the server: the app waits for them (no raw code on screen); a coordinator is told tickets will appear', async () => {
  const context = await p.browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route('**/api/v1/vocabulary', async (route) => {
    await held;
    await route.continue();
  });
  const asked = page.waitForRequest('**/api/v1/vocabulary');
  await page.goto(`${p.base}/login`);
  await asked;
  // While the vocabulary is on its way the app is not mounted: no page, so no code without its label.
  expect(await page.locator('#app').innerText()).toBe('');
  release();
  await page.getByLabel('用户名').fill('coord-ah');
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/home/);
  const home = page.getByTestId('coordinator-home');
  await home.waitFor(WAIT);
  expect(await home.innerText()).toContain('结算报错工单');
  expect(await home.innerText()).toContain('将显示在这里');
  const text = await page.locator('body').innerText();
  expect(text).toContain('协同人员');
  expect(text).not.toMatch(/coordinator|出错|错误/);
  await shot(page, '15-coordinator-home');
});

/** A citizen's referral filed through the API (the citizen's pages are covered above). */
async function tokenOf(username: string): Promise<string> {
  const login = await fetch(`${p.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  return ((await login.json()) as { token: string }).token;
}

async function fileReferral(username: string, mdtrtarea_admdvs: string): Promise<string> {
  const token = await tokenOf(username);
  const res = await fetch(`${p.base}/api/v1/filings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      category: 'referral',
      mdtrtarea_admdvs,
      fixmedins_code: null,
      begndate: cstDate(Date.now()),
      tel: '13800000002',
      referral: {
        refl_fil_type: '1',
        diag_name: '冠心病',
        refl_hosp_name: '安徽医科大学第一附属医院',
        documents: ['转诊证明.pdf'],
      },
    }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

// Last in the file: the skipped days lapse every review still open.
test('a supervisor reassigns a lapsed review to a staff member, who finds it under 我的 and decides it', async () => {
  const caseId = await fileReferral('lixiuying', '510100');
  const staff = await loggedIn('staff-ah');
  await staff.getByTestId('tasks').getByText(caseId).waitFor(WAIT);
  // The staff review SLA (3 working days) lapses: the task goes to the supervisors' 督办.
  await p.worker.env.sleep('6 days');

  const supervisor = await loggedIn('super-ah');
  const row = supervisor.getByTestId('tasks').locator('tr', { hasText: caseId });
  await row.waitFor(WAIT);
  await row.getByTestId('reassign').click();
  const dialog = supervisor.getByTestId('reassign-dialog');
  await expect(dialog.getByTestId('confirm-reassign').isDisabled()).resolves.toBe(true);
  // Only the province's staff are offered: not 海南's, not the supervisor.
  await dialog.locator('.el-select__wrapper').click();
  const options = supervisor.getByRole('option');
  await options.first().waitFor(WAIT);
  const offered = await options.allTextContents();
  expect(offered).toContain('安徽省医保中心 经办 周敏（staff-ah）');
  expect(offered.join()).not.toContain('staff-hi');
  expect(offered.join()).not.toContain('super-ah');
  await supervisor.getByRole('option', { name: '安徽省医保中心 经办 周敏（staff-ah）' }).click();
  await expect(dialog.getByTestId('reassign-summary').textContent()).resolves.toContain(
    '安徽省医保中心 经办 周敏',
  );
  await shot(supervisor, '16-supervisor-reassign-confirm');
  await dialog.getByTestId('confirm-reassign').click();
  await row.waitFor({ state: 'detached', ...WAIT });
  await supervisor.getByTestId('announcer').getByText('已改派给 安徽省医保中心 经办 周敏').waitFor(WAIT);
  await shot(supervisor, '17-supervisor-reassigned');

  // The list of people to hand tasks to is the supervisors' only: staff are told of nobody.
  const colleagues = await fetch(`${p.base}/api/v1/staff`, {
    headers: { authorization: `Bearer ${await tokenOf('staff-ah')}` },
  });
  expect(await colleagues.json()).toEqual({ items: [] });

  await staff.goto(`${p.base}/staff/tasks`);
  await staff.getByTestId('tab-mine').click();
  await staff.getByTestId('tasks').getByRole('link', { name: caseId }).click(WAIT);
  await staff.waitForURL(/\/staff\/tasks\/.+/);
  // Already theirs: no claim needed, the decision form is there.
  await staff.getByTestId('decision').waitFor(WAIT);
  await expect(staff.getByTestId('task-status').textContent()).resolves.toBe('办理中');
  await staff.getByTestId('decision-reject').click();
  await staff.getByLabel('驳回原因').fill('非转诊范围');
  await staff.getByTestId('submit-decision').click();
  await staff.getByTestId('confirm-decision').click();
  await staff.getByTestId('task-status').getByText('已办结').waitFor(WAIT);
  await shot(staff, '18-staff-decided-reassigned');
});
