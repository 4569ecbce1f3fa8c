/**
 * The chaos run's stays: a hospital (华西, `hosp-huaxi`) admitting, charging, discharging and settling
 * 符海燕 (insured in 海南, the one demo person no filing case uses) one stay after another through the
 * national envelope, while the faults strike. Each message is sent the way a HIS retries: once, once
 * more after its answer, or twice at the same moment — always with its msgid, so a resend after a
 * fault is the same message. What the platform answered with infcode 0 is what the invariants hold
 * it to (`stay-invariants.ts`).
 */
import { cstDate } from '../../cases/calendar';
import { HAINAN_LINES } from '../../db/scenario-hainan';
import { withCheckDigit } from '../../db/seed-data';
import type { Answer, ChaosClient } from './client';
import { rng, type Submission } from './plan';

export const STAY_PERSON = {
  username: 'fuhaiyan',
  psn_no: 'P46000000000002',
  certno: withCheckDigit('46010019800315004'),
  insutype: '390',
  insuplc_admdvs: '460000',
} as const;
const HOSPITAL = { username: 'hosp-huaxi', fixmedins_code: 'H51010000001', admvs: '510100' } as const;

export interface StayPlan {
  n: number;
  /** Indices into the seed story's fee lines (HAINAN_LINES): the stay's charges. */
  lines: number[];
  /** Fee lines uploaded in one 2301 or two. */
  batches: 1 | 2;
  /** One line cancelled (2302) before discharge. */
  cancelLine: boolean;
  /** A 2303 before the settlement (nothing recorded). */
  presettle: boolean;
  /** Settled, reversed (2305) and settled again. */
  reverse: boolean;
  /** How each message is sent, in order (cycled). */
  sends: Submission[];
}

export function planStays(seed: number, count: number): StayPlan[] {
  const random = rng(seed ^ 0x57a75);
  const plans: StayPlan[] = [];
  for (let n = 1; n <= count; n++) {
    const all = HAINAN_LINES.map((_, i) => i);
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [all[i], all[j]] = [all[j] as number, all[i] as number];
    }
    plans.push({
      n,
      lines: all.slice(0, 3 + Math.floor(random() * 6)).sort((a, b) => a - b),
      batches: random() < 0.5 ? 1 : 2,
      cancelLine: random() < 0.4,
      presettle: random() < 0.4,
      reverse: random() < 0.35,
      sends: Array.from(
        { length: 10 },
        () => (['once', 'once', 'retry', 'concurrent'] as const)[Math.floor(random() * 4)] as Submission,
      ),
    });
  }
  return plans;
}

/** How many messages a stay sends (each answered before the next goes): 2401, 2301s, 2302, 2303, 2402, 2304, 2305 + 2304. */
export function stayMessages(plan: StayPlan): number {
  return 1 + plan.batches + (plan.cancelLine ? 1 : 0) + (plan.presettle ? 1 : 0) + 2 + (plan.reverse ? 2 : 0);
}

export interface StayRecord {
  plan: StayPlan;
  /** The 2401's answer: the stay the platform acknowledged. */
  mdtrt_id: string | null;
  ipt_no: string;
  acknowledged: string[];
  /** Fee lines acknowledged and not cancelled: the stay's live lines. */
  liveLines: Set<string>;
  /** Every settlement and reversal answered with infcode 0, in order: setl_id and amounts in fen. */
  settlements: {
    setl_id: string;
    kind: 'SETTLEMENT' | 'REVERSAL';
    fund_pay_sumamt: number;
    medfee_sumamt: number;
  }[];
  /** Two answers to one msgid that differ. */
  doubledAnswers: string[];
  /** Where the lane stopped, and why (a refusal, no answer within the bound). */
  stalled: string | null;
  sentAt: number | null;
}

/** "16824.24" / "-16824.24" → fen, by the digits (never through floats). */
export function fenOf(yuan: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(yuan);
  if (!m) throw new Error(`not an amount: ${yuan}`);
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -fen : fen;
}

