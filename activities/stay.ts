import { createHash } from 'node:crypto';
import type { Knex } from '@mikro-orm/knex';
import {
  type Admission,
  cstDate,
  type FeeDetailIn,
  type FeeLineResult,
  STAY_REFUSALS,
  type StayCoverage,
  type StayRefusalCode,
} from '../cases';
import { loadCatalogue } from '../db/catalogue';
import { type Filing, provinceOf, type Snapshot, type Stay } from '../db/entities';
import {
  type Catalogue,
  type ChrgitmLv,
  classify,
  type Fen,
  formatRatio,
  formatYuan,
  ratio,
} from '../settlement';
import type { ActivityDeps } from './deps';
import { type EventRow, trxOf, upsertWithEvents } from './projection';

/** A transaction the stay refuses: the workflow answers the hospital with it (never retried). */
export interface StayRefusal {
  refused: { code: StayRefusalCode; message: string; details?: Record<string, unknown> };
}
export const refused = (
  code: StayRefusalCode,
  message: string,
  details?: Record<string, unknown>,
): StayRefusal => ({ refused: { code, message, ...(details ? { details } : {}) } });

export interface AdmissionChecked {
  psn_name: string;
  insuplc_admdvs: string;
  prov_admdvs: string;
  fixmedins_name: string;
  coverage: StayCoverage;
}

/** The stay row as the workflow projects it (derived from the entity). */
export type StaySnapshot = Omit<Snapshot<Stay>, 'created_at'>;

export interface FeeTotals {
  fee_count: number;
  medfee_sumamt: number;
}

/** Stays that still hold a bed (在院, until 2402): a person with one cannot be admitted again. */
const OPEN_STAYS = ['ADMITTED', 'FEES_UPLOADED', 'PRESETTLED'];

/** A filing for `area` covers a stay there: filings to a province (直辖市, 海南…) cover its cities. */
export function filingCoversArea(filingArea: string, area: string): boolean {
  return filingArea === area || filingArea === provinceOf(area);
}

/**
 * The filing that covers a stay admitted on `admDate` (CST) in `area`: a filing active now, or one
 * that was active on the admission date and expired since (it keeps covering the stay), whose
 * validity includes the admission date. 补备案 filings are found the same way (begndate ≤ admission).
 */
export async function coveringFiling(
  trx: Knex | Knex.Transaction,
  psn_no: string,
  area: string,
  admDate: string,
): Promise<{ covering: Filing | null; elsewhere: Filing | null }> {
  const rows: Filing[] = await trx('filing')
    .where({ psn_no })
    .whereIn('status', ['ACTIVE', 'EXPIRED'])
    .where('begndate', '<=', admDate)
    .andWhere((q) => q.whereNull('enddate').orWhere('enddate', '>=', admDate))
    .orderBy('created_at', 'desc');
  const covering = rows.find((f) => filingCoversArea(f.mdtrtarea_admdvs, area)) ?? null;
  const elsewhere = rows.find((f) => f.status === 'ACTIVE' && !filingCoversArea(f.mdtrtarea_admdvs, area));
  return { covering, elsewhere: elsewhere ?? null };
}

/**
 * The person's filing for `area` that had ended before the admission date (`enddate` < admDate), when
 * it is the one they had: a filing that expires during the stay still covers it (`coveringFiling`).
 */
export async function expiredFiling(
  trx: Knex | Knex.Transaction,
  psn_no: string,
  area: string,
  admDate: string,
): Promise<{ filing_id: string; enddate: string } | null> {
  const rows: { id: string; enddate: string | Date; mdtrtarea_admdvs: string }[] = await trx('filing')
    .where({ psn_no })
    .whereIn('status', ['ACTIVE', 'EXPIRED'])
    .whereNotNull('enddate')
    .where('enddate', '<', admDate)
    .orderBy('enddate', 'desc')
    .select('id', 'enddate', 'mdtrtarea_admdvs');
  const f = rows.find((r) => filingCoversArea(r.mdtrtarea_admdvs, area));
  return f ? { filing_id: f.id, enddate: dateText(f.enddate) } : null;
}

