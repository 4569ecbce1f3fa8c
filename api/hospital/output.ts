import type { z } from 'zod';
import {
  type FeeUploadResult,
  LABELS,
  type ReversalResult,
  type SettlementResult,
  type StayState,
} from '../../cases';
import { formatRatio, type Ratio, SETLINFO_FIELDS } from '../../settlement';
import { e4String, isoToCst, yuan } from '../schemas/national';
import type {
  Output1101,
  Output2301,
  Output2305,
  OutputSettlement,
  OutputStay,
} from '../schemas/transactions';

/**
 * The national `output` nodes from the stay's answers: every documented field present and never null
 * (HIS code reads them without checking), amounts as two-decimal yuan strings, `feedetl_sn` and
 * quantities as strings, times as `yyyy-MM-dd HH:mm:ss` in China Standard Time. The types come from
 * the output schemas of `api/schemas/transactions.ts`, so a field missing here fails the type check.
 */

/** The person fields a settlement's setlinfo and 1101 carry. */
export interface PersonFacts {
  psn_no: string;
  psn_name: string;
  certno: string;
  gend: string;
  brdy: string;
  insutype: string;
  psn_type: string;
  insuplc_admdvs: string;
  insu_status: string;
  /** The personal account's balance in fen (as text: a bigint). */
  balc: string;
}

/** 在职 / 退休 as national 人员类别 codes (11 在职, 21 退休). */
const PSN_TYPE_CODES: Record<string, string> = { in_service: '11', retired: '21' };
/** 参保状态 as national 人员参保状态 codes (1 正常参保, 2 暂停参保, 4 终止参保). */
const INSU_STAS_CODES: Record<string, string> = { active: '1', suspended: '2', terminated: '4' };
/** 身份证 as 人员证件类型. */
const RESIDENT_ID = '01';

export const psnTypeCode = (psn_type: string): string => PSN_TYPE_CODES[psn_type] ?? psn_type;

/** Whole years of age on `at` (CST), from `yyyy-MM-dd`. */
export function ageOn(brdy: string, at: Date): number {
  const today = isoToCst(at).slice(0, 10);
  const years = Number(today.slice(0, 4)) - Number(brdy.slice(0, 4));
  return today.slice(5) < brdy.slice(5) ? years - 1 : years;
}

export function stayOutput(state: StayState): z.output<typeof OutputStay> {
  return {
    result: {
      mdtrt_id: state.mdtrt_id,
      psn_no: state.psn_no,
      ipt_otp_no: state.ipt_no,
      stay_stas: state.status,
      stay_stas_name: LABELS.stay_status[state.status],
      fee_cnt: state.fee_count,
      medfee_sumamt: yuan(state.medfee_sumamt),
    },
  };
}

export function feeOutput(result: FeeUploadResult): z.output<typeof Output2301> {
  return {
    result: result.result.map((line) => ({
      feedetl_sn: String(line.feedetl_sn),
      med_list_codg: line.med_list_codg,
      det_item_fee_sumamt: yuan(line.det_item_fee_sumamt),
      cnt: e4String(line.cnt_e4),
      pric: e4String(line.pric_e4),
      pric_uplmt_amt: yuan(line.pric_uplmt_amt),
      selfpay_prop: formatRatio(line.selfpay_prop as Ratio),
      fulamt_ownpay_amt: yuan(line.fulamt_ownpay_amt),
      overlmt_amt: yuan(line.overlmt_amt),
      preselfpay_amt: yuan(line.preselfpay_amt),
      inscp_scp_amt: yuan(line.inscp_scp_amt),
      chrgitm_lv: line.chrgitm_lv,
      memo: line.explanation ?? '',
    })),
  };
}

type Amounts = Record<(typeof SETLINFO_FIELDS)[number], string>;

function amountsOf(setlinfo: Record<(typeof SETLINFO_FIELDS)[number], number>): Amounts {
  return Object.fromEntries(SETLINFO_FIELDS.map((k) => [k, yuan(setlinfo[k] ?? 0)])) as Amounts;
}

