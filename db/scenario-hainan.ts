// The seed article's story as a demo scenario [U]: 王芳 (wangfang), insured in 海南, referred to 成都 and
// treated at 四川大学华西医院 for breast cancer. Chengdu's catalogue does not list the targeted drugs and
// the anti-adhesion film (丙, all self-paid); Hainan's lists them (乙). The direct settlement pays about a
// third of ~50,000; recomputed under Hainan's catalogue over 10,000 more would have been paid: a gap
// found and paid. Amounts are exact decimal strings, as a HIS sends them.
import { HAINAN_CASE_CODES } from './catalogue-data';
import { withCheckDigit } from './seed-data';

/** One fee line: [national code, hospital's own name, unit price (yuan), quantity, days after admission]. */
type Line = readonly [med_list_codg: string, name: string, pric: string, cnt: string, day: number];

export const HAINAN_LINES: readonly Line[] = [
  ['001107000010000', '普通病房床位费(三人间)', '60.00', '14', 13],
  ['001201000010000', '一级护理', '30.00', '14', 13],
  ['001107000040000', '重症监护病房床位费', '180.00', '3', 4],
  ['001202000010000', '重症监护(小时)', '15.00', '48', 4],
  ['003310000010000', '乳腺癌改良根治术', '3800.00', '1', 2],
  ['003310000030000', '前哨淋巴结活检术', '1200.00', '1', 2],
  ['003301000010000', '全身麻醉', '1200.00', '1', 2],
  ['003301000030000', '麻醉中监测(小时)', '20.00', '4', 2],
  ['003302000010000', '术后镇痛', '220.00', '1', 2],
  ['002701000010000', '病理检查(石蜡切片)', '200.00', '3', 3],
  ['002702000010000', '免疫组化染色', '120.00', '6', 3],
  ['002704000010000', '冰冻切片检查', '260.00', '1', 2],
  [HAINAN_CASE_CODES.her2_fish, 'HER2基因扩增检测(FISH)', '1600.00', '1', 4],
  ['002105000010000', '乳腺MRI增强扫描', '800.00', '1', 0],
  ['002107000010000', '乳腺及腋窝彩超', '120.00', '2', 0],
  ['002201000010000', '血常规', '25.00', '6', 0],
  ['002501000010000', '肝功能', '96.00', '3', 0],
  ['002502000010000', '肾功能', '27.00', '3', 0],
  ['002203000010000', '凝血四项', '80.00', '2', 1],
  ['XL01CDP025B002010101443', '注射用紫杉醇(白蛋白结合型) 100mg', '1980.00', '2', 6],
  ['XL01CDD095B002010101443', '多西他赛注射液 20mg', '1150.00', '2', 6],
  ['XL01DBE058B002010101443', '注射用盐酸表柔比星 10mg', '260.00', '6', 6],
  ['XL01XAK082B002010101443', '注射用卡铂 100mg', '180.00', '6', 6],
  ['XL03AAR032B002010101443', '聚乙二醇化重组人粒细胞刺激因子注射液', '3280.00', '1', 8],
  [HAINAN_CASE_CODES.port, '植入式给药装置(输液港)', '5800.00', '1', 5],
  ['C02020102000000000008', '一次性使用腹腔镜穿刺器', '900.00', '1', 2],
  ['XJ01DBT062B002010101443', '注射用头孢唑林钠 1g', '18.50', '12', 2],
  ['XB05BBL043B002010100212', '氯化钠注射液 250ml', '4.50', '30', 1],
  [HAINAN_CASE_CODES.trastuzumab, '注射用曲妥珠单抗 440mg', '5200.00', '2', 7],
  [HAINAN_CASE_CODES.pertuzumab, '帕妥珠单抗注射液 420mg', '4980.00', '1', 7],
  [HAINAN_CASE_CODES.anti_adhesion, '医用防粘连膜', '1500.00', '1', 2],
];

/** What the platform computes for this stay, to the fen (checked by test/compensation/hainan.test.ts). */
export const HAINAN_EXPECTED = {
  medfee_sumamt: '50036.00',
  fund_pay_sumamt: '16824.24',
  psn_part_amt: '33211.76',
  recomputed_fund_pay: '27533.27',
  gap: '10709.03',
} as const;

