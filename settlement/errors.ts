// Structured errors: every refusal names where (a field path) and why (a code and a sentence).

export type ErrorCode =
  | 'required'
  | 'type'
  | 'format'
  | 'range'
  | 'unknown_field'
  | 'unsupported'
  | 'inconsistent'
  | 'not_in_catalogue'
  | 'no_policy'
  | 'ambiguous_policy';

export interface ValidationError {
  /** Field path, e.g. `feedetail[2].det_item_fee_sumamt` or `fund.bands[1].upto`. */
  readonly path: string;
  readonly code: ErrorCode;
  readonly message: string;
}

export type Result<T, E = ValidationError[]> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errors: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function fail(errors: ValidationError[]): { readonly ok: false; readonly errors: ValidationError[] } {
  return { ok: false, errors };
}

export function issue(path: string, code: ErrorCode, message: string): ValidationError {
  return { path, code, message };
}

/** One line per error, for a CLI or a log. */
export function describeErrors(errors: readonly ValidationError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('; ');
}
