/** Small pure helpers the coordinator screens share (no Vue): provinces, pairs, sides, fee-check answers. */
import type { Admdvs, ClearingLine, Side } from '../api/types';

/** The provinces the 统筹区 belong to (codes, in order of first appearance). */
export function provincesOf(places: Admdvs[]): string[] {
  return [...new Set(places.map((p) => p.prov_admdvs))];
}

/** Both directions between the viewer's province and each other one: `<insured>-<treatment>`. */
export function pairsOf(own: string | null | undefined, provinces: string[]): string[] {
  if (!own) return [];
  return provinces.filter((p) => p !== own).flatMap((p) => [`${own}-${p}`, `${p}-${own}`]);
}

/** The viewer's side of a pair, or null (staff see their province's pairs without a side). */
export function sideOf(
  own: string | null | undefined,
  insured_prov: string,
  treatment_prov: string,
): Side | null {
  if (own === insured_prov) return 'insured';
  if (own === treatment_prov) return 'treatment';
  return null;
}

/** The statement's lines grouped by insurance type, 医疗救助 (maf) last within each: the order of the printed statement. */
export function orderedLines(lines: ClearingLine[]): ClearingLine[] {
  const fundOrder = { fund: 0, acct: 1, maf: 2 } as const;
  return [...lines].sort((a, b) =>
    a.insutype === b.insutype ? fundOrder[a.fund] - fundOrder[b.fund] : a.insutype.localeCompare(b.insutype),
  );
}

/** A yuan amount as typed in an answer form ("12.3", "12.34"), or null: the API parses it to fen exactly. */
export function yuanInput(text: string): string | null {
  const t = text.trim();
  return /^\d{1,12}(\.\d{1,2})?$/.test(t) ? t : null;
}

/** A signed yuan amount as typed for a 补拨 (“-12.3” is a 退回) → integer fen, by its digits (no floats); null if not one or zero. */
export function signedFenInput(text: string): number | null {
  const m = /^([+-]?)(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return fen === 0 ? null : m[1] === '-' ? -fen : fen;
}

/** A fresh Idempotency-Key for one user action (a resend of the same action reuses it). */
export function actionKey(): string {
  return crypto.randomUUID();
}

/** The parameters an action takes (cases/coordination.ts TicketActionRequest.params), with their Chinese labels. */
export const ACTION_PARAMS: Partial<Record<string, { key: string; label: string }[]>> = {
  remap_catalogue: [
    { key: 'medins_list_codg', label: '医院项目编码' },
    { key: 'med_list_codg', label: '医保目录编码' },
  ],
  correct_person: [
    { key: 'field', label: '更正项' },
    { key: 'value', label: '更正后的值' },
  ],
};

/** The params of an action as the dialog filled them: only the action's own keys, trimmed; null when one is missing. */
export function actionParams(action: string, filled: Record<string, string>): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const { key } of ACTION_PARAMS[action] ?? []) {
    const value = (filled[key] ?? '').trim();
    if (!value) return null;
    out[key] = value;
  }
  return out;
}

/** Actions that end the ticket or leave direct settlement: the dialog asks to confirm them. */
export const WEIGHTY_ACTIONS = new Set(['convert_manual', 'withdraw', 'hand_over']);
