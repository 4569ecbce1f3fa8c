/**
 * The error board's filters ↔ the page's URL query, so a filtered board can be bookmarked, shared and
 * reloaded as it was. Plain data (no Vue) so the Node tests can import it.
 */
import type { TicketQuery } from '../api/types';

export const TICKET_FILTER_KEYS = [
  'insured_prov',
  'treatment_prov',
  'category',
  'status',
  'sla_state',
  'first_responder',
] as const satisfies readonly (keyof TicketQuery)[];
export type TicketFilterKey = (typeof TICKET_FILTER_KEYS)[number];

/** What vue-router gives as `route.query`: a value may be missing, null, a string or several. */
type RouteQuery = Record<string, string | null | (string | null)[] | undefined>;

/** The filters in a URL query; an unknown key, an empty or repeated value is dropped (the first one wins). */
export function filtersFromQuery(query: RouteQuery): TicketQuery {
  const out: TicketQuery = {};
  for (const key of TICKET_FILTER_KEYS) {
    const raw = query[key];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (typeof value === 'string' && value.trim() !== '') out[key] = value.trim();
  }
  return out;
}

/** The URL query of the filters: only those set, in a stable order (the same filters, the same URL). */
export function queryFromFilters(filters: TicketQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of TICKET_FILTER_KEYS) {
    const value = filters[key];
    if (value) out[key] = value;
  }
  return out;
}

/** One filter changed (or cleared with ''), the others kept. */
export function withFilter(
  filters: TicketQuery,
  key: TicketFilterKey,
  value: string | null | undefined,
): TicketQuery {
  const next = { ...filters };
  if (value) next[key] = value;
  else delete next[key];
  return next;
}

/** The province pair as one select value, `<insured>-<treatment>` (cases/coordination.ts clearingPairId). */
export function pairOf(filters: TicketQuery): string {
  return filters.insured_prov && filters.treatment_prov
    ? `${filters.insured_prov}-${filters.treatment_prov}`
    : '';
}

export function withPair(filters: TicketQuery, pair: string | null | undefined): TicketQuery {
  const [insured, treatment] = (pair ?? '').split('-');
  return withFilter(withFilter(filters, 'insured_prov', insured), 'treatment_prov', treatment);
}
