import { z } from 'zod';
import { addDays, cstDate } from '../../cases/calendar';

/**
 * The primitives every request schema is built from, so the edge accepts exactly what the database
 * and the domain accept: real calendar dates (China Standard Time), text PostgreSQL can store (no NUL,
 * no lone surrogates), lengths within the columns, codes in their national shape. Messages are Chinese
 * and say what to fix; the field is named by the issue's path (and its label, see `FIELD_LABELS`).
 */

const DATE_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A plausible span for insurance dates; PostgreSQL would take year 1, the domain would not. */
const FIRST_YEAR = 1900;
const LAST_YEAR = 2199;

/** True for a `YYYY-MM-DD` that exists on the calendar (no 2026-02-31, 2026-13-01, 0000-00-00). */
export function isCalendarDate(value: string): boolean {
  const match = DATE_SHAPE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < FIRST_YEAR || year > LAST_YEAR || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A calendar date `YYYY-MM-DD` (Asia/Shanghai, as the agencies count days). */
export const calendarDate = z
  .string()
  .regex(DATE_SHAPE, { error: '请按 YYYY-MM-DD 填写日期，例如 2026-03-01', abort: true })
  .refine(isCalendarDate, {
    error: '这一天不存在，请填写真实的日期（月份 01–12，日期不超过当月天数）',
    abort: true,
  });

/** How far ahead of today (Shanghai) an admission date may lie: a clock or time-zone slip, not a plan. */
export const ADMISSION_TOLERANCE_DAYS = 1;

/** An admission that has happened: a real date, not after today (Shanghai) beyond the tolerance. */
export const pastAdmissionDate = calendarDate.refine(
  (value) => value <= addDays(cstDate(Date.now()), ADMISSION_TOLERANCE_DAYS),
  '入院日期不能晚于今天，请填写实际入院的日期',
);

/** A C0 control or DEL (NUL breaks PostgreSQL text and jsonb); multi-line text may keep tab, LF and CR. */
export function hasControl(value: string, multiline = false): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x7f || (c < 0x20 && !(multiline && (c === 0x09 || c === 0x0a || c === 0x0d)))) return true;
  }
  return false;
}

/** A high surrogate not followed by a low one, or a low one alone: not text, and PostgreSQL refuses it. */
export function hasLoneSurrogate(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return true;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/** Text a PostgreSQL column can store and a person can read; `max` is the column's length. */
export function text(opts: { max: number; min?: number; multiline?: boolean; required?: string }) {
  const min = opts.min ?? 0;
  return z
    .string()
    .max(opts.max, `最多 ${opts.max} 个字符，请缩短`)
    .refine((v) => !hasControl(v, opts.multiline), '含有控制字符（如 NUL），请删除后重新填写')
    .refine((v) => !hasLoneSurrogate(v), '含有无法识别的字符（不完整的 Unicode 代理对），请删除后重新填写')
    .refine((v) => min === 0 || v.trim().length >= min, opts.required ?? '此项必填，请填写');
}

/** 行政区划代码 / 统筹区编码: six digits, not starting with 0. */
export const admdvs = z.string().regex(/^[1-9]\d{5}$/, '请填写 6 位行政区划代码，例如 510100');

/** 人员编号 as the national platform issues it: letters and digits, up to the column's 30. */
export const psnNo = z.string().regex(/^[A-Za-z0-9]{1,30}$/, '人员编号应为 1–30 位字母或数字');

/** 定点医药机构编号: letters and digits, up to 30. */
export const fixmedinsCode = z.string().regex(/^[A-Za-z0-9]{1,30}$/, '机构编号应为 1–30 位字母或数字');

/** 就诊ID from the hospital's system: visible ASCII, up to 40. */
export const mdtrtId = z.string().regex(/^[\x21-\x7e]{1,40}$/, '就诊 ID 应为 1–40 位字母、数字或符号');

/** A mainland mobile number. */
export const mobile = z.string().regex(/^1\d{10}$/, '请填写 11 位手机号码，例如 13800000000');

/** ICD-10 style diagnosis code, e.g. `C34.901`. */
export const diagCode = z.string().regex(/^[A-Za-z0-9.+-]{1,20}$/, '诊断编码应为 1–20 位字母、数字或 . + -');

/** 转诊备案类型 as the insured place's dictionary codes it. */
export const reflFilType = z.string().regex(/^\d{1,6}$/, '转诊备案类型应为 1–6 位数字代码');

/** A login name: letters, digits and `._@-`, within the user table's 64. */
export const username = z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, '用户名应为 1–64 位字母、数字或 . _ @ -');

