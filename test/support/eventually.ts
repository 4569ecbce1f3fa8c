/**
 * Polls `check` until it returns a value, or fails after `timeoutMs` with the last error it threw.
 * For state another process or worker changes (a database row, a workflow's projection): the test
 * awaits the condition itself, never a fixed sleep. The default bound is generous: on a busy 2-core
 * machine a workflow's first task can wait tens of seconds (CI saw a clearing run's first query fail
 * after 15 s); a bound only decides how long a real failure takes to report.
 */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms: ${String(last ?? '')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
