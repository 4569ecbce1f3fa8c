/**
 * The engine's clock. Every timer and timeout is scheduled here, never with setTimeout directly,
 * so time skipping moves them all. Like the Java test server's self-advancing timer: virtual time
 * flows at real speed, and additionally jumps to the next timer when skipping is unlocked and no
 * task is in flight.
 */
export interface TimerHandle {
  cancel(): void;
}

interface Entry {
  at: number;
  seq: number;
  fire: () => void;
  cancelled: boolean;
  index: number;
}

export class Clock {
  private offset = 0;
  private readonly heap: Entry[] = [];
  private seq = 0;
  private realTimer: NodeJS.Timeout | undefined;
  private realTimerAt = Number.POSITIVE_INFINITY;
  private checkQueued = false;
  private stopped = false;
  /**
   * Time-skipping locks; the test server starts locked once, the client unlocks around result(). Like the
   * Java test server's one counter, a task in flight holds a lock too, so `locks` may go below 0 by as many
   * as are in flight: an activity may unlock (testEnv.sleep) while it runs, and time then skips.
   */
  private locks: number;
  /** Called after time skipping moved the clock (a durable store writes the new offset). */
  onSkip: (() => void) | undefined;
  /** Workflow/activity tasks scheduled-but-unpolled or outstanding: time must not jump under them. */
  private inFlight = 0;

  constructor(readonly timeSkipping: boolean) {
    this.locks = timeSkipping ? 1 : 0;
  }

  now(): number {
    return Date.now() + this.offset;
  }

  /** How far time skipping has moved the clock ahead of real time. */
  get skippedMs(): number {
    return this.offset;
  }

  /** After a restart: continue from the skipped offset saved before it. */
  restoreSkipped(ms: number): void {
    this.offset = ms;
  }

  schedule(at: number, fire: () => void): TimerHandle {
    const e: Entry = { at, seq: this.seq++, fire, cancelled: false, index: this.heap.length };
    this.push(e);
    this.poke();
    return {
      cancel: () => {
        if (e.cancelled) return;
        e.cancelled = true;
        if (e.index >= 0) this.remove(e);
      },
    };
  }

  after(ms: number, fire: () => void): TimerHandle {
    return this.schedule(this.now() + Math.max(0, ms), fire);
  }

  lock(): void {
    this.locks++;
  }

  /** Returns false when already fully unlocked (the real test server refuses that). */
  unlock(): boolean {
    if (this.locks + this.inFlight <= 0) return false;
    this.locks--;
    this.poke();
    return true;
  }

  busy(delta: 1 | -1): void {
    this.inFlight += delta;
    if (this.inFlight < 0) this.inFlight = 0;
    if (this.locks + this.inFlight < 0) this.locks = -this.inFlight;
    if (this.locks + this.inFlight === 0) this.poke();
  }

  get lockCount(): number {
    return this.locks;
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  stop(): void {
    this.stopped = true;
    if (this.realTimer) clearTimeout(this.realTimer);
    this.heap.length = 0;
  }

  /** Re-evaluate on the next turn, after the current request has settled its state. */
  private poke(): void {
    if (this.checkQueued || this.stopped) return;
    this.checkQueued = true;
    setImmediate(() => {
      this.checkQueued = false;
      this.check();
    });
  }

  private check(): void {
    if (this.stopped) return;
    for (;;) {
      const top = this.heap[0];
      if (!top) break;
      const now = this.now();
      if (top.at > now) {
        if (this.timeSkipping && this.locks + this.inFlight <= 0) {
          this.offset += top.at - now;
          this.onSkip?.();
        } else {
          this.armReal(top.at - now);
          return;
        }
      }
      this.pop();
      top.fire();
    }
    this.disarmReal();
  }

  private armReal(delay: number): void {
    const at = Date.now() + delay;
    if (this.realTimer && this.realTimerAt <= at) return;
    this.disarmReal();
    this.realTimerAt = at;
    // +1: setTimeout may fire a hair early relative to Date.now().
    this.realTimer = setTimeout(
      () => {
        this.realTimer = undefined;
        this.realTimerAt = Number.POSITIVE_INFINITY;
        this.check();
      },
      Math.min(delay + 1, 2 ** 31 - 1),
    );
    this.realTimer.unref();
  }

  private disarmReal(): void {
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
    this.realTimerAt = Number.POSITIVE_INFINITY;
  }

  // Binary min-heap on (at, seq).
  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
  private swap(i: number, j: number): void {
    const h = this.heap;
    const a = h[i]!;
    const b = h[j]!;
    h[i] = b;
    h[j] = a;
    b.index = i;
    a.index = j;
  }
  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(this.heap[i]!, this.heap[p]!)) break;
      this.swap(i, p);
      i = p;
    }
  }
  private down(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(this.heap[l]!, this.heap[m]!)) m = l;
      if (r < n && this.less(this.heap[r]!, this.heap[m]!)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
  private push(e: Entry): void {
    this.heap.push(e);
    this.up(e.index);
  }
  private pop(): void {
    this.removeAt(0);
  }
  private remove(e: Entry): void {
    this.removeAt(e.index);
  }
  private removeAt(i: number): void {
    const h = this.heap;
    const e = h[i]!;
    const last = h.length - 1;
    if (i !== last) this.swap(i, last);
    h.pop();
    e.index = -1;
    if (i < h.length) {
      this.down(i);
      this.up(i);
    }
  }
}