/** A password: any readable text up to 200 characters. */
export const password = text({ max: 200, min: 1, required: '请填写密码' });

/** An `Idempotency-Key` header: visible ASCII within the record's 128, e.g. a UUID. */
export const idempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,128}$/, '请使用 1–128 位可见 ASCII 字符，例如 UUID');

/**
 * A case or task id in a path: what our ids are made of (`filing-<psn_no>-<suffix>`,
 * `referral-…-t1`), within the 80 of the longest id column. Anything else names nothing.
 */
export const pathId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$/, '编号格式不正确');

/** Chinese names of request fields, so a message says which field to fix in words a person reads. */
export const FIELD_LABELS: Record<string, string> = {
  username: '用户名',
  password: '密码',
  category: '备案类别',
  mdtrtarea_admdvs: '就医地',
  fixmedins_code: '定点医疗机构',
  begndate: '开始日期',
  enddate: '结束日期',
  commitment: '承诺制',
  tel: '联系电话',
  addr: '居住地址',
  emergency_adm_date: '急诊入院日期',
  retro: '补备案',
  'retro.mdtrt_id': '就诊 ID',
  'retro.adm_date': '入院日期',
  referral: '转诊信息',
  'referral.refl_fil_type': '转诊备案类型',
  'referral.diag_code': '诊断编码',
  'referral.diag_name': '诊断名称',
  'referral.refl_hosp_name': '转出医院',
  'referral.refl_opinion': '转诊意见',
  'referral.documents': '转诊材料',
  documents: '材料',
  memo: '说明',
  reason: '原因',
  answer: '补充说明',
  decision: '审核结论',
  version: '任务版本',
  status: '状态',
  mine: '仅看我的',
  psn_no: '人员编号',
  page: '页码',
  page_size: '每页条数',
  id: '编号',
  'Idempotency-Key': '幂等键（Idempotency-Key）',
};

/** The label of a field path; array positions are dropped (`referral.documents.0` → 转诊材料). */
export function fieldLabel(path: string): string {
  const bare = path
    .split('.')
    .filter((part) => !/^\d+$/.test(part))
    .join('.');
  return FIELD_LABELS[bare] ?? FIELD_LABELS[bare.split('.').pop() ?? ''] ?? path;
}

const TYPE_NAMES: Record<string, string> = {
  string: '文本',
  number: '数字',
  int: '整数',
  boolean: '是或否（true/false）',
  object: '对象',
  array: '列表',
  null: '空值',
};

/**
 * Chinese messages for zod's own issues (a field missing, a wrong type, an unknown option…); the
 * primitives above carry their own. Installed once for the API by `api/schemas/index.ts`.
 */
export const zhErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return '此项必填，请填写';
      return `应为${TYPE_NAMES[issue.expected] ?? issue.expected}，请检查填写的内容`;
    case 'invalid_value':
      return `请从以下选项中选择：${issue.values.map(String).join('、')}`;
    case 'too_big':
      if (issue.origin === 'string') return `最多 ${issue.maximum} 个字符，请缩短`;
      if (issue.origin === 'array') return `最多 ${issue.maximum} 项，请减少`;
      return `不能大于 ${issue.maximum}`;
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1 ? '此项必填，请填写' : `至少 ${issue.minimum} 个字符`;
      if (issue.origin === 'array') return `至少 ${issue.minimum} 项`;
      return `不能小于 ${issue.minimum}`;
    case 'invalid_format':
      return '格式不正确，请检查';
    case 'not_multiple_of':
      return `应为 ${issue.divisor} 的倍数`;
    case 'unrecognized_keys':
      return `不认识的字段：${issue.keys.join('、')}，请删除`;
    case 'invalid_union':
      return '内容不符合任何一种允许的格式';
    default:
      return '内容不正确，请检查';
  }
};
