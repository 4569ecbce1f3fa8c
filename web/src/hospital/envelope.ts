/**
 * The counter speaks to `POST /api/v1/hospital/transactions` as a HIS does: the national request
 * envelope around each transaction's `input`, and its answer's `infcode` (0 = done) and `err_msg`.
 * One place builds envelopes, so every screen sends the same message a real HIS would (`transact.ts`
 * sends them). Plain data (no DOM) so the Node tests import it.
 */

/** Who is at the counter: the hospital (定点医疗机构) and the operator (经办人). */
export interface Counter {
  fixmedins_code: string;
  fixmedins_name: string;
  /** 就医地医保区划: the national 定点医疗机构代码 is H + the 统筹区 code + a 5-digit number. */
  mdtrtarea_admvs: string;
  opter: string;
  opter_name: string;
}

/** A transaction the platform answered with a non-zero infcode: `err_msg` says what the hospital can do. */
export class EnvelopeRefusal extends Error {
  constructor(
    readonly infno: string,
    readonly infcode: string,
    readonly msgid: string,
  ) {
    super();
  }
}

export function counterOf(user: {
  username: string;
  display_name: string;
  fixmedins_code: string | null;
}): Counter {
  const code = user.fixmedins_code ?? '';
  return {
    fixmedins_code: code,
    fixmedins_name: user.display_name,
    mdtrtarea_admvs: /^[A-Z]\d{6}/.test(code) ? code.slice(1, 7) : '',
    opter: user.username,
    opter_name: user.display_name,
  };
}

/** `yyyy-MM-dd HH:mm:ss` in Beijing time: the national interface's time format. */
export function infTime(at: Date = new Date()): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

let sequence = Math.floor(Math.random() * 10_000);

/** The national msgid: 定点医疗机构代码 + yyyyMMddHHmmss + a 4-digit sequence, 30 characters for a 12-character code. */
export function newMsgid(fixmedins_code: string, at: Date = new Date()): string {
  sequence = (sequence + 1) % 10_000;
  return `${fixmedins_code}${infTime(at).replace(/\D/g, '')}${String(sequence).padStart(4, '0')}`;
}

export function envelope(
  counter: Counter,
  infno: string,
  input: unknown,
  insuplc_admdvs: string,
  msgid: string,
) {
  return {
    infno,
    msgid,
    mdtrtarea_admvs: counter.mdtrtarea_admvs,
    insuplc_admdvs,
    recer_sys_code: 'YIDI',
    dev_no: '',
    dev_safe_info: '',
    cainfo: '',
    signtype: '',
    infver: 'V1.0',
    opter_type: '1',
    opter: counter.opter,
    opter_name: counter.opter_name,
    inf_time: infTime(),
    fixmedins_code: counter.fixmedins_code,
    fixmedins_name: counter.fixmedins_name,
    sign_no: '',
    input,
  };
}
