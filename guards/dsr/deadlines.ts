/**
 * Deadlines of data-subject requests (DSR-2), in UTC calendar days.
 *
 * GDPR art. 12(3): one month from receipt, extendable by two further months with reasons. Months are counted as in
 * Regulation (EEC, Euratom) 1182/71 art. 3, which the EDPB applies to art. 12 (Guidelines 01/2022 on the right of
 * access): the same day number in the next month, or that month's last day when it has no such day (31 January ->
 * 28/29 February); a deadline that falls on a Saturday or Sunday moves to the next Monday. Public holidays differ by
 * member state and are not modelled: a deadline on a holiday is reported on the holiday itself (earlier, so safe).
 * CCPA 1798.130(a)(2): 45 calendar days, extendable once by 45 more; acknowledgement within 10 business days
 * (CCPA regulations 7021(a)).
 * The customer's region decides; an unknown region gets whichever deadline comes first (the stricter).
 */
export type Region = 'EU' | 'UK' | 'US-CA' | 'US' | 'OTHER';
export type Regime = 'GDPR' | 'CCPA' | 'STRICTEST';

const DAY = 86_400_000;

/** Midnight UTC of the date part. */
export function utcDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

export function addDays(d: Date, n: number): Date {
  return new Date(utcDay(d).getTime() + n * DAY);
}

/** Same day number `months` later, clamped to the last day of the target month. */
export function addMonths(d: Date, months: number): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay)));
}

function isWeekend(d: Date): boolean {
  const wd = d.getUTCDay();
  return wd === 0 || wd === 6;
}

export function nextBusinessDayIfWeekend(d: Date): Date {
  let out = utcDay(d);
  while (isWeekend(out)) out = addDays(out, 1);
  return out;
}

export function addBusinessDays(d: Date, n: number): Date {
  let out = utcDay(d);
  let left = n;
  while (left > 0) {
    out = addDays(out, 1);
    if (!isWeekend(out)) left--;
  }
  return out;
}

export function regimeFor(region: string | undefined): Regime {
  if (region === 'EU' || region === 'UK') return 'GDPR';
  if (region === 'US-CA') return 'CCPA';
  return 'STRICTEST';
}

export interface Deadlines {
  regime: Regime;
  /** Last day (UTC date) to answer. */
  due: Date;
  /** Last day to answer when extended with reasons. */
  extendedDue: Date;
  /** Last day to acknowledge receipt. */
  acknowledgeBy: Date;
}

function gdpr(received: Date): { due: Date; extendedDue: Date } {
  return { due: nextBusinessDayIfWeekend(addMonths(utcDay(received), 1)), extendedDue: nextBusinessDayIfWeekend(addMonths(utcDay(received), 3)) };
}

function ccpa(received: Date): { due: Date; extendedDue: Date } {
  return { due: addDays(received, 45), extendedDue: addDays(received, 90) };
}

export function deadlinesFor(region: string | undefined, received: Date): Deadlines {
  const regime = regimeFor(region);
  const acknowledgeBy = addBusinessDays(received, 10);
  if (regime === 'GDPR') return { regime, ...gdpr(received), acknowledgeBy };
  if (regime === 'CCPA') return { regime, ...ccpa(received), acknowledgeBy };
  const g = gdpr(received);
  const c = ccpa(received);
  const min = (a: Date, b: Date) => (a.getTime() <= b.getTime() ? a : b);
  return { regime, due: min(g.due, c.due), extendedDue: min(g.extendedDue, c.extendedDue), acknowledgeBy };
}

export type DeadlineFlag = 'overdue' | 'due_this_week' | 'on_time';

/** For the compliance console: overdue after the due day ends; due this week within the next 7 days. */
export function flagFor(due: Date, now: Date): DeadlineFlag {
  const today = utcDay(now).getTime();
  if (today > due.getTime()) return 'overdue';
  if (due.getTime() - today <= 7 * DAY) return 'due_this_week';
  return 'on_time';
}

export const isoDate = (d: Date) => d.toISOString().slice(0, 10);
