/**
 * What must hold of the stays after the chaos, read from the platform's database (with `pg`) and
 * Temporal against what the hospital was answered with infcode 0: every acknowledged stay there and
 * settled as answered (none lost or stuck), one stay per 住院号 and one row per acknowledged settlement
 * (none doubled), every settlement's ledger entries summing to zero to the fen, and the person's
 * accumulators the chain of what the settlements applied.
 */
import { Client } from 'pg';
import type { Finding } from './invariants';
import type { StayRecord } from './stays';
import type { TemporalProbe } from './temporal';

interface StayRow {
  mdtrt_id: string;
  ipt_no: string;
  status: string;
  setl_id: string | null;
  fee_count: number;
}
interface SettlementRow {
  setl_id: string;
  mdtrt_id: string;
  kind: string;
  psn_no: string;
  insuplc_admdvs: string;
  acc_year: number;
  fund_pay_sumamt: number;
  medfee_sumamt: number;
  accumulators_before: Record<string, number>;
  accumulators_after: Record<string, number>;
}

export interface StaySnapshot {
  stays: Map<string, StayRow>;
  /** 住院号 (ipt_no) with more than one stay at one hospital. */
  doubledIptNos: { ipt_no: string; n: number }[];
  settlements: SettlementRow[];
  /** Live fee lines per stay. */
  liveLines: Map<string, number>;
  /** Settlements whose ledger entries do not sum to zero, and the whole ledger's sum. */
  unbalanced: { setl_id: string; diff: number }[];
  ledgerSum: number;
  accumulators: (Record<string, number> & { psn_no: string; insuplc_admdvs: string; year: number })[];
  fingerprint: string;
}

const ACC_FIELDS = [
  'dedc_paid_ytd',
  'hifp_paid_ytd',
  'si_base_ytd',
  'si_paid_ytd',
  'cvlserv_paid_ytd',
  'oth_paid_ytd',
  'maf_paid_ytd',
  'acct_balc',
] as const;

export async function staySnapshot(databaseUrl: string): Promise<StaySnapshot> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const stays = await db.query<StayRow>('select mdtrt_id, ipt_no, status, setl_id, fee_count from stay');
    const doubled = await db.query<{ ipt_no: string; n: number }>(
      'select ipt_no, count(*)::int as n from stay group by fixmedins_code, ipt_no having count(*) > 1',
    );
    const settlements = await db.query<SettlementRow>(
      `select setl_id, mdtrt_id, kind, psn_no, insuplc_admdvs, acc_year, fund_pay_sumamt::bigint::float8 as fund_pay_sumamt,
              medfee_sumamt::bigint::float8 as medfee_sumamt, accumulators_before, accumulators_after
         from settlement order by created_at, setl_id`,
    );
    const lines = await db.query<{ mdtrt_id: string; n: number }>(
      `select mdtrt_id, count(*)::int as n from fee_detail where status = 'ACTIVE' group by mdtrt_id`,
    );
    const unbalanced = await db.query<{ setl_id: string; diff: string }>(
      'select setl_id, (sum(debit) - sum(credit))::text as diff from ledger_entry group by setl_id having sum(debit) <> sum(credit)',
    );
    const sum = await db.query<{ diff: string | null }>(
      'select (sum(debit) - sum(credit))::text as diff from ledger_entry',
    );
    const accumulators = await db.query(
      `select psn_no, insuplc_admdvs, year, ${ACC_FIELDS.map((f) => `${f}::float8 as ${f}`).join(', ')} from accumulator`,
    );
    return {
      stays: new Map(stays.rows.map((s) => [s.mdtrt_id, s])),
      doubledIptNos: doubled.rows,
      settlements: settlements.rows,
      liveLines: new Map(lines.rows.map((l) => [l.mdtrt_id, l.n])),
      unbalanced: unbalanced.rows.map((u) => ({ setl_id: u.setl_id, diff: Number(u.diff) })),
      ledgerSum: Number(sum.rows[0]?.diff ?? 0),
      accumulators: accumulators.rows,
      fingerprint: JSON.stringify([
        stays.rows.map((s) => [s.mdtrt_id, s.status, s.setl_id, s.fee_count]),
        settlements.rows.length,
      ]),
    };
  } finally {
    await db.end();
  }
}

/** The status and live settlement each acknowledged stay should show once its projection caught up. */
function expected(r: StayRecord): { status: string; setl_id: string | null } | null {
  if (!r.mdtrt_id || r.stalled) return null;
  const last = r.settlements.at(-1);
  return { status: 'SETTLED', setl_id: last?.setl_id ?? null };
}

/** Every acknowledged stay's row as its answers imply? Polled (bounded) before judging. */
export function staysSettled(records: StayRecord[], s: StaySnapshot): boolean {
  return records.every((r) => {
    const want = expected(r);
    if (!want) return true;
    const row = s.stays.get(r.mdtrt_id as string);
    return row?.status === want.status && row.setl_id === want.setl_id;
  });
}

