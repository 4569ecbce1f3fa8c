import type { Express } from 'express';
import request from 'supertest';
import { cstDate } from '../../cases';
import { Filing, HospitalMessage } from '../../db/entities';
import type { Orm } from '../../db/orm';
import { withCheckDigit } from '../../db/seed-data';
import { eventually } from './eventually';
import { type TestPlatform, type TestPlatformOptions, testPlatformForFile } from './platform';

/**
 * A HIS talking to us as it talks to the national platform: the request envelope around an `input`,
 * a fresh msgid per message (the national shape: institution code + time + serial).
 */
let serial = 0;

export const HUAXI = { fixmedins_code: 'H51010000001', fixmedins_name: '四川大学华西医院', admvs: '510100' };

/** 王芳, the demo citizen of 海南 whose stays at 华西 the HIS tests drive (her card's certno). */
export const WANGFANG = { psn_no: 'P46000000000001', certno: withCheckDigit('46010019720921002') };

export function newMsgid(fixmedins_code = HUAXI.fixmedins_code): string {
  serial += 1;
  return `${fixmedins_code}${Date.now()}${String(serial).padStart(4, '0')}`;
}

export function envelope(
  infno: string,
  input: Record<string, unknown>,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    infno,
    msgid: newMsgid(),
    mdtrtarea_admvs: HUAXI.admvs,
    insuplc_admdvs: '460000',
    recer_sys_code: 'YIDI',
    dev_no: '',
    dev_safe_info: '',
    cainfo: '',
    signtype: '',
    infver: 'V1.0',
    opter_type: '1',
    opter: 'HIS001',
    opter_name: '收费员 赵敏',
    inf_time: '2026-03-01 08:30:00',
    fixmedins_code: HUAXI.fixmedins_code,
    fixmedins_name: HUAXI.fixmedins_name,
    sign_no: '',
    input,
    ...over,
  };
}

export interface Answer {
  infcode: number;
  inf_refmsgid: string;
  refmsg_time: string;
  respond_time: string;
  err_msg: string;
  output: Record<string, unknown>;
}

/** Sends one message; the raw text too, for the byte-for-byte replay checks. */
export async function send(
  app: Express,
  auth: { Authorization: string },
  body: unknown,
): Promise<{ status: number; answer: Answer; text: string }> {
  const res = await request(app)
    .post('/api/v1/hospital/transactions')
    .set(auth)
    .send(body as object);
  return { status: res.status, answer: res.body as Answer, text: res.text };
}

/** A demo citizen's temporary filing to 成都 from today, awaited until it is ACTIVE: the stay's coverage. */
export async function activeFilingToChengdu(
  p: TestPlatform,
  username: string,
  psn_no: string,
  tel = '13800000003',
): Promise<void> {
  await request(p.app)
    .post('/api/v1/filings')
    .set(await p.as(username))
    .send({ category: 'other_temporary', mdtrtarea_admdvs: HUAXI.admvs, begndate: cstDate(Date.now()), tel })
    .expect(202);
  await eventually(
    async () => (await p.orm.em.fork().findOne(Filing, { psn_no, status: 'ACTIVE' })) ?? undefined,
  );
}

/** A message row as an earlier request left it (for the replay, takeover and in-flight checks). */
export async function storedMessage(
  orm: Orm,
  row: Pick<HospitalMessage, 'fixmedins_code' | 'msgid' | 'infno' | 'request_hash'> &
    Partial<Pick<HospitalMessage, 'status' | 'mdtrt_id' | 'psn_no' | 'infcode' | 'answer' | 'claimed_at'>>,
): Promise<void> {
  await orm.em.fork().insert(HospitalMessage, {
    status: 'pending',
    mdtrt_id: null,
    psn_no: null,
    infcode: null,
    answer: null,
    claimed_at: null,
    ...row,
    created_at: new Date(),
    answered_at: row.status === 'answered' ? new Date() : null,
  });
}

/**
 * A HIS test file's platform (`testPlatformForFile`) with 华西's token as `his`; with `filing`, 王芳's
 * filing to 成都 is ACTIVE first (her stays' coverage).
 */
export function hisPlatform(
  options: { filing?: boolean } & TestPlatformOptions = {},
): TestPlatform & { his: { Authorization: string } } {
  const { filing = false, ...platform } = options;
  return testPlatformForFile(platform, async (p) => {
    const his = await p.as('hosp-huaxi');
    if (filing) await activeFilingToChengdu(p, 'wangfang', WANGFANG.psn_no);
    return { his };
  });
}