/** 2303 (setl_id "") and 2304. `medins_setl_id` is the HIS's own settlement message id. */
export function settlementOutput(
  s: SettlementResult,
  person: PersonFacts,
  msgid: string,
): z.output<typeof OutputSettlement> {
  return {
    setlinfo: {
      mdtrt_id: s.mdtrt_id,
      setl_id: s.setl_id ?? '',
      psn_no: s.psn_no,
      psn_name: person.psn_name,
      psn_cert_type: RESIDENT_ID,
      certno: person.certno,
      gend: person.gend,
      brdy: person.brdy,
      insutype: s.insutype,
      psn_type: psnTypeCode(s.psn_type),
      setl_time: isoToCst(s.setl_time),
      ...amountsOf(s.setlinfo),
      clr_optins: s.clr_optins ?? '',
      clr_way: s.clr_way ?? '',
      clr_type: s.clr_type ?? '',
      medins_setl_id: msgid,
    },
    setldetail: s.setldetail.map((d) => ({
      fund_pay_type: d.fund_pay_type ?? '',
      inscp_scp_amt: yuan(d.inscp_scp_amt),
      crt_payb_lmt_amt: yuan(d.crt_payb_lmt_amt ?? 0),
      fund_payamt: yuan(d.fund_payamt),
      setl_proc_info: d.setl_proc_info,
    })),
  };
}

/** 2305: the reversing settlement, its amounts negative. */
export function reversalOutput(r: ReversalResult): z.output<typeof Output2305> {
  return {
    setlinfo: {
      mdtrt_id: r.mdtrt_id,
      setl_id: r.setl_id,
      init_setl_id: r.original_setl_id,
      setl_time: isoToCst(r.setl_time),
      ...amountsOf(r.setlinfo),
    },
  };
}

/** A filing as 1101's `filinfo` (our extension) shows it. */
export interface FilingFacts {
  category: string;
  status: string;
  mdtrtarea_admdvs: string;
  begndate: string;
  enddate: string | null;
}

/** A 人员身份 row as 1101's `idetinfo` shows it (dates as `yyyy-MM-dd`). */
export interface IdentityFacts {
  psn_idet_type: string;
  psn_type_lv: string;
  memo: string;
  begntime: string;
  endtime: string | null;
}

export function personOutput(
  p: PersonFacts,
  identities: IdentityFacts[],
  filings: FilingFacts[],
  now: Date,
): z.output<typeof Output1101> {
  return {
    baseinfo: {
      psn_no: p.psn_no,
      psn_cert_type: RESIDENT_ID,
      certno: p.certno,
      psn_name: p.psn_name,
      gend: p.gend,
      naty: '',
      brdy: p.brdy,
      age: ageOn(p.brdy, now),
    },
    insuinfo: [
      {
        balc: yuan(Number(p.balc)),
        insutype: p.insutype,
        psn_type: psnTypeCode(p.psn_type),
        psn_insu_stas: INSU_STAS_CODES[p.insu_status] ?? p.insu_status,
        psn_insu_date: '',
        paus_insu_date: '',
        cvlserv_flag: p.insutype === '320' ? '1' : '0',
        insuplc_admdvs: p.insuplc_admdvs,
        emp_name: '',
      },
    ],
    idetinfo: identities.map((i) => ({
      psn_idet_type: i.psn_idet_type,
      psn_type_lv: i.psn_type_lv,
      memo: i.memo,
      begntime: `${i.begntime} 00:00:00`,
      endtime: i.endtime === null ? '' : `${i.endtime} 23:59:59`,
    })),
    filinfo: filings.map((f) => ({
      fil_type: f.category,
      fil_stas: f.status,
      mdtrtarea_admdvs: f.mdtrtarea_admdvs,
      begndate: f.begndate,
      enddate: f.enddate ?? '',
    })),
  };
}
