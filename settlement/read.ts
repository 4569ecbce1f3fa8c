// Reading untrusted JSON: every problem is recorded with its path; nothing is defaulted.
// A reader returns a placeholder after recording an error, and callers refuse the whole input
// when `errors` is not empty, so placeholders never reach a calculation.
import { issue, type ValidationError } from './errors';
import { describe, type Fen, isError, parseYuan } from './money';
import { parseRatio, type Ratio } from './ratio';

export type Json = Record<string, unknown>;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isDate(s: string): boolean {
  const m = DATE.exec(s);
  if (m === null) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

export class Reader {
  readonly errors: ValidationError[] = [];
  /** Paths already reported as required-but-missing: reading them again adds no second error. */
  private readonly missing = new Set<string>();

  private reported(v: unknown, path: string): boolean {
    return v === undefined && this.missing.has(path);
  }

  fail(path: string, code: ValidationError['code'], message: string): void {
    this.errors.push(issue(path, code, message));
  }

  /** An object with exactly the allowed keys (required ones must be present). */
  object(
    v: unknown,
    path: string,
    required: readonly string[],
    optional: readonly string[] = [],
  ): Json | null {
    if (this.reported(v, path)) return null;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.fail(path || '(root)', 'type', `must be an object, got ${describe(v)}`);
      return null;
    }
    const o = v as Json;
    for (const k of required) {
      const p = join(path, k);
      if (o[k] === undefined && !this.missing.has(p)) {
        this.missing.add(p);
        this.fail(p, 'required', 'is required');
      }
    }
    for (const k of Object.keys(o)) {
      if (!required.includes(k) && !optional.includes(k))
        this.fail(join(path, k), 'unknown_field', 'is not a known field');
    }
    return o;
  }

  array(v: unknown, path: string, minLength = 0): unknown[] {
    if (this.reported(v, path)) return [];
    if (!Array.isArray(v)) {
      this.fail(path, 'type', `must be an array, got ${describe(v)}`);
      return [];
    }
    if (v.length < minLength) this.fail(path, 'range', `must have at least ${minLength} item(s)`);
    return v;
  }

  string(v: unknown, path: string, pattern?: RegExp, what?: string): string {
    if (this.reported(v, path)) return '';
    if (typeof v !== 'string' || v === '') {
      this.fail(path, 'type', `must be a non-empty string, got ${describe(v)}`);
      return '';
    }
    if (pattern !== undefined && !pattern.test(v))
      this.fail(path, 'format', `"${v}" is not ${what ?? 'well formed'}`);
    return v;
  }

  oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T {
    if (this.reported(v, path)) return values[0]!;
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      this.fail(
        path,
        typeof v === 'string' ? 'unsupported' : 'type',
        `must be one of ${values.join(', ')}, got ${describe(v)}`,
      );
      return values[0]!;
    }
    return v as T;
  }

  yuan(v: unknown, path: string): Fen {
    if (this.reported(v, path)) return 0 as Fen;
    const r = parseYuan(v, path);
    if (isError(r)) {
      this.errors.push(r);
      return 0 as Fen;
    }
    return r;
  }

  positiveYuan(v: unknown, path: string): Fen {
    if (this.reported(v, path)) return 0 as Fen;
    const before = this.errors.length;
    const r = this.yuan(v, path);
    if (r === 0 && this.errors.length === before) this.fail(path, 'range', 'must be positive');
    return r;
  }

  yuanOrNull(v: unknown, path: string): Fen | null {
    return v === null ? null : this.yuan(v, path);
  }

  ratio(v: unknown, path: string): Ratio {
    if (this.reported(v, path)) return 0 as Ratio;
    const r = parseRatio(v, path);
    if (isError(r)) {
      this.errors.push(r);
      return 0 as Ratio;
    }
    return r;
  }

  date(v: unknown, path: string): string {
    if (this.reported(v, path)) return '0000-01-01';
    if (typeof v !== 'string' || !isDate(v)) {
      this.fail(path, 'format', `must be a date YYYY-MM-DD, got ${describe(v)}`);
      return '0000-01-01';
    }
    return v;
  }

  boolean(v: unknown, path: string): boolean {
    if (this.reported(v, path)) return false;
    if (typeof v !== 'boolean') {
      this.fail(path, 'type', `must be true or false, got ${describe(v)}`);
      return false;
    }
    return v;
  }

  integer(v: unknown, path: string, min: number): number {
    if (this.reported(v, path)) return min;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      this.fail(path, 'type', `must be an integer ≥ ${min}, got ${describe(v)}`);
      return min;
    }
    return v;
  }
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}
