/** Task queues with long-poll matching: a FIFO of tasks and a FIFO of parked pollers per queue. */

/** A task knows how to hand itself out; it returns null when it went stale (moved, completed, ...). */
export interface Task<R> {
  deliver(): R | null;
}

export interface PollContext {
  /** Real-time ms to wait before answering empty. */
  timeoutMs: number;
  /** Registers a callback for when the caller cancels the call. */
  onCancel(cb: () => void): void;
  identity: string;
  /** The polling worker's `worker_instance_key` (empty from older SDKs): ShutdownWorker names it. */
  workerInstanceKey?: string;
}

interface Poller<R> {
  resolve(r: R | null): void;
  active: boolean;
  workerInstanceKey: string;
}

class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  push(t: T): void {
    this.items.push(t);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const t = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return t;
  }
  drain(): T[] {
    const out = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return out;
  }
}

class Queue<R> {
  readonly tasks = new Fifo<Task<R>>();
  readonly pollers = new Fifo<Poller<R>>();
  readonly lastPoll = new Map<string, number>();
}

export class Matching<R> {
  private readonly queues = new Map<string, Queue<R>>();

  private queue(key: string): Queue<R> {
    let q = this.queues.get(key);
    if (!q) {
      q = new Queue<R>();
      this.queues.set(key, q);
    }
    return q;
  }

  offer(key: string, task: Task<R>): void {
    const q = this.queue(key);
    for (;;) {
      const p = q.pollers.shift();
      if (!p) break;
      if (!p.active) continue;
      const r = task.deliver();
      if (r === null) return;
      p.active = false;
      p.resolve(r);
      return;
    }
    q.tasks.push(task);
  }

  /** Hand out the first live task, or park until one arrives, the timeout, or cancellation. */
  poll(key: string, ctx: PollContext): Promise<R | null> {
    const q = this.queue(key);
    q.lastPoll.set(ctx.identity, Date.now());
    for (;;) {
      const t = q.tasks.shift();
      if (!t) break;
      const r = t.deliver();
      if (r !== null) return Promise.resolve(r);
    }
    return new Promise<R | null>((resolve) => {
      const timer = setTimeout(() => finish(null), Math.max(0, ctx.timeoutMs));
      const poller: Poller<R> = {
        active: true,
        resolve: (r) => finish(r),
        workerInstanceKey: ctx.workerInstanceKey ?? '',
      };
      const finish = (r: R | null) => {
        clearTimeout(timer);
        poller.active = false;
        resolve(r);
      };
      ctx.onCancel(() => {
        if (poller.active) finish(null);
      });
      // Pollers that timed out or were cancelled leave only when a task comes; on an idle queue, drop
      // them here, or every long poll would stay in memory until the next task.
      while (q.pollers.peek()?.active === false) q.pollers.shift();
      q.pollers.push(poller);
    });
  }

  /** Answer every parked poller empty (worker shutdown, server stop). */
  release(key?: string): void {
    const qs =
      key === undefined ? [...this.queues.values()] : [this.queues.get(key)].filter((q) => q !== undefined);
    for (const q of qs) {
      for (const p of q.pollers.drain()) {
        if (p.active) {
          p.active = false;
          p.resolve(null);
        }
      }
    }
  }

  /**
   * Answer one worker's parked polls on a queue empty (ShutdownWorker), so no task is handed to a
   * worker that is going away; other workers' polls stay parked.
   */
  releaseWorker(key: string, workerInstanceKey: string): void {
    const q = this.queues.get(key);
    if (!q || !workerInstanceKey) return;
    for (const p of q.pollers.drain()) {
      if (!p.active) continue;
      if (p.workerInstanceKey === workerInstanceKey) {
        p.active = false;
        p.resolve(null);
      } else {
        q.pollers.push(p);
      }
    }
  }

  /** Tasks still queued under a key (used to move a dead sticky queue's tasks). */
  takeAll(key: string): Task<R>[] {
    const q = this.queues.get(key);
    return q ? q.tasks.drain() : [];
  }

  pollers(key: string): { identity: string; lastAccess: number }[] {
    const q = this.queues.get(key);
    if (!q) return [];
    return [...q.lastPoll].map(([identity, lastAccess]) => ({ identity, lastAccess }));
  }

  /** Pollers parked on a queue, including ones not yet dropped after timing out. */
  parked(key: string): number {
    return this.queues.get(key)?.pollers.size ?? 0;
  }

  backlog(key: string): number {
    return this.queues.get(key)?.tasks.size ?? 0;
  }
}