const finding = (kind: Finding['kind'], subject: string, what: string): Finding => ({
  kind,
  subject,
  n: null,
  what,
});

export async function judgeStays(
  records: StayRecord[],
  s: StaySnapshot,
  temporal: TemporalProbe,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const r of records) {
    const subject = r.mdtrt_id ?? `stay ${r.plan.n} (${r.ipt_no})`;
    for (const what of r.doubledAnswers) findings.push(finding('doubled', subject, what));
    if (!r.mdtrt_id) {
      if (r.stalled) findings.push(finding('stuck', subject, `never admitted: ${r.stalled}`));
      continue;
    }
    const acked = r.acknowledged.join(', ');
    const row = s.stays.get(r.mdtrt_id);
    const live = await temporal.liveness(`hospitalization-${r.mdtrt_id}`);
    if (!row) {
      findings.push(finding('lost', subject, `admission acknowledged (${acked}) but no stay row`));
      continue;
    }
    if (live === 'gone') findings.push(finding('lost', subject, 'its workflow is gone from Temporal'));
    if (r.stalled) findings.push(finding('stuck', subject, `${r.stalled} (acknowledged: ${acked})`));
    const want = expected(r);
    if (want && (row.status !== want.status || row.setl_id !== want.setl_id)) {
      findings.push(
        finding(
          'stuck',
          subject,
          `is ${row.status} with setl_id ${row.setl_id ?? '-'}, answered ${want.status} ${want.setl_id ?? '-'} (acknowledged: ${acked})`,
        ),
      );
    }
    const lines = s.liveLines.get(r.mdtrt_id) ?? 0;
    if (!r.stalled && lines !== r.liveLines.size)
      findings.push(
        finding(
          lines > r.liveLines.size ? 'doubled' : 'lost',
          subject,
          `${lines} live fee lines, acknowledged ${r.liveLines.size}`,
        ),
      );
    // Exactly the acknowledged settlements, each with the amounts it was answered with.
    const rows = s.settlements.filter((x) => x.mdtrt_id === r.mdtrt_id);
    if (rows.length > r.settlements.length)
      findings.push(
        finding(
          'doubled',
          subject,
          `${rows.length} settlement rows for ${r.settlements.length} acknowledged`,
        ),
      );
    for (const ack of r.settlements) {
      const got = rows.find((x) => x.setl_id === ack.setl_id);
      if (!got)
        findings.push(
          finding('lost', ack.setl_id, `${ack.kind} answered with infcode 0 but not in the database`),
        );
      else if (
        got.kind !== ack.kind ||
        got.fund_pay_sumamt !== ack.fund_pay_sumamt ||
        got.medfee_sumamt !== ack.medfee_sumamt
      )
        findings.push(
          finding(
            'inconsistent',
            ack.setl_id,
            `answered fund ${ack.fund_pay_sumamt} of ${ack.medfee_sumamt} fen, recorded ${got.fund_pay_sumamt} of ${got.medfee_sumamt}`,
          ),
        );
    }
  }
  for (const d of s.doubledIptNos) findings.push(finding('doubled', d.ipt_no, `${d.n} stays for one 住院号`));
  for (const u of s.unbalanced)
    findings.push(
      finding('inconsistent', u.setl_id, `ledger entries off by ${u.diff} fen (Σ debit ≠ Σ credit)`),
    );
  if (s.ledgerSum !== 0)
    findings.push(finding('inconsistent', 'ledger', `the whole ledger is off by ${s.ledgerSum} fen`));
  // Accumulators: each settlement (or reversal) starts where the one before it left the person's year,
  // and the row holds where the last one left it: nothing applied twice, nothing skipped.
  for (const acc of s.accumulators) {
    const chain = s.settlements.filter(
      (x) => x.psn_no === acc.psn_no && x.insuplc_admdvs === acc.insuplc_admdvs && x.acc_year === acc.year,
    );
    const subject = `${acc.psn_no} ${acc.year}`;
    chain.forEach((x, i) => {
      const before = chain[i - 1];
      if (
        before &&
        ACC_FIELDS.some((f) => Number(x.accumulators_before[f]) !== Number(before.accumulators_after[f]))
      )
        findings.push(
          finding(
            'inconsistent',
            x.setl_id,
            `accumulators before it are not where ${before.setl_id} left them`,
          ),
        );
    });
    const last = chain.at(-1);
    if (last && ACC_FIELDS.some((f) => Number(acc[f]) !== Number(last.accumulators_after[f])))
      findings.push(
        finding(
          'inconsistent',
          subject,
          `accumulator row is not where the last settlement ${last.setl_id} left it`,
        ),
      );
  }
  return findings;
}
