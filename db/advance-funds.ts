// 预付金: each insured province's advance to a treatment province. A month's clearing draws what the
// month cost (先预付后清算: the treatment place's hospitals were paid out of it), the reconciled
// transfer puts it back; warnings and the emergency top-up follow the insured province's levels (data).
import type { Knex } from '@mikro-orm/knex';
import type { AdvanceFundLevel, AdvanceFundView } from '../cases';
import {
  type AdvanceFundParams,
  advanceFundStatus,
  type Fen,
  formatYuan,
  parseAdvanceFundParams,
} from '../settlement';
import { ADVANCE_FUND_PARAMS } from '../settlement/fixtures/parameters';
import type { AdvanceFund, AdvanceFundParam } from './entities';

type Db = Knex | Knex.Transaction;

/** [U] Demo levels per insured province: the Hebei rules (70% / 90%) for 安徽 and 江苏; 海南 warns earlier. */
export function advanceFundParamRows(): AdvanceFundParam[] {
  const rows: [string, Record<string, unknown>, string][] = [
    ['340000', { ...ADVANCE_FUND_PARAMS }, '参照河北规则：使用率≥70%黄色预警，≥90%红色预警并紧急调增'],
    ['320000', { ...ADVANCE_FUND_PARAMS }, '参照河北规则：使用率≥70%黄色预警，≥90%红色预警并紧急调增'],
    [
      '460000',
      { ...ADVANCE_FUND_PARAMS, yellow: '0.65', red: '0.85' },
      '演示参数：使用率≥65%黄色预警，≥85%红色预警',
    ],
  ];
  return rows.map(([prov_admdvs, doc, src]) => {
    const p = parseAdvanceFundParams(doc);
    if (!p.ok) throw new Error(`预付金 parameters of ${prov_admdvs} are invalid`);
    return {
      prov_admdvs,
      yellow_ppm: p.value.yellow,
      red_ppm: p.value.red,
      top_up_target_ppm: p.value.top_up_target,
      months: p.value.months,
      src,
    };
  });
}

/** [U] Demo advances (fen) of the seed's pairs; 安徽 → 上海 is already past its yellow level. */
export const DEMO_ADVANCE_FUNDS: {
  insured_prov: string;
  treatment_prov: string;
  granted: number;
  used: number;
}[] = [
  { insured_prov: '340000', treatment_prov: '310000', granted: 500_000_000, used: 360_000_000 },
  { insured_prov: '340000', treatment_prov: '510000', granted: 300_000_000, used: 0 },
  { insured_prov: '460000', treatment_prov: '510000', granted: 400_000_000, used: 0 },
  { insured_prov: '320000', treatment_prov: '310000', granted: 600_000_000, used: 0 },
];

const DEFAULT_PARAMS: AdvanceFundParams = (() => {
  const p = parseAdvanceFundParams(ADVANCE_FUND_PARAMS);
  if (!p.ok) throw new Error('the core’s 预付金 fixture parameters are invalid');
  return p.value;
})();

async function paramsOf(db: Db, prov_admdvs: string): Promise<AdvanceFundParams> {
  const row = await db('advance_fund_param').where({ prov_admdvs }).first();
  if (!row) return DEFAULT_PARAMS;
  return {
    yellow: row.yellow_ppm,
    red: row.red_ppm,
    top_up_target: row.top_up_target_ppm,
    months: row.months,
  } as AdvanceFundParams;
}

function statusOf(granted: number, used: number, params: AdvanceFundParams) {
  const s = advanceFundStatus(granted as Fen, Math.max(used, 0) as Fen, params);
  if (!s.ok) throw new Error(`预付金 ${granted}/${used}: ${s.errors.map((e) => e.message).join('; ')}`);
  return s.value;
}

/** The funds of these provinces (as insured or treatment side), or all; with their top-up requests. */
export async function readAdvanceFunds(db: Db, provs: string[] | null): Promise<AdvanceFundView[]> {
  const q = db('advance_fund').orderBy('pair_id');
  if (provs) q.where((w) => w.whereIn('insured_prov', provs).orWhereIn('treatment_prov', provs));
  const rows = await q;
  const ids = rows.map((r) => r.pair_id as string);
  const topUps = ids.length
    ? await db('advance_fund_top_up')
        .whereIn('pair_id', ids)
        .orderBy([{ column: 'requested_at' }, 'id'])
    : [];
  const params = new Map<string, AdvanceFundParams>();
  const views: AdvanceFundView[] = [];
  for (const r of rows) {
    let p = params.get(r.insured_prov);
    if (!p) {
      p = await paramsOf(db, r.insured_prov);
      params.set(r.insured_prov, p);
    }
    const s = statusOf(Number(r.granted), Number(r.used), p);
    views.push({
      insured_prov: r.insured_prov,
      treatment_prov: r.treatment_prov,
      granted: s.granted,
      used: Number(r.used),
      balance: Number(r.granted) - Number(r.used),
      usage_ppm: s.usage_ppm,
      level: s.level,
      top_up: s.top_up,
      top_up_requests: topUps
        .filter((t) => t.pair_id === r.pair_id)
        .map((t) => ({
          requested_at: new Date(t.requested_at).toISOString(),
          amount: Number(t.amount),
          status: t.status,
        })),
    });
  }
  return views;
}

export interface FundMovement {
  pair_id: string;
  level_before: AdvanceFundLevel;
  level: AdvanceFundLevel;
  used: number;
  /** The events this call wrote (none when it ran before: each has its key). */
  events: string[];
}

