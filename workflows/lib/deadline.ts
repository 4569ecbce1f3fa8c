import { condition } from '@temporalio/workflow';
import { type HolidayCalendar, workingDayDeadline } from '../../cases';
import type { CaseClock } from './clock';

/**
 * A deadline in working days that can be moved while it is awaited (the shape of Temporal's
 * updatable-timer sample): `restart()` re-counts from now, `moveTo()` sets an instant; a wait in
 * progress re-arms its timer on the new deadline instead of firing on the old one.
 */
export class WorkingDayDeadline {
  private at = 0;
  private moved = false;

  constructor(
    private readonly clock: CaseClock,
    private readonly calendar: HolidayCalendar,
  ) {}

  get dueAt(): number {
    return this.at;
  }

  get dueIso(): string {
    return this.clock.iso(this.at);
  }

  /** N working days counted from now (or from an earlier instant, e.g. a backdated submission). */
  restart(workingDays: number, from = this.clock.now()): this {
    return this.moveTo(workingDayDeadline(from, workingDays, this.calendar));
  }

  moveTo(ms: number): this {
    this.at = ms;
    this.moved = true;
    return this;
  }

  /** Waits until `done()` holds (true) or the deadline passes (false), following any move meanwhile. */
  async wait(done: () => boolean): Promise<boolean> {
    for (;;) {
      this.moved = false;
      if (await condition(() => done() || this.moved, this.clock.until(this.at))) {
        if (done()) return true;
        continue; // moved: re-arm on the new deadline
      }
      if (done()) return true;
      if (!this.moved) return false;
    }
  }
}
