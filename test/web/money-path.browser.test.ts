import path from 'node:path';
import iconv from 'iconv-lite';
import type { Page } from 'playwright-core';
import { cstDate } from '../../cases';
import { HAINAN_EXPECTED } from '../../db/scenario-hainan';
import { DEMO_PASSWORD, withCheckDigit } from '../../db/seed-data';
import { ARTIFACTS, browserPlatformForFile } from '../support/browser';
import { eventually } from '../support/eventually';
import { xlsx } from '../support/xlsx';

const WAIT = { timeout: 30_000 };

const p = browserPlatformForFile({ tokenSecret: 'money-path-secret' });

async function loggedIn(username: string, width = 1280) {
  const context = await p.browser.newContext({ locale: 'zh-CN', viewport: { width, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${p.base}/login`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/(citizen|staff|supervisor|hospital)\//);
  return page;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

async function call(username: string, method: string, url: string, body?: unknown) {
  const res = await fetch(`${p.base}/api/v1${url}`, {
    method,
    headers: {
      authorization: `Bearer ${await p.login(username)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(method === 'POST' && url === '/filings' ? { 'idempotency-key': crypto.randomUUID() } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** As in the seed story: wangfang (insured in 海南) is referred to 成都 and 海南's staff approve it (the filing pages are tested elsewhere). */
async function referredToChengdu() {
  const { id } = await call('wangfang', 'POST', '/filings', {
    category: 'referral',
    mdtrtarea_admdvs: '510100',
    fixmedins_code: 'H51010000001',
    begndate: cstDate(Date.now()),
    tel: '13800000046',
    referral: {
      refl_fil_type: '1',
      diag_name: '乳腺恶性肿瘤',
      refl_hosp_name: '海南省人民医院',
      documents: ['转诊证明.pdf'],
    },
  });
  const task = await eventually(async () => {
    const { items } = (await call('staff-hi', 'GET', '/tasks?page_size=50')) as {
      items: { id: string; case_id: string }[];
    };
    return items.find((t) => t.case_id === id);
  }, 30_000);
  const claimed = (await call('staff-hi', 'POST', `/tasks/${task.id}/claim`)) as { version: number };
  await call('staff-hi', 'POST', `/tasks/${task.id}/decision`, {
    decision: 'approve',
    version: claimed.version,
  });
  await eventually(async () => {
    const detail = (await call('wangfang', 'GET', `/filings/${id}`)) as { filing: { status: string } };
    return detail.filing.status === 'ACTIVE' ? true : undefined;
  }, 30_000);
}

/** "50036.00" → "50,036.00", as the pages write yuan. */
const grouped = (yuan: string) => yuan.replace(/\B(?=(\d{3})+\.)/g, ',');

// Excel's Chinese CSV: GB18030 bytes, Chinese headers.
const feesCsv = iconv.encode(
  [
    '医保目录编码,医院项目编码,项目名称,数量,单价',
    'SUR001,H-SUR-001,经皮冠状动脉支架置入术,1,8000',
    'DRG001,H-DRG-001,阿托伐他汀钙片,30,3.5',
    'DRG002,H-DRG-002,曲妥珠单抗注射液,2,1850.00',
    'MAT001,H-MAT-001,药物洗脱支架,1,3000',
  ].join('\r\n'),
  'gb18030',
);

test('the Hainan scenario from the counter: settled directly, a gap found, 海南 staff approve it after confirming, wangfang sees it paid', async () => {
  await referredToChengdu();
  const counter = await loggedIn('hosp-huaxi');
  await counter.getByTestId('load-scenario').click();
  await counter.getByTestId('scenario').waitFor(WAIT);
  expect(await counter.getByLabel('人员编号').inputValue()).toBe('P46000000000001');
  await counter.getByTestId('find-person').click();
  await counter.getByTestId('person').getByText('王芳').waitFor(WAIT);
  await counter.getByTestId('admit').click();
  await counter.getByTestId('mdtrt-id').waitFor(WAIT);
  const mdtrtId = (await counter.getByTestId('mdtrt-id').textContent()) ?? '';
  await counter.getByTestId('load-demo').click();
  await counter.getByTestId('fee-drafts').locator('tbody tr').nth(30).waitFor(WAIT);
  await counter.getByTestId('upload-fees').click();
  await counter.getByTestId('fee-lines').locator('tbody tr').nth(30).waitFor(WAIT);
  await expect(counter.getByTestId('fee-total').textContent()).resolves.toBe(
    `¥${grouped(HAINAN_EXPECTED.medfee_sumamt)}`,
  );
  await counter.getByTestId('discharge').click();
  await counter.getByTestId('counter-stay-status').getByText('已出院').waitFor(WAIT);
  await counter.getByTestId('settle').click();
  await counter.getByTestId('settlement').waitFor(WAIT);
  // The story's figures: the fund pays 16,824.24 of 50,036.00 directly.
  await expect(counter.getByTestId('settlement').getByTestId('setlinfo').textContent()).resolves.toContain(
    `¥${grouped(HAINAN_EXPECTED.fund_pay_sumamt)}`,
  );
  await shot(counter, 'm10-counter-hainan-settled');

  // The comparison under Hainan's catalogue finds the gap: a review task for 海南's staff.
  const staff = await loggedIn('staff-hi');
  const row = staff.getByTestId('tasks').locator('tr', { hasText: '待遇补差' });
  await row.first().waitFor(WAIT);
  await row.first().getByRole('link').click();
  await staff.waitForURL(/\/staff\/tasks\/.+/);
  const review = staff.getByTestId('compensation-review');
  await review.waitFor(WAIT);
  await expect(review.getByTestId('compensation-gap').textContent()).resolves.toBe(
    `¥${grouped(HAINAN_EXPECTED.gap)}`,
  );
  // Item by item: the targeted drugs are 丙 at 成都 and 乙 at 海南.
  await expect(review.getByTestId('compensation-items').textContent()).resolves.toContain('曲妥珠单抗');
  await staff.getByTestId('claim').click();
  await staff.getByTestId('decision').waitFor(WAIT);
  await staff.getByTestId('decision-approve').click();
  await staff.getByTestId('submit-decision').click();
  await staff.getByTestId('confirm-dialog').getByText('差额将支付给参保人').waitFor();
  await shot(staff, 'm11-staff-compensation-confirm');
  await staff.getByTestId('confirm-decision').click();
  await staff.getByTestId('task-status').getByText('已办结').waitFor(WAIT);

  const citizen = await loggedIn('wangfang');
  await citizen.goto(`${p.base}/citizen/stays/${mdtrtId}`);
  await citizen.getByTestId('compensation-status').getByText('已支付').waitFor(WAIT);
  await expect(citizen.getByTestId('compensation-gap').textContent()).resolves.toBe(
    `¥${grouped(HAINAN_EXPECTED.gap)}`,
  );
  await expect(citizen.getByTestId('compensation-decision').textContent()).resolves.toContain('批准补差');
  await expect(citizen.getByTestId('fund-split').textContent()).resolves.toContain(
    `医保基金支付 ¥${grouped(HAINAN_EXPECTED.fund_pay_sumamt)}`,
  );
  await shot(citizen, 'm12-citizen-compensation-paid');
}, 240_000);

// wangfang's referral to 成都 from the test above covers this second stay too.
test('the hospital counter admits wangfang, uploads fees by form and CSV, pre-settles, discharges and settles; she reads the explanation', async () => {
  const counter = await loggedIn('hosp-huaxi');
  expect(new URL(counter.url()).pathname).toBe('/hospital/counter');

  // 1101 and the filing check, by psn_no and the ID card.
  await counter.getByLabel('人员编号').fill('P46000000000001');
  await counter.getByLabel('身份证号').fill(withCheckDigit('46010019720921002'));
  await counter.getByTestId('find-person').click();
  await counter.getByTestId('person').getByText('王芳').waitFor(WAIT);
  await expect(counter.getByTestId('person-filings').textContent()).resolves.toContain('异地转诊');

  // 2401
  await counter.getByTestId('admit').click();
  await counter.getByTestId('mdtrt-id').waitFor(WAIT);
  const mdtrtId = (await counter.getByTestId('mdtrt-id').textContent()) ?? '';
  expect(mdtrtId).toMatch(/^510100\d{18}$/);

  // One line by the form (the amount is computed as the HIS would), four from a GB18030 CSV.
  await counter.getByLabel('医保目录编码').fill('BED001');
  await counter.getByLabel('项目名称').fill('床位费（三人间）');
  await counter.getByLabel('数量', { exact: true }).fill('5');
  await counter.getByLabel('单价（元）').fill('75');
  await expect(counter.getByTestId('line-amount').textContent()).resolves.toBe('375.00');
  await counter.getByTestId('add-fee').click();
  await counter
    .locator('#fee-csv')
    .setInputFiles({ name: '费用明细.csv', mimeType: 'text/csv', buffer: feesCsv });
  await expect(counter.getByTestId('import-note').textContent()).resolves.toContain('GB18030');
  await expect(counter.getByTestId('fee-drafts').locator('tbody tr').count()).resolves.toBe(5);
  await shot(counter, 'm01-counter-fee-drafts');

  // 2301: each line comes back with its classification by 成都's catalogue.
  await counter.getByTestId('upload-fees').click();
  const lines = counter.getByTestId('fee-lines');
  await lines.locator('tbody tr').nth(4).waitFor(WAIT);
  const classified = (await lines.textContent()) ?? '';
  expect(classified).toContain('丙类'); // DRG002, a targeted drug not covered in Sichuan
  expect(classified).toContain('甲类');
  expect(classified).toContain('曲妥珠单抗注射液');
  await expect(counter.getByTestId('fee-total').textContent()).resolves.toBe('¥15,180.00');

  // 2302: a line imported by mistake from an Excel workbook (.xlsx, read in the browser) is cancelled.
  await counter.locator('#fee-csv').setInputFiles({
    name: '补录.xlsx',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: xlsx(
      [
        ['医保目录编码', '项目名称', '数量', '单价'],
        ['DRG001', '误录', 1, 10],
      ],
      { deflate: true },
    ),
  });
  // The workbook is inflated asynchronously: wait for its note.
  await counter.getByTestId('import-note').filter({ hasText: '（Excel 工作簿）读入 1 条' }).waitFor(WAIT);
  await counter.getByTestId('upload-fees').click();
  await lines.locator('tbody tr').nth(5).waitFor(WAIT);
  await expect(counter.getByTestId('fee-total').textContent()).resolves.toBe('¥15,190.00');
  await lines.locator('tbody tr', { hasText: '误录' }).locator('.el-checkbox').click();
  await counter.getByTestId('cancel-fees').click();
  await counter.getByTestId('fee-total').getByText('¥15,180.00').waitFor(WAIT);

  // 2303: setlinfo and every setldetail step, nothing recorded.
  await counter.getByTestId('presettle').click();
  await counter.getByTestId('presettlement').waitFor(WAIT);
  await expect(counter.getByTestId('presettlement').textContent()).resolves.toContain('统筹基金');
  await expect(
    counter.getByTestId('presettlement').getByTestId('setldetail').locator('li').count(),
  ).resolves.toBeGreaterThan(1);
  await shot(counter, 'm02-counter-presettled');

  // Settling before discharge is refused in the platform's words; then 2402 and 2304.
  await counter.getByTestId('discharge').click();
  await counter.getByTestId('counter-stay-status').getByText('已出院').waitFor(WAIT);
  await counter.getByTestId('settle').click();
  await counter.getByTestId('setl-id').waitFor(WAIT);
  const firstSetl = (await counter.getByTestId('setl-id').textContent()) ?? '';
  expect(firstSetl).not.toBe('');
  await counter.getByTestId('counter-stay-status').getByText('已结算').waitFor(WAIT);
  await shot(counter, 'm03-counter-settled');

  // 2305 after confirming, and settle again: a new settlement id.
  await counter.getByTestId('reverse').click();
  await counter.getByTestId('confirm-reverse').click();
  await counter.getByTestId('counter-stay-status').getByText('已出院').waitFor(WAIT);
  await counter.getByTestId('settle').click();
  await counter.getByTestId('setl-id').waitFor(WAIT);
  expect(await counter.getByTestId('setl-id').textContent()).not.toBe(firstSetl);

  // The citizen, on a phone: 我的住院 → the stay → the explanation of benefits.
  const citizen = await loggedIn('wangfang', 390);
  await citizen.goto(`${p.base}/citizen/stays`);
  // Her two stays at 华西 are listed; this one is the ¥15,180.00 stay.
  await citizen
    .getByTestId('stays')
    .getByRole('link', { name: /四川大学华西医院.*¥15,180\.00/ })
    .click(WAIT);
  await citizen.waitForURL(/\/citizen\/stays\/.+/);
  expect(decodeURIComponent(citizen.url())).toContain(mdtrtId);
  await citizen.getByTestId('stay-status').getByText('已结算').waitFor(WAIT);
  const explanation = citizen.getByTestId('explanation');
  await explanation.waitFor(WAIT);
  // Which policy version, every step in words, and who paid what.
  await expect(citizen.getByTestId('policy').textContent()).resolves.toMatch(/第 \d+ 版/);
  const steps = explanation.getByTestId('setldetail').locator('li');
  expect(await steps.count()).toBeGreaterThan(1);
  expect(await steps.first().textContent()).toContain('费用分类');
  await expect(citizen.getByTestId('fund-split').textContent()).resolves.toMatch(
    /医保基金支付 ¥[\d,]+\.\d\d，个人负担 ¥[\d,]+\.\d\d，共 ¥15,180\.00/,
  );
  // Each fee line's classification and why, in Chinese; the cancelled line is marked.
  const fees = (await citizen.getByTestId('fee-lines').textContent()) ?? '';
  expect(fees).toContain('丙类');
  expect(fees).toContain('已撤销');
  expect(fees).not.toMatch(/\b(FEES_UPLOADED|SETTLED|chrgitm_lv)\b/);
  const width = () => citizen.evaluate<number>('document.scrollingElement.scrollWidth');
  expect(await width()).toBeLessThanOrEqual(390);
  await shot(citizen, 'm04-citizen-explanation');
  // The timeline tells the stay in words.
  await expect(citizen.getByTestId('stay-timeline').locator('[data-kind]').count()).resolves.toBeGreaterThan(
    3,
  );
}, 240_000);
