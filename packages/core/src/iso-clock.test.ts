import { describe, expect, it } from 'vitest';
import { isoClock } from './iso-clock';

describe('isoClock', () => {
  it('formats the instant once per millisecond, and again when the clock moves (also backwards)', () => {
    let ms = Date.parse('2026-03-02T09:00:00.000Z');
    let calls = 0;
    const now = isoClock({
      now: () => {
        calls++;
        return new Date(ms);
      },
    });
    expect(now()).toBe('2026-03-02T09:00:00.000Z');
    expect(now()).toBe('2026-03-02T09:00:00.000Z');
    ms += 1;
    expect(now()).toBe('2026-03-02T09:00:00.001Z');
    ms -= 60_000;
    expect(now()).toBe('2026-03-02T08:59:00.001Z');
    // The clock is asked every time: only the formatting is saved.
    expect(calls).toBe(4);
  });
});
