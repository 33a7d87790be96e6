// The mock cloud's notion of "now": real time plus an offset tests can move, so lifecycle phases
// (72 h active, 30 d claim window, 5 min challenges) can be reached without waiting.

export class MockClock {
  /** Milliseconds added to the real clock. */
  offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Move the clock forward (or back, with a negative value). */
  advance(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`clock.advance: not a finite number: ${ms}`);
    this.offsetMs += ms;
  }

  /** Make now() return `date` at this instant; time keeps running from there. */
  set(date: Date | string | number): void {
    const target = new Date(date).getTime();
    if (Number.isNaN(target)) throw new RangeError(`clock.set: invalid date: ${String(date)}`);
    this.offsetMs = target - Date.now();
  }

  /** Back to real time. */
  reset(): void {
    this.offsetMs = 0;
  }
}

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;