/** A date column as the driver gives it (a string, or a Date at local midnight). */
export const dateText = (d: string | Date) =>
  typeof d === 'string'
    ? d.slice(0, 10)
    : `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export function coverageOf(f: Filing): StayCoverage {
  return f.category === 'emergency'
    ? { kind: 'emergency', filing_id: f.id }
    : { kind: 'filing', filing_id: f.id, category: f.category };
}

/** The HIS's fields of a line, hashed: the same feedetl_sn with the same content is the same line. */
function contentHash(line: FeeDetailIn): string {
  const fields = [
    line.rx_drord_no,
    line.med_list_codg,
    line.medins_list_codg,
    line.medins_list_name,
    new Date(line.fee_ocur_time).toISOString(),
    line.cnt_e4,
    line.pric_e4,
    line.det_item_fee_sumamt,
    line.bilg_dept_codg,
    line.bilg_dr_codg,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

const LV_NAMES: Record<ChrgitmLv, string> = { '01': '甲类', '02': '乙类', '03': '丙类' };

/** One line classified by the catalogue, with the reason in plain Chinese (the 2301 `result`). */
export function classifyLine(
  line: Pick<FeeDetailIn, 'feedetl_sn' | 'med_list_codg' | 'det_item_fee_sumamt' | 'cnt_e4' | 'pric_e4'>,
  cat: Catalogue,
): FeeLineResult | StayRefusal {
  const entry = cat.entries.get(line.med_list_codg);
  const t = classify(
    [
      {
        feedetl_sn: line.feedetl_sn,
        med_list_codg: line.med_list_codg,
        det_item_fee_sumamt: line.det_item_fee_sumamt as Fen,
        cnt_e4: line.cnt_e4,
      },
    ],
    cat,
  );
  if (!t.ok) {
    return entry === undefined
      ? refused(
          STAY_REFUSALS.CATALOGUE_CODE_UNMAPPED,
          `费用明细 ${line.feedetl_sn}：医保目录编码 ${line.med_list_codg} 不在就医地（${cat.admvs}）目录中，请核对对照后重新上传`,
          { feedetl_sn: line.feedetl_sn, med_list_codg: line.med_list_codg },
        )
      : refused(
          STAY_REFUSALS.FEE_LINE_CONFLICT,
          `费用明细 ${line.feedetl_sn}：数量或金额超出可受理范围（${t.errors.map((e) => e.message).join('；')}）`,
          { feedetl_sn: line.feedetl_sn },
        );
  }
  const v = t.value;
  const lv: ChrgitmLv = entry?.chrgitm_lv ?? '03';
  const prop = entry?.chrgitm_lv === '02' ? entry.selfpay_prop : ratio(0);
  const limit = entry?.pric_uplmt_amt ?? 0;
  const parts: string[] = [];
  if (entry === undefined)
    parts.push(`就医地（${cat.admvs}）目录未收录 ${line.med_list_codg}，按丙类全额自费`);
  else {
    parts.push(`就医地（${cat.admvs}）目录：${LV_NAMES[lv]}`);
    if (lv === '03') parts.push('全额自费');
    if (lv === '02')
      parts.push(`先行自付比例 ${formatRatio(prop)}，先行自付 ${formatYuan(v.preselfpay_amt)}`);
    if (entry.pric_uplmt_amt !== null)
      parts.push(
        v.overlmt_selfpay > 0
          ? `限价 ${formatYuan(entry.pric_uplmt_amt)}/单位，超限价 ${formatYuan(v.overlmt_selfpay)} 自费`
          : `限价 ${formatYuan(entry.pric_uplmt_amt)}/单位，未超限价`,
      );
  }
  parts.push(`符合范围 ${formatYuan(v.inscp_scp_amt)}`);
  return {
    feedetl_sn: line.feedetl_sn,
    med_list_codg: line.med_list_codg,
    det_item_fee_sumamt: line.det_item_fee_sumamt,
    cnt_e4: line.cnt_e4,
    pric_e4: line.pric_e4,
    chrgitm_lv: lv,
    selfpay_prop: prop,
    pric_uplmt_amt: limit,
    fulamt_ownpay_amt: v.fulamt_ownpay_amt,
    overlmt_amt: v.overlmt_selfpay,
    preselfpay_amt: v.preselfpay_amt,
    inscp_scp_amt: v.inscp_scp_amt,
    explanation: parts.join('；'),
  };
}

async function feeTotals(trx: Knex | Knex.Transaction, mdtrt_id: string): Promise<FeeTotals> {
  const row = await trx('fee_detail')
    .where({ mdtrt_id, status: 'ACTIVE' })
    .count<{ n: string }[]>({ n: '*' })
    .sum<{ s: string | null }[]>({ s: 'det_item_fee_sumamt' })
    .first();
  const r = row as unknown as { n: string; s: string | null } | undefined;
  return { fee_count: Number(r?.n ?? 0), medfee_sumamt: Number(r?.s ?? 0) };
}

/** Serializes the writes of one person (admissions) or one stay (fee lines) inside a transaction. */
async function lockKey(trx: Knex.Transaction, key: string): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [key]);
}

class Refused extends Error {
  constructor(readonly refusal: StayRefusal) {
    super(refusal.refused.message);
  }
}

/** Admission, fee lines and the stay's projection: the hospitalization workflow's side effects. */
export function stayActivities({ orm }: ActivityDeps) {
  return {
    /**
     * 2401's checks, and the stay's first row written in the same transaction under a lock on the
     * person, so two admissions of one person racing each other cannot both pass "not an inpatient".
     */
    async admitStay(args: {
      mdtrt_id: string;
      admission: Admission;
      at: string;
    }): Promise<AdmissionChecked | StayRefusal> {
      const a = args.admission;
      const em = orm.em.fork();
      // The person, their insured place's province and the hospital's name: one read.
      const person:
        | {
            psn_name: string;
            insuplc_admdvs: string;
            insu_status: string;
            prov_admdvs: string | null;
            fixmedins_name: string | null;
          }
        | undefined = await em
        .getKnex()('insured_person as p')
        .leftJoin('admdvs as r', 'r.admdvs', 'p.insuplc_admdvs')
        .leftJoin('hospital as h', (j) => j.onVal('h.fixmedins_code', a.fixmedins_code))
        .where('p.psn_no', a.psn_no)
        .first('p.psn_name', 'p.insuplc_admdvs', 'p.insu_status', 'r.prov_admdvs', 'h.fixmedins_name');
      if (!person)
        return refused(STAY_REFUSALS.PERSON_NOT_INSURED, `未找到参保人 ${a.psn_no}，请核对人员编号`);
      const insuplc = person.insuplc_admdvs;
      if (insuplc !== a.insuplc_admdvs) {
        return refused(
          STAY_REFUSALS.PERSON_NOT_INSURED,
          `参保人 ${a.psn_no} 的参保地是 ${insuplc}，不是 ${a.insuplc_admdvs}，请核对参保地区划`,
        );
      }
      if (person.insu_status !== 'active') {
        // Fees while insurance is frozen are fully self-paid: nothing to settle directly here.
        return refused(
          STAY_REFUSALS.PERSON_NOT_INSURED,
          `参保人参保状态异常（${person.insu_status === 'suspended' ? '暂停' : '终止'}），不能办理跨省直接结算入院，期间费用由个人全额自付`,
          { insu_status: person.insu_status },
        );
      }
      const admDate = cstDate(Date.parse(a.begntime));
      try {
        return await em.transactional(async (tx) => {
          const trx = trxOf(tx);
          await lockKey(trx, `admission:${a.psn_no}`);
          // This stay's row, the person's open stays and the inpatient number's stays: one read.
          const near: {
            mdtrt_id: string;
            psn_no: string;
            status: string;
            fixmedins_code: string;
            fixmedins_name: string;
            ipt_no: string;
          }[] = await trx('stay')
            .where({ mdtrt_id: args.mdtrt_id })
            .orWhere((q) => q.where({ psn_no: a.psn_no }).whereIn('status', OPEN_STAYS))
            .orWhere((q) =>
              q
                .where({ fixmedins_code: a.fixmedins_code, ipt_no: a.ipt_no })
                .whereNot({ status: 'CANCELLED' }),
            )
            .select('mdtrt_id', 'psn_no', 'status', 'fixmedins_code', 'fixmedins_name', 'ipt_no');
          const existing = near.find((s) => s.mdtrt_id === args.mdtrt_id);
          const others = near.filter((s) => s.mdtrt_id !== args.mdtrt_id);
          const elsewhere = others.find((s) => s.psn_no === a.psn_no && OPEN_STAYS.includes(s.status));
          const dup = others.find(
            (s) => s.fixmedins_code === a.fixmedins_code && s.ipt_no === a.ipt_no && s.status !== 'CANCELLED',
          );
          if (elsewhere) {
            throw new Refused(
              refused(
                STAY_REFUSALS.INPATIENT_ELSEWHERE,
                `该人员在院状态不能办理入院：已在 ${elsewhere.fixmedins_name} 住院（就诊ID ${elsewhere.mdtrt_id}），请先办理出院`,
                { mdtrt_id: elsewhere.mdtrt_id },
              ),
            );
          }
          if (dup) {
            throw new Refused(
              refused(
                STAY_REFUSALS.ADMISSION_DUPLICATE,
                `住院号 ${a.ipt_no} 已用于就诊ID ${dup.mdtrt_id}，请核对住院号`,
                { mdtrt_id: dup.mdtrt_id },
              ),
            );
          }
          const { covering } = await coveringFiling(trx, a.psn_no, a.mdtrtarea_admvs, admDate);
          const coverage: StayCoverage = covering
            ? coverageOf(covering)
            : a.emergency
              ? { kind: 'emergency', filing_id: null }
              : { kind: 'pending_retro' };
          const checked: AdmissionChecked = {
            psn_name: person.psn_name,
            insuplc_admdvs: insuplc,
            prov_admdvs: person.prov_admdvs ?? provinceOf(insuplc),
            fixmedins_name: person.fixmedins_name ?? a.fixmedins_name,
            coverage,
          };
          if (!existing) {
            // The stay's first row, so the next admission of this person sees it at once.
            const at = new Date(args.at);
            await trx('stay').insert({
              mdtrt_id: args.mdtrt_id,
              psn_no: a.psn_no,
              psn_name: checked.psn_name,
              insuplc_admdvs: insuplc,
              prov_admdvs: checked.prov_admdvs,
              mdtrtarea_admvs: a.mdtrtarea_admvs,
              fixmedins_code: a.fixmedins_code,
              fixmedins_name: checked.fixmedins_name,
              ipt_no: a.ipt_no,
              insutype: a.insutype,
              med_type: a.med_type,
              begntime: new Date(a.begntime),
              endtime: null,
              status: 'ADMITTED',
              coverage: JSON.stringify(coverage),
              diagnoses: JSON.stringify(a.diseinfo),
              medfee_sumamt: 0,
              fee_count: 0,
              setl_id: null,
              fund_pay_sumamt: null,
              created_at: at,
              updated_at: at,
              projection_seq: 0,
            });
          }
          return checked;
        });
      } catch (error) {
        if (error instanceof Refused) return error.refusal;
        throw error;
      }
    },

    /** 补备案 at 2304: the filing now covering the stay's admission, if one was made since. */
    async findCoveringFiling(args: { psn_no: string; mdtrtarea_admvs: string; begntime: string }): Promise<{
      coverage: StayCoverage | null;
      elsewhere: string | null;
      /** Nothing covers the stay, and the person's filing for this place had ended before the admission date. */
      expired?: { filing_id: string; enddate: string } | null;
    }> {
      const knex = orm.em.fork().getKnex();
      const admDate = cstDate(Date.parse(args.begntime));
      const { covering, elsewhere } = await coveringFiling(knex, args.psn_no, args.mdtrtarea_admvs, admDate);
      return {
        coverage: covering ? coverageOf(covering) : null,
        elsewhere: elsewhere?.mdtrtarea_admdvs ?? null,
        expired: covering ? null : await expiredFiling(knex, args.psn_no, args.mdtrtarea_admvs, admDate),
      };
    },

    /**
     * 2301: stores the lines with their classification by the treatment place's catalogue (in force on
     * the admission date), all or none. A feedetl_sn already stored with the same content answers as
     * before; with different content the batch is refused naming the line.
     */
    async storeFeeLines(args: {
      mdtrt_id: string;
      mdtrtarea_admvs: string;
      begntime: string;
      lines: FeeDetailIn[];
    }): Promise<({ result: FeeLineResult[] } & FeeTotals) | StayRefusal> {
      const em = orm.em.fork();
      const { catalogue, names } = await loadCatalogue(
        em,
        args.mdtrtarea_admvs,
        cstDate(Date.parse(args.begntime)),
        args.lines.map((l) => l.med_list_codg),
      );
      const classified: FeeLineResult[] = [];
      for (const line of args.lines) {
        const c = classifyLine(line, catalogue);
        if ('refused' in c) return c;
        classified.push(c);
      }
      try {
        return await em.transactional(async (tx) => {
          const trx = trxOf(tx);
          await lockKey(trx, `fees:${args.mdtrt_id}`);
          const now = new Date();
          const rows = args.lines.map((line, i) => {
            const c = classified[i]!;
            return {
              mdtrt_id: args.mdtrt_id,
              feedetl_sn: line.feedetl_sn,
              rx_drord_no: line.rx_drord_no,
              med_list_codg: line.med_list_codg,
              medins_list_codg: line.medins_list_codg,
              medins_list_name: line.medins_list_name,
              fee_ocur_time: new Date(line.fee_ocur_time),
              cnt_e4: line.cnt_e4,
              pric_e4: line.pric_e4,
              det_item_fee_sumamt: line.det_item_fee_sumamt,
              bilg_dept_codg: line.bilg_dept_codg,
              bilg_dr_codg: line.bilg_dr_codg,
              content_hash: contentHash(line),
              chrgitm_lv: c.chrgitm_lv,
              selfpay_prop: c.selfpay_prop,
              pric_uplmt_amt: c.pric_uplmt_amt,
              fulamt_ownpay_amt: c.fulamt_ownpay_amt,
              overlmt_amt: c.overlmt_amt,
              preselfpay_amt: c.preselfpay_amt,
              inscp_scp_amt: c.inscp_scp_amt,
              list_name: names.get(line.med_list_codg) ?? null,
              explanation: c.explanation,
              status: 'ACTIVE',
              created_at: now,
              cancelled_at: null,
            };
          });
          if (rows.length === 0) return { result: classified, ...(await feeTotals(trx, args.mdtrt_id)) };
          // The whole batch in one statement; the lines already stored come back as not inserted. With
          // them the stay's totals before it (the statement's snapshot does not see its own rows): when
          // every line is new, its totals are those plus the batch, no second read.
          const inserted: { feedetl_sn: string; n: string; s: string }[] = await trx
            .with(
              'ins',
              trx('fee_detail')
                .insert(rows)
                .onConflict(['mdtrt_id', 'feedetl_sn'])
                .ignore()
                .returning('feedetl_sn'),
            )
            .select(
              'ins.feedetl_sn',
              trx.raw(
                `(select count(*) from fee_detail where mdtrt_id = ? and status = 'ACTIVE') as n,
                 (select coalesce(sum(det_item_fee_sumamt), 0) from fee_detail where mdtrt_id = ? and status = 'ACTIVE') as s`,
                [args.mdtrt_id, args.mdtrt_id],
              ),
            )
            .from('ins');
          if (inserted.length === rows.length) {
            const before = inserted[0];
            return {
              result: classified,
              fee_count: Number(before?.n ?? 0) + rows.length,
              medfee_sumamt: Number(before?.s ?? 0) + rows.reduce((sum, r) => sum + r.det_item_fee_sumamt, 0),
            };
          }
          if (inserted.length < rows.length) {
            const fresh = new Set(inserted.map((r) => r.feedetl_sn));
            const again = rows.filter((r) => !fresh.has(r.feedetl_sn));
            const stored: { id: number; feedetl_sn: string; status: string; content_hash: string }[] =
              await trx('fee_detail')
                .where({ mdtrt_id: args.mdtrt_id })
                .whereIn(
                  'feedetl_sn',
                  again.map((r) => r.feedetl_sn),
                )
                .select('id', 'feedetl_sn', 'status', 'content_hash');
            const bySn = new Map(stored.map((r) => [r.feedetl_sn, r]));
            for (const row of again) {
              const earlier = bySn.get(row.feedetl_sn)!;
              if (earlier.status === 'CANCELLED') {
                // A cancelled line may be uploaded again, with any content.
                await trx('fee_detail').where({ id: earlier.id }).update(row);
              } else if (earlier.content_hash !== row.content_hash) {
                throw new Refused(
                  refused(
                    STAY_REFUSALS.FEE_LINE_CONFLICT,
                    `费用明细流水号 ${row.feedetl_sn} 已上传过不同的内容，请先撤销该明细（2302）再重新上传`,
                    { feedetl_sn: row.feedetl_sn },
                  ),
                );
              }
            }
          }
          return { result: classified, ...(await feeTotals(trx, args.mdtrt_id)) };
        });
      } catch (error) {
        if (error instanceof Refused) return error.refusal;
        throw error;
      }
    },

    /** 2302: cancels the named lines (or all), all or none; an unknown feedetl_sn refuses the batch. */
    async cancelFeeLines(args: {
      mdtrt_id: string;
      feedetl_sn: string[] | 'ALL';
    }): Promise<FeeTotals | StayRefusal> {
      try {
        return await orm.em.fork().transactional(async (tx) => {
          const trx = trxOf(tx);
          await lockKey(trx, `fees:${args.mdtrt_id}`);
          const now = new Date();
          if (args.feedetl_sn === 'ALL') {
            await trx('fee_detail')
              .where({ mdtrt_id: args.mdtrt_id, status: 'ACTIVE' })
              .update({ status: 'CANCELLED', cancelled_at: now });
          } else {
            const found: { feedetl_sn: string }[] = await trx('fee_detail')
              .where({ mdtrt_id: args.mdtrt_id })
              .whereIn('feedetl_sn', args.feedetl_sn)
              .select('feedetl_sn');
            const known = new Set(found.map((r) => r.feedetl_sn));
            const missing = args.feedetl_sn.find((sn) => !known.has(sn));
            if (missing !== undefined) {
              throw new Refused(
                refused(STAY_REFUSALS.FEE_LINE_NOT_FOUND, `未找到费用明细流水号 ${missing}，请核对后重试`, {
                  feedetl_sn: missing,
                }),
              );
            }
            await trx('fee_detail')
              .where({ mdtrt_id: args.mdtrt_id, status: 'ACTIVE' })
              .whereIn('feedetl_sn', args.feedetl_sn)
              .update({ status: 'CANCELLED', cancelled_at: now });
          }
          return feeTotals(trx, args.mdtrt_id);
        });
      } catch (error) {
        if (error instanceof Refused) return error.refusal;
        throw error;
      }
    },

    /** The stay row and its new timeline events, together; an older snapshot never overwrites a newer one. */
    async projectStay(args: { stay: StaySnapshot; events: EventRow[] }): Promise<void> {
      const knex = orm.em.getKnex();
      const s = args.stay;
      const values = {
        ...s,
        begntime: new Date(s.begntime),
        endtime: s.endtime ? new Date(s.endtime) : null,
        updated_at: new Date(s.updated_at),
        coverage: JSON.stringify(s.coverage),
        diagnoses: JSON.stringify(s.diagnoses),
      };
      const { mdtrt_id, ...rest } = values;
      const upsert = knex('stay')
        .insert({ mdtrt_id, ...rest, created_at: values.updated_at })
        .onConflict('mdtrt_id')
        .merge(Object.keys(rest))
        .where('stay.projection_seq', '<', s.projection_seq);
      await upsertWithEvents(knex, upsert, s.mdtrt_id, args.events);
    },
  };
}
