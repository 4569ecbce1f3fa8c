import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { isoToCst } from '../../api/schemas/national';
import { cstDate } from '../../cases';
import { DEMO_CLEARING_SETTLEMENTS, insertSettlements } from '../../db/clearing-demo';
import { User } from '../../db/entities';
import { hashPassword } from '../../db/password';
import { DEMO_PASSWORD, withCheckDigit } from '../../db/seed-data';
import { previousCstMonth } from '../../settlement/clearing-statement';
import { settledStay } from '../compensation/settled-stay';
import { ARTIFACTS, browserPlatformForFile } from '../support/browser';
import { eventually } from '../support/eventually';

/**
 * The seed story on screen (issue 13): 张伟, insured in 安徽, is treated at 海南省人民医院; his filing
 * to 海南 was lost on the insured side (cancelled, as a system upgrade did), so the settlement at
 * discharge fails and a ticket opens. 安徽's and 海南's coordinators work it in two browsers, each
 * seeing the other's comment by the page's polling; 安徽 restores the filing and both see the ticket
 * resolve. Then the month's clearing statement and the monitoring dashboard.
 */

const WAIT = { timeout: 30_000 };
const SLOW = { timeout: 90_000 };

const ZHANGWEI = { psn_no: 'P34010000000001', certno: withCheckDigit('34010219800312001') };
/** 海南省人民医院: no demo login of its own, so the test gives it one (the demo's only HIS is 华西). */
const HNPH = { username: 'hosp-hnph', fixmedins_code: 'H46000000001', fixmedins_name: '海南省人民医院' };

const p = browserPlatformForFile({ tokenSecret: 'coordination-secret' }, async (p) => {
  await p.orm.em.fork().insert(User, {
    id: randomUUID(),
    username: HNPH.username,
    display_name: '海南省人民医院 医保办',
    role: 'hospital',
    prov_admdvs: null,
    psn_no: null,
    fixmedins_code: HNPH.fixmedins_code,
    password_hash: await hashPassword(DEMO_PASSWORD),
    created_at: new Date(),
  });
});