const LEVEL_ORDER: Record<AdvanceFundLevel, number> = { normal: 0, yellow: 1, red: 2 };

/**
 * Moves a fund's usage by `amount` (fen; negative gives back) once per `key`, inside the caller's
 * transaction. Reaching a higher level writes its warning; reaching red files the emergency top-up
 * (紧急调增) that brings usage back to the target. Null when the pair has no advance.
 */
export async function moveAdvanceFund(
  trx: Knex.Transaction,
  m: {
    pair_id: string;
    key: string;
    event: 'drawn' | 'replenished';
    clr_month: string;
    amount: number;
    at: Date;
  },
): Promise<FundMovement | null> {
  const fund = await trx('advance_fund').where({ pair_id: m.pair_id }).forUpdate().first();
  if (!fund) return null;
  const params = await paramsOf(trx, fund.insured_prov);
  const before = statusOf(Number(fund.granted), Number(fund.used), params);
  const used = Math.max(Number(fund.used) + m.amount, 0);
  const after = statusOf(Number(fund.granted), used, params);
  const text =
    m.event === 'drawn'
      ? `${m.clr_month} 清算占用预付金 ${formatYuan(Math.abs(m.amount) as Fen)} 元${m.amount < 0 ? '（冲减）' : ''}`
      : `${m.clr_month} 清算资金已拨付，恢复预付金 ${formatYuan(Math.abs(m.amount) as Fen)} 元`;
  const written = await trx('advance_fund_event')
    .insert({
      event_key: m.key,
      pair_id: m.pair_id,
      event: m.event,
      clr_month: m.clr_month,
      amount: m.amount,
      used_after: used,
      level: after.level,
      text,
      at: m.at,
    })
    .onConflict('event_key')
    .ignore()
    .returning('id');
  if (written.length === 0) {
    return {
      pair_id: m.pair_id,
      level_before: before.level,
      level: before.level,
      used: Number(fund.used),
      events: [],
    };
  }
  await trx('advance_fund')
    .where({ pair_id: m.pair_id })
    .update({ used, level: after.level, updated_at: m.at });
  const events: string[] = [m.event];
  if (LEVEL_ORDER[after.level] > LEVEL_ORDER[before.level]) {
    const pct = (after.usage_ppm / 10_000).toFixed(2);
    await trx('advance_fund_event')
      .insert({
        event_key: `${m.key}:warning`,
        pair_id: m.pair_id,
        event: `warning_${after.level}`,
        clr_month: m.clr_month,
        amount: 0,
        used_after: used,
        level: after.level,
        text: `预付金使用率 ${pct}%，${after.level === 'red' ? '红色预警' : '黄色预警'}`,
        at: m.at,
      })
      .onConflict('event_key')
      .ignore();
    events.push(`warning_${after.level}`);
    if (after.level === 'red' && after.top_up > 0) {
      await requestTopUp(trx, {
        pair_id: m.pair_id,
        amount: after.top_up,
        requested_by: 'system',
        request_key: `${m.key}:top-up`,
        at: m.at,
        clr_month: m.clr_month,
      });
      events.push('top_up_requested');
    }
  }
  return { pair_id: m.pair_id, level_before: before.level, level: after.level, used, events };
}

/** 紧急调增: recorded once per request key, with its line on the fund's log. */
export async function requestTopUp(
  db: Db,
  r: {
    pair_id: string;
    amount: number;
    requested_by: string;
    request_key: string;
    at: Date;
    clr_month?: string;
  },
): Promise<boolean> {
  const ins = await db('advance_fund_top_up')
    .insert({
      request_key: r.request_key,
      pair_id: r.pair_id,
      amount: r.amount,
      status: 'requested',
      requested_by: r.requested_by,
      requested_at: r.at,
    })
    .onConflict('request_key')
    .ignore()
    .returning('id');
  if (ins.length === 0) return false;
  const fund = await db('advance_fund').where({ pair_id: r.pair_id }).first();
  await db('advance_fund_event')
    .insert({
      event_key: `top-up:${r.request_key}`,
      pair_id: r.pair_id,
      event: 'top_up_requested',
      clr_month: r.clr_month ?? null,
      amount: r.amount,
      used_after: fund ? Number(fund.used) : 0,
      level: fund?.level ?? 'normal',
      text: `申请紧急调增预付金 ${formatYuan(r.amount as Fen)} 元`,
      at: r.at,
    })
    .onConflict('event_key')
    .ignore();
  return true;
}

/** The seeded advances: the demo pairs, level from their usage, written once (never overwritten). */
export function advanceFundRows(at = new Date()): AdvanceFund[] {
  const params = new Map(advanceFundParamRows().map((r) => [r.prov_admdvs, r]));
  return DEMO_ADVANCE_FUNDS.map((f) => {
    const r = params.get(f.insured_prov);
    const p = r
      ? ({
          yellow: r.yellow_ppm,
          red: r.red_ppm,
          top_up_target: r.top_up_target_ppm,
          months: r.months,
        } as AdvanceFundParams)
      : DEFAULT_PARAMS;
    return {
      pair_id: `${f.insured_prov}-${f.treatment_prov}`,
      insured_prov: f.insured_prov,
      treatment_prov: f.treatment_prov,
      granted: f.granted,
      used: f.used,
      level: statusOf(f.granted, f.used, p).level,
      updated_at: at,
    };
  });
}
