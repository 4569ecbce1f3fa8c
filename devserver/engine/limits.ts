/**
 * The server limits a real cluster reads from dynamic config, with its defaults. `temporal server
 * start-dev --dynamic-config-value KEY=VALUE` sets them; keys we do not know are accepted and ignored.
 */
export interface Limits {
  /** limit.historyCount.suggestContinueAsNew: events after which workflow tasks suggest continue-as-new. */
  historyCountSuggestContinueAsNew: number;
  /** limit.historySize.suggestContinueAsNew: history bytes after which they suggest it. */
  historySizeSuggestContinueAsNew: number;
  /** history.maxInFlightUpdates: admitted or accepted updates one run may hold at once. */
  maxInFlightUpdates: number;
  /** limit.maxIDLength: workflow ids (and other ids) longer than this are refused. */
  maxIdLength: number;
  /** limit.blobSize.error: a payload set larger than this fails its request (or its workflow task). */
  blobSizeError: number;
  /** limit.blobSize.warn: the error limit applies only to what is larger than this too (as on the server). */
  blobSizeWarn: number;
  /** limit.memoSize.error: a memo larger than this fails its request. */
  memoSizeError: number;
}

export const DEFAULT_LIMITS: Limits = {
  historyCountSuggestContinueAsNew: 4 * 1024,
  historySizeSuggestContinueAsNew: 4 * 1024 * 1024,
  maxInFlightUpdates: 10,
  maxIdLength: 1000,
  blobSizeError: 2 * 1024 * 1024,
  blobSizeWarn: 512 * 1024,
  memoSizeError: 2 * 1024 * 1024,
};

const KEYS: Record<string, keyof Limits> = {
  'limit.historyCount.suggestContinueAsNew': 'historyCountSuggestContinueAsNew',
  'limit.historySize.suggestContinueAsNew': 'historySizeSuggestContinueAsNew',
  'history.maxInFlightUpdates': 'maxInFlightUpdates',
  'limit.maxIDLength': 'maxIdLength',
  'limit.blobSize.error': 'blobSizeError',
  'limit.blobSize.warn': 'blobSizeWarn',
  'limit.memoSize.error': 'memoSizeError',
};

/** Whether a payload (set) of this many bytes is over the blob error limit. */
export function blobTooLarge(limits: Limits, bytes: number): boolean {
  return bytes > limits.blobSizeError && bytes > limits.blobSizeWarn;
}

/** Limits from `KEY=VALUE` dynamic config values; a known key with a value that is not a number is an error. */
export function limitsFrom(dynamicConfig: Record<string, string> = {}): Limits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [key, raw] of Object.entries(dynamicConfig)) {
    const field = KEYS[key];
    if (!field) continue;
    // The CLI takes YAML values; a number may be quoted.
    const n = Number(raw.trim().replace(/^"(.*)"$/, '$1'));
    if (!Number.isFinite(n) || n < 0) throw new Error(`dynamic config ${key}: '${raw}' is not a number`);
    limits[field] = n;
  }
  return limits;
}
