/**
 * The chaos run's HTTP client: the public API only, on 127.0.0.1, as the demo users. A request that
 * meets a fault (refused connection, timeout, 503) waits for the platform to be up and is sent again
 * within a bound — the way a careful client behaves; whether a resend is safe is the caller's choice.
 */
import { DEMO_PASSWORD } from '../../db/seed-data';
import type { ChaosPlatform } from './platform';

export interface Answer {
  /** 0: no HTTP answer at all (refused, reset, timed out). */
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON from the API, read field by field by the caller
  body: any;
}

export interface CallOptions {
  as: string;
  body?: unknown;
  key?: string;
  /** Send again after this answer? Default: no answer at all, or a 503 the API says changed nothing. */
  again?: (answer: Answer) => boolean;
  /** How long to keep trying, in total. */
  withinMs?: number;
}

/** The 503 codes with which the API promises nothing was applied: a resend is always safe. */
const NOTHING_APPLIED = new Set(['WORKFLOW_UNAVAILABLE', 'DECISION_NOT_RECORDED']);

export const transient = (a: Answer): boolean =>
  a.status === 0 || (a.status === 503 && NOTHING_APPLIED.has(a.body?.code)) || a.status === 500;

export class ChaosClient {
  private readonly tokens = new Map<string, string>();
  /** Every 5xx the API answered, for the report: the house rule is "bad input → 4xx, never 5xx". */
  readonly serverErrors: { route: string; status: number; code: string | undefined }[] = [];
  attempts = 0;
  resends = 0;

  constructor(
    private readonly platform: ChaosPlatform,
    private readonly deadline: number,
  ) {}

  async call(method: 'GET' | 'POST', route: string, options: CallOptions): Promise<Answer> {
    const again = options.again ?? transient;
    const until = Math.min(this.deadline, Date.now() + (options.withinMs ?? 90_000));
    let answer: Answer = { status: 0, body: null };
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.resends += 1;
      answer = await this.once(method, route, options);
      if (answer.status >= 500)
        this.serverErrors.push({ route, status: answer.status, code: answer.body?.code });
      if (!again(answer) || Date.now() > until) return answer;
      // Back off a little; while the platform is down, wait for it to come back instead.
      await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * 2 ** attempt)));
      await Promise.race([
        this.platform.up(),
        new Promise((resolve) => setTimeout(resolve, until - Date.now())),
      ]);
    }
  }

  private async once(method: 'GET' | 'POST', route: string, options: CallOptions): Promise<Answer> {
    const endpoints = this.platform.endpoints;
    if (!endpoints) return { status: 0, body: { error: 'platform down' } };
    this.attempts += 1;
    try {
      const token = await this.token(endpoints.url, options.as);
      if (!token) return { status: 0, body: { error: 'login failed' } };
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (options.key) headers['idempotency-key'] = options.key;
      const res = await fetch(`${endpoints.url}/api/v1${route}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await res.text();
      if (res.status === 401) this.tokens.delete(options.as);
      return { status: res.status, body: text ? JSON.parse(text) : null };
    } catch (error) {
      return { status: 0, body: { error: String(error) } };
    }
  }

  private async token(url: string, username: string): Promise<string | undefined> {
    const cached = this.tokens.get(username);
    if (cached) return cached;
    const res = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: DEMO_PASSWORD }),
      signal: AbortSignal.timeout(20_000),
    });
    if (res.status !== 200) return undefined;
    const { token } = (await res.json()) as { token: string };
    this.tokens.set(username, token);
    return token;
  }
}
