import { ApplicationFailure } from '@temporalio/common';
import type { NonRetryableFailure } from '../cases';

/** The named failure types activities raise; workflows and the API react to the type. */
export const FailureType = {
  PersonNotFound: 'PersonNotFound',
  UnknownTask: 'UnknownTask',
  InvalidData: 'InvalidData',
  ConstraintViolation: 'ConstraintViolation',
} as const satisfies Record<string, string> & Partial<Record<NonRetryableFailure, string>>;

export function personNotFound(psn_no: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.PersonNotFound,
    message: `no insured person ${psn_no}`,
    nonRetryable: true,
  });
}

/** The SQLSTATE of a PostgreSQL error, however MikroORM or knex wrapped it. */
function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; depth += 1) {
    const { code, sqlState: state } = e as { code?: unknown; sqlState?: unknown };
    if (typeof state === 'string' && /^[0-9A-Z]{5}$/.test(state)) return state;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown; previous?: unknown }).previous ?? (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A failure that the same input can never get past — PostgreSQL class 22 (data exception: a NUL byte,
 * an impossible date, a value too long) or 23 (integrity constraint) — becomes a non-retryable
 * ApplicationFailure, so the case shows it instead of retrying forever. Anything else is rethrown as
 * is and retried by the shared policy. The message carries the SQLSTATE, never the SQL or its values.
 */
export function classifyFailure(error: unknown): unknown {
  if (error instanceof ApplicationFailure) return error;
  const state = sqlState(error);
  if (!state) return error;
  const type = state.startsWith('22')
    ? FailureType.InvalidData
    : state.startsWith('23')
      ? FailureType.ConstraintViolation
      : undefined;
  if (!type) return error;
  return ApplicationFailure.create({
    type,
    message: `PostgreSQL refused the data (SQLSTATE ${state})`,
    nonRetryable: true,
    details: [{ sqlstate: state }],
  });
}

/** Wraps every activity of a set so its failures are classified once, in one place. */
export function classified<T extends Record<string, (...args: never[]) => Promise<unknown>>>(
  activities: T,
): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    out[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (error) {
        throw classifyFailure(error);
      }
    };
  }
  return out as T;
}