/** `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai, as a HIS writes times. */
function cstTime(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function lineTotal(pric: string, cnt: string): string {
  const fen = fenOf(pric) * Number(cnt);
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

/** Answers after which nothing was done for reasons of ours (or the first is still working): send the same msgid again. */
const resend = (a: Answer): boolean =>
  a.status === 0 || a.status >= 500 || [1006, 1007, 9001, 9002, 9999].includes(a.body?.infcode);

class Stall extends Error {}

export class StayRunner {
  private serial = 0;
  /** The lane's covering filing (an `other_temporary` to 成都), once. */
  filingKey: string;
  /** The stay being driven, if any: what a fault striking now falls into. */
  current: StayRecord | null = null;

  constructor(
    private readonly client: ChaosClient,
    private readonly seed: number,
    /** Called after every message answered with infcode 0: the fault plan waits on these. */
    private readonly onAnswer: () => void = () => {},
    /** Awaited before every message: holds the lane until the faults planned up to here have struck. */
    private readonly gate: (r: StayRecord) => Promise<void> = async () => {},
  ) {
    this.filingKey = `chaos-${seed}-stay-filing`;
  }

  /** 符海燕's filing to 成都, acknowledged and ACTIVE; false when the platform never got it there. */
  async cover(): Promise<string | null> {
    const filed = await this.client.call('POST', '/filings', {
      as: STAY_PERSON.username,
      key: this.filingKey,
      body: {
        category: 'other_temporary',
        mdtrtarea_admdvs: HOSPITAL.admvs,
        begndate: cstDate(Date.now()),
        tel: '13800000005',
        memo: 'chaos stays',
      },
      again: (a) =>
        a.status === 0 || a.status >= 500 || (a.status === 409 && a.body?.code === 'FILING_CONCURRENT'),
    });
    if (filed.status !== 202) return null;
    const id = filed.body.id as string;
    const until = Date.now() + 120_000;
    while (Date.now() < until) {
      const view = await this.client.call('GET', `/filings/${id}`, { as: STAY_PERSON.username });
      if (view.status === 200 && view.body.filing.status === 'ACTIVE') return id;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    return null;
  }

  async run(plan: StayPlan): Promise<StayRecord> {
    const record: StayRecord = {
      plan,
      mdtrt_id: null,
      ipt_no: `CH${this.seed}S${plan.n}`,
      acknowledged: [],
      liveLines: new Set(),
      settlements: [],
      doubledAnswers: [],
      stalled: null,
      sentAt: null,
    };
    this.current = record;
    try {
      await this.drive(plan, record);
    } catch (error) {
      record.stalled ??= error instanceof Stall ? error.message : `runner error: ${String(error)}`;
    } finally {
      this.current = null;
      this.onAnswer();
    }
    return record;
  }

  private async drive(plan: StayPlan, r: StayRecord): Promise<void> {
    const diseinfo = [
      { diag_type: '1', diag_srt_no: 1, diag_code: 'C50.900', diag_name: '乳腺恶性肿瘤', maindiag_flag: '1' },
    ];
    const begntime = Date.now();
    r.sentAt = begntime;
    const admitted = await this.send(r, '2401', {
      mdtrtinfo: {
        psn_no: STAY_PERSON.psn_no,
        insutype: STAY_PERSON.insutype,
        mdtrt_cert_type: '02',
        mdtrt_cert_no: STAY_PERSON.certno,
        med_type: '21',
        ipt_otp_no: r.ipt_no,
        begntime: cstTime(begntime),
        adm_dept_codg: 'A03.09',
        adm_dept_name: '乳腺外科',
        atddr_name: '李医生',
        adm_diag_dscr: '乳腺恶性肿瘤',
      },
      diseinfo,
    });
    r.mdtrt_id = admitted.result.mdtrt_id as string;
    const ref = { mdtrt_id: r.mdtrt_id, psn_no: STAY_PERSON.psn_no };

    const lines = plan.lines.map((index, i) => {
      const [code, name, pric, cnt] = HAINAN_LINES[index] as (typeof HAINAN_LINES)[number];
      return {
        feedetl_sn: String(i + 1).padStart(4, '0'),
        ...ref,
        drord_no: `YZ${plan.n}-${i + 1}`,
        fee_ocur_time: cstTime(begntime),
        med_list_codg: code,
        medins_list_codg: `HX${code.slice(0, 12)}`,
        medins_list_name: name,
        det_item_fee_sumamt: lineTotal(pric, cnt),
        cnt,
        pric,
        bilg_dept_codg: 'A03.09',
      };
    });
    const half = Math.ceil(lines.length / 2);
    const batches = plan.batches === 1 ? [lines] : [lines.slice(0, half), lines.slice(half)];
    for (const feedetail of batches) {
      await this.send(r, '2301', { feedetail });
      for (const l of feedetail) r.liveLines.add(l.feedetl_sn);
    }
    if (plan.cancelLine) {
      const sn = lines[0]?.feedetl_sn as string;
      await this.send(r, '2302', { data: { ...ref, feedetl_sn: sn } });
      r.liveLines.delete(sn);
    }
    if (plan.presettle) {
      const pre = await this.send(r, '2303', { data: { ...ref, acct_used_flag: '0', mid_setl_flag: '0' } });
      if (pre.setlinfo.setl_id !== '') throw new Stall(`2303 answered a setl_id: ${pre.setlinfo.setl_id}`);
    }
    await this.send(r, '2402', {
      dscginfo: {
        ...ref,
        endtime: cstTime(Date.now()),
        dscg_way: '1',
        dise_codg: 'C50.900',
        dise_name: '乳腺恶性肿瘤',
      },
      diseinfo,
    });
    await this.settle(r, ref);
    if (plan.reverse) {
      const first = r.settlements.at(-1)?.setl_id as string;
      const back = await this.send(r, '2305', { data: { ...ref, setl_id: first } });
      r.settlements.push({
        setl_id: back.setlinfo.setl_id,
        kind: 'REVERSAL',
        fund_pay_sumamt: fenOf(back.setlinfo.fund_pay_sumamt),
        medfee_sumamt: fenOf(back.setlinfo.medfee_sumamt),
      });
      await this.settle(r, ref);
    }
  }

  private async settle(r: StayRecord, ref: { mdtrt_id: string; psn_no: string }): Promise<void> {
    const s = await this.send(r, '2304', { data: { ...ref, acct_used_flag: '0', mid_setl_flag: '0' } });
    r.settlements.push({
      setl_id: s.setlinfo.setl_id,
      kind: 'SETTLEMENT',
      fund_pay_sumamt: fenOf(s.setlinfo.fund_pay_sumamt),
      medfee_sumamt: fenOf(s.setlinfo.medfee_sumamt),
    });
  }

  /**
   * One message, sent as the plan says and resent with its msgid until it is answered for good (or the
   * bound passes). Returns `output` of an infcode-0 answer; anything else stops the lane.
   */
  // biome-ignore lint/suspicious/noExplicitAny: the envelope's output, read field by field
  private async send(r: StayRecord, infno: string, input: Record<string, unknown>): Promise<any> {
    await this.gate(r);
    this.serial += 1;
    const how = r.plan.sends[(this.serial - 1) % r.plan.sends.length] as Submission;
    const msgid = `${HOSPITAL.fixmedins_code}C${this.seed}S${r.plan.n}N${this.serial}`;
    const body = {
      infno,
      msgid,
      mdtrtarea_admvs: HOSPITAL.admvs,
      insuplc_admdvs: STAY_PERSON.insuplc_admdvs,
      opter: 'CHAOS',
      opter_name: '混沌测试',
      fixmedins_code: HOSPITAL.fixmedins_code,
      fixmedins_name: '四川大学华西医院',
      input,
    };
    const post = () =>
      this.client.call('POST', '/hospital/transactions', {
        as: HOSPITAL.username,
        body,
        again: resend,
        withinMs: 180_000,
      });
    const answers = how === 'concurrent' ? await Promise.all([post(), post()]) : [await post()];
    if (how === 'retry') answers.push(await post());
    const [first] = answers as [Answer];
    if (resend(first))
      throw new Stall(
        `${infno} ${msgid}: no final answer within the bound (${first.status} ${first.body?.infcode ?? ''})`,
      );
    for (const other of answers.slice(1)) {
      if (!resend(other) && JSON.stringify(other.body) !== JSON.stringify(first.body))
        r.doubledAnswers.push(`${infno} ${msgid} (${how}): two different answers to one msgid`);
    }
    if (first.body?.infcode !== 0)
      throw new Stall(`${infno} ${msgid} refused: ${first.body?.infcode} ${first.body?.err_msg ?? ''}`);
    r.acknowledged.push(`${infno}${how === 'once' ? '' : ` (${how})`}`);
    this.onAnswer();
    return first.body.output;
  }
}