/** A coordinator in a browser context of their own (separate storage: two people, two machines). */
async function coordinator(username: string, width: number): Promise<Page> {
  const context = await p.browser.newContext({ locale: 'zh-CN', viewport: { width, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${p.base}/login`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/home/);
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
      ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

let serial = 0;
/** One national message from 海南省人民医院's HIS (the envelope a HIS sends; test/support/his.ts's shape). */
async function his(infno: string, input: Record<string, unknown>) {
  serial += 1;
  const answer = await call(HNPH.username, 'POST', '/hospital/transactions', {
    infno,
    msgid: `${HNPH.fixmedins_code}${Date.now()}${String(serial).padStart(4, '0')}`,
    mdtrtarea_admvs: '460000',
    insuplc_admdvs: '340100',
    recer_sys_code: 'YIDI',
    dev_no: '',
    dev_safe_info: '',
    cainfo: '',
    signtype: '',
    infver: 'V1.0',
    opter_type: '1',
    opter: 'HIS001',
    opter_name: '收费员 吴琳',
    inf_time: isoToCst(new Date()),
    fixmedins_code: HNPH.fixmedins_code,
    fixmedins_name: HNPH.fixmedins_name,
    sign_no: '',
    input,
  });
  return answer as { infcode: number; err_msg: string; output: Record<string, unknown> };
}

/** 张伟's filing to 海南 becomes active and is then lost on the insured side; his stay's settlement fails. */
async function stuckStay(): Promise<string> {
  const { id } = (await call('zhangwei', 'POST', '/filings', {
    category: 'other_temporary',
    mdtrtarea_admdvs: '460000',
    begndate: cstDate(Date.now()),
    tel: '13800000034',
  })) as { id: string };
  const status = (want: string) =>
    eventually(async () => {
      const detail = (await call('zhangwei', 'GET', `/filings/${id}`)) as { filing: { status: string } };
      return detail.filing.status === want ? true : undefined;
    }, 30_000);
  await status('ACTIVE');
  await call('zhangwei', 'POST', `/filings/${id}/cancel`, { reason: '系统升级时备案记录被误删' });
  await status('CANCELLED');

  const now = () => isoToCst(new Date());
  const admitted = await his('2401', {
    mdtrtinfo: {
      psn_no: ZHANGWEI.psn_no,
      insutype: '310',
      mdtrt_cert_type: '02',
      mdtrt_cert_no: ZHANGWEI.certno,
      med_type: '21',
      ipt_otp_no: `ZY${Date.now()}`,
      begntime: now(),
      adm_dept_codg: 'A03',
      adm_dept_name: '普外科',
      chfpdr_name: '陈医生',
      adm_diag_dscr: '胆囊结石',
    },
    diseinfo: [
      { diag_type: '1', diag_srt_no: 1, diag_code: 'K80.2', diag_name: '胆囊结石', maindiag_flag: '1' },
    ],
  });
  expect([admitted.infcode, admitted.err_msg]).toEqual([0, '']);
  const mdtrt_id = (admitted.output as { result: { mdtrt_id: string } }).result.mdtrt_id;
  const fee = (sn: string, code: string, cnt: string, pric: string, sumamt: string) => ({
    feedetl_sn: sn,
    mdtrt_id,
    psn_no: ZHANGWEI.psn_no,
    fee_ocur_time: now(),
    med_list_codg: code,
    medins_list_codg: `H-${code}`,
    det_item_fee_sumamt: sumamt,
    cnt,
    pric,
    bilg_dept_codg: 'A03',
  });
  const uploaded = await his('2301', {
    feedetail: [fee('1', 'SUR001', '1', '12000', '12000.00'), fee('2', 'DRG001', '20', '15', '300.00')],
  });
  expect(uploaded.infcode).toBe(0);
  const discharged = await his('2402', {
    dscginfo: {
      mdtrt_id,
      psn_no: ZHANGWEI.psn_no,
      endtime: now(),
      dise_codg: 'K80.2',
      dise_name: '胆囊结石',
      dscg_way: '1',
    },
    diseinfo: [],
  });
  expect(discharged.infcode).toBe(0);
  const settle = await his('2304', {
    data: { mdtrt_id, psn_no: ZHANGWEI.psn_no, acct_used_flag: '1', mid_setl_flag: '0' },
  });
  // No filing: refused, and the refusal opens a ticket by itself (routed to the insured side).
  expect(settle.infcode).not.toBe(0);
  return mdtrt_id;
}

test('安徽 and 海南 coordinators work one ticket in two browsers: each sees the other’s comment, 安徽 restores the filing, both see it resolved; then the clearing statement and monitoring', async () => {
  const mdtrt_id = await stuckStay();
  const ticket = await eventually(async () => {
    const board = (await call('coord-ah', 'GET', '/tickets')) as {
      items: { ticket_id: string; mdtrt_id: string }[];
    };
    return board.items.find((t) => t.mdtrt_id === mdtrt_id);
  }, 60_000);

  const ah = await coordinator('coord-ah', 1280);
  // 海南's coordinator on a phone.
  const hi = await coordinator('coord-hi', 390);

  // 安徽 finds it on the board, filtered by first responder (kept in the URL) with its count.
  await ah.getByRole('link', { name: '问题协同' }).first().click();
  await ah.waitForURL(/\/coordination\/tickets/);
  await ah.goto(`${p.base}/coordination/tickets?first_responder=insured`);
  const row = ah.getByTestId('tickets').locator('tr', { hasText: ticket.ticket_id });
  await row.waitFor(WAIT);
  await expect(row.textContent()).resolves.toContain('张*');
  await expect(ah.getByTestId('ticket-counts').textContent()).resolves.toContain('处理中 1');
  await shot(ah, 'c01-coord-ah-board');
  await row.getByRole('link', { name: ticket.ticket_id }).click();
  await ah.waitForURL(new RegExp(`/coordination/tickets/${ticket.ticket_id}$`));
  await ah.getByTestId('ticket-header').getByText('备案信息缺失').waitFor(WAIT);
  await expect(ah.getByTestId('viewer-side').textContent()).resolves.toContain('参保地');
  await expect(ah.getByTestId('stay-status').textContent()).resolves.toContain('结算受阻');

  await hi.goto(`${p.base}/coordination/tickets/${ticket.ticket_id}`);
  await expect(hi.getByTestId('viewer-side').textContent()).resolves.toContain('就医地');
  // 海南 is not the first responder here: no restore button on its side.
  await hi.getByTestId('ticket-actions').waitFor(WAIT);
  expect(await hi.getByTestId('action-restore_filing').count()).toBe(0);

  // Each side's comment reaches the other without a reload.
  await ah.getByLabel('留言', { exact: true }).fill('安徽：系统升级时误删了备案，正在按备案记录恢复。');
  await ah.getByTestId('post-comment').click();
  await hi.getByTestId('ticket-comments').getByText('系统升级时误删了备案').waitFor(WAIT);

  await hi.getByTestId('comment-file').setInputFiles({
    name: '结算失败截图.png',
    mimeType: 'image/png',
    buffer: Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
      'base64',
    ),
  });
  await hi.getByTestId('ticket-comments').getByText('结算失败截图.png').waitFor(WAIT);
  await hi.getByLabel('留言', { exact: true }).fill('海南：收到，恢复后我院重新结算。');
  await hi.getByTestId('post-comment').click();
  const fromHainan = ah.getByTestId('comment').filter({ hasText: '恢复后我院重新结算' });
  await fromHainan.waitFor(WAIT);
  await expect(fromHainan.getAttribute('data-side')).resolves.toBe('treatment');
  await expect(fromHainan.textContent()).resolves.toContain('结算失败截图.png');
  // The attachment downloads on the other side.
  const download = ah.waitForEvent('download');
  await fromHainan.getByRole('button', { name: '下载 结算失败截图.png' }).click();
  expect((await download).suggestedFilename()).toBe('结算失败截图.png');
  await shot(hi, 'c02-coord-hi-ticket-phone');

  // 安徽 restores the filing: the stay settles again by itself, and both pages show the ticket resolved.
  await ah.getByTestId('action-restore_filing').click();
  await ah.getByTestId('action-dialog').getByLabel('说明（对方可见）').fill('已按备案记录恢复');
  await ah.getByTestId('confirm-action').click();
  await ah.getByTestId('ticket-status').getByText('已解决').waitFor(SLOW);
  await hi.getByTestId('ticket-status').getByText('已解决').waitFor(SLOW);
  await hi.getByTestId('stay-status').getByText('已结算').waitFor(SLOW);
  // 海南 reads what 安徽 did, and when.
  await expect(hi.getByTestId('action-log').textContent()).resolves.toContain('恢复备案');
  await expect(hi.getByTestId('action-log').textContent()).resolves.toContain('已按备案记录恢复');
  await shot(ah, 'c03-coord-ah-ticket-resolved');

  // Last month's clearing (a month must have ended to clear), run now by 安徽's staff over last month's
  // settlements of 安徽 insured treated in 成都: the pair's statement, split, with its settlements.
  const month = previousCstMonth(Date.now());
  await insertSettlements(p.orm.em.getKnex(), month, DEMO_CLEARING_SETTLEMENTS);
  await call('staff-ah', 'POST', '/clearing', { clr_month: month });
  const pair = '340000-510000';
  await eventually(async () => {
    const list = (await call('coord-ah', 'GET', `/clearing?clr_month=${month}`)) as unknown as {
      pair_id: string;
    }[];
    return list.find((s) => s.pair_id === pair);
  }, 60_000);
  await ah.goto(`${p.base}/coordination/clearing?month=${month}`);
  await ah.getByTestId(`pair-${pair}`).click();
  const lines = ah.getByTestId('statement-lines');
  await lines.getByText('职工基本医疗保险').first().waitFor(WAIT);
  await expect(lines.textContent()).resolves.toContain('统筹基金等');
  await expect(lines.textContent()).resolves.toContain('医疗救助');
  expect(await lines.locator('tbody tr').count()).toBeGreaterThanOrEqual(3);
  await ah.getByTestId('clearing-chart').locator('svg rect').first().waitFor(WAIT);
  await ah.getByTestId('statement-settlements').getByText('DMC0001S01').first().waitFor(WAIT);
  expect(await ah.getByTestId('export-csv').isVisible()).toBe(true);
  await shot(ah, 'c04-coord-ah-clearing');

  // 运行监测 for 海南: the rate against the 70% target, with its chart.
  await hi.goto(`${p.base}/monitoring`);
  await expect(hi.getByTestId('direct-rate').textContent()).resolves.toMatch(/%$/);
  await hi.getByTestId('rate-chart').locator('svg').waitFor(WAIT);
  await expect(hi.getByTestId('monitoring-kpis').textContent()).resolves.toContain('国家目标 ≥ 70%');
  await shot(hi, 'c05-coord-hi-monitoring-phone');
}, 300_000);

test('海南’s coordinator finds a settled stay above the threshold and requests a 费用协查 from the fee-check screen', async () => {
  const person = {
    psn_no: 'P46000000000001',
    psn_name: '王芳',
    insuplc_admdvs: '460000',
    insutype: '390' as const,
    mdtrtarea_admvs: '510100',
    fixmedins_code: 'H51010000001',
    fixmedins_name: '四川大学华西医院',
    endtime: new Date(Date.now() - 86_400_000),
  };
  // 32,000.00 yuan (above the 30,000 threshold) and 2,600.00 yuan (below it).
  const big = await settledStay(p.orm, { ...person, lines: [['003310000010000', 3_200_000, 1]] });
  const small = await settledStay(p.orm, { ...person, lines: [['003311000010000', 260_000, 1]] });
  const hi = await coordinator('coord-hi', 1280);
  await hi.goto(`${p.base}/coordination/fee-checks`);
  const form = hi.getByTestId('fee-check-request');
  // Below the threshold: nothing to request, and the page says why.
  await form.getByLabel('结算ID或人员编号').fill(small.setl_id);
  await form.getByTestId('find-candidates').click();
  await expect(form.getByTestId('no-candidates').textContent()).resolves.toContain('协查起点');
  await form.getByLabel('结算ID或人员编号').fill(big.setl_id);
  await form.getByTestId('find-candidates').click();
  await form.getByTestId('candidates').getByText(big.setl_id).click();
  await form.getByLabel(/协查原因/).fill('手术费用明显高于同类病例');
  await form.getByTestId('request-fee-check').click();
  // The check is in this month's batch on the same screen.
  await hi.getByTestId('fee-check').getByText(`结算号 ${big.setl_id}`).waitFor(WAIT);
  await expect(hi.getByTestId('fee-check').first().textContent()).resolves.toContain(
    '手术费用明显高于同类病例',
  );
  await shot(hi, 'c06-coord-hi-fee-check-request');
}, 180_000);
