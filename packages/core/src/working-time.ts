/**
 * Working time, as SLA deadlines and rules' business hours count it: a calendar says how much
 * working time lies between two instants and when a span of working time ends. `@tessera/sla`'s
 * `businessCalendar` is one; rules take any (so they need not depend on SLA).
 *
 * @example
 * const always: WorkingTimeCalendar = {
 *   addWorkingTime: (start, ms) => new Date(start.getTime() + ms),
 *   workingTimeBetween: (a, b) => Math.max(0, b.getTime() - a.getTime()),
 * };
 */
export interface WorkingTimeCalendar {
  addWorkingTime(start: Date, ms: number): Date;
  workingTimeBetween(a: Date, b: Date): number;
}