export const HAINAN_PERSON = {
  psn_no: 'P46000000000001',
  psn_name: '王芳',
  certno: withCheckDigit('46010019720921002'),
  insutype: '390',
  insuplc_admdvs: '460000',
} as const;

export const HAINAN_HOSPITAL = {
  fixmedins_code: 'H51010000001',
  fixmedins_name: '四川大学华西医院',
  mdtrtarea_admvs: '510100',
} as const;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The 2301 line total: cnt × pric to the fen, in integers (both have at most two decimals here). */
function lineTotal(pric: string, cnt: string): string {
  const fen = Math.round(Number(pric) * 100) * Number(cnt);
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

/** `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai, as a HIS writes times. */
function cstTime(ms: number): string {
  return new Date(ms + 8 * HOUR).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The scenario's transactions, dated from `now`: admitted 15 days ago at 09:00, discharged two days
 * ago. `{{mdtrt_id}}` stands for the id the 2401 answers with; the counter page fills it in.
 */
export function hainanScenario(
  now: Date,
  person: { psn_no: string; certno: string; insutype: string } = HAINAN_PERSON,
  ipt_otp_no = 'ZY2026HN0001',
) {
  const cstMidnight = Math.floor((now.getTime() + 8 * HOUR) / DAY) * DAY - 8 * HOUR;
  const admitted = cstMidnight - 15 * DAY + 9 * HOUR;
  const mdtrt_id = '{{mdtrt_id}}';
  const ref = { mdtrt_id, psn_no: person.psn_no };
  const diseinfo = [
    { diag_type: '1', diag_srt_no: 1, diag_code: 'C50.900', diag_name: '乳腺恶性肿瘤', maindiag_flag: '1' },
  ];
  return {
    title: '海南参保人在四川住院：目录差异与待遇补差',
    story:
      '王芳在海南参保，经转诊备案到成都四川大学华西医院住院治疗乳腺癌。曲妥珠单抗、帕妥珠单抗和防粘连膜在成都目录中为丙类（全自费），在海南目录中为乙类。直接结算后，系统按海南目录重算，发现差额超过一万元，由海南经办机构审核后支付。',
    person: HAINAN_PERSON,
    hospital: HAINAN_HOSPITAL,
    expected: HAINAN_EXPECTED,
    steps: [
      {
        infno: '2401',
        input: {
          mdtrtinfo: {
            psn_no: person.psn_no,
            insutype: person.insutype,
            mdtrt_cert_type: '02',
            mdtrt_cert_no: person.certno,
            med_type: '21',
            ipt_otp_no,
            begntime: cstTime(admitted),
            adm_dept_codg: 'A03.09',
            adm_dept_name: '乳腺外科',
            atddr_name: '李医生',
            adm_diag_dscr: '乳腺恶性肿瘤',
          },
          diseinfo,
        },
      },
      {
        infno: '2301',
        input: {
          feedetail: HAINAN_LINES.map(([code, name, pric, cnt, day], i) => ({
            feedetl_sn: String(i + 1).padStart(4, '0'),
            ...ref,
            drord_no: `YZ${String(i + 1).padStart(4, '0')}`,
            fee_ocur_time: cstTime(admitted + day * DAY + HOUR),
            med_list_codg: code,
            medins_list_codg: `HX${code.slice(0, 12)}`,
            medins_list_name: name,
            det_item_fee_sumamt: lineTotal(pric, cnt),
            cnt,
            pric,
            bilg_dept_codg: 'A03.09',
          })),
        },
      },
      {
        infno: '2402',
        input: {
          dscginfo: {
            ...ref,
            endtime: cstTime(admitted + 13 * DAY + 2 * HOUR),
            dscg_way: '1',
            dise_codg: 'C50.900',
            dise_name: '乳腺恶性肿瘤',
          },
          diseinfo,
        },
      },
      { infno: '2304', input: { data: { ...ref, acct_used_flag: '0', mid_setl_flag: '0' } } },
    ],
  };
}
