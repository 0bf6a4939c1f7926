import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { IANAZone } from 'luxon';
import { badInput } from '../../shared/errors';
import { applyFilter } from '../tickets/ticket-list.query';
import type { TicketFilter } from '../tickets/ticket.inputs';
import type { ReportRangeInput } from './report.inputs';

const MAX_SPAN_MS = 10 * 366 * 24 * 3600 * 1000;

/** What every report covers: a validated period, its time zone, and the ticket filter. */
export interface ReportWindow {
  from: Date;
  to: Date;
  timeZone: string;
  filter: TicketFilter | null;
}

/** Zone names found valid: checking one builds a formatter, about half a millisecond a report. Bounded, as names come from callers. */
const validZones = new Set<string>();

function isTimeZone(name: string): boolean {
  if (validZones.has(name)) return true;
  if (!IANAZone.isValidZone(name)) return false;
  if (validZones.size < 1000) validZones.add(name);
  return true;
}

export function reportWindow(range: ReportRangeInput, filter: TicketFilter | null | undefined): ReportWindow {
  const timeZone = range.timeZone ?? 'UTC';
  if (!isTimeZone(timeZone)) throw badInput('timeZone is not an IANA time zone (e.g. Europe/Berlin).', 'range.timeZone');
  if (!(range.from < range.to)) throw badInput('range.from must be before range.to.', 'range.to');
  if (range.to.getTime() - range.from.getTime() > MAX_SPAN_MS) throw badInput('A report covers at most 10 years.', 'range.to');
  return { from: range.from, to: range.to, timeZone, filter: filter ?? null };
}

/**
 * `ticket t` with the report's ticket filter applied (reports read every ticket: their readers are
 * staff or REPORTS_READ keys). `without` drops filter fields a report applies itself.
 */
export function filteredTickets(em: EntityManager, window: ReportWindow, without: (keyof TicketFilter)[] = []): Knex.QueryBuilder {
  const q = em.getKnex()('ticket as t');
  const filter = window.filter ? { ...window.filter } : null;
  if (filter) for (const key of without) delete filter[key];
  applyFilter(q, filter);
  return q;
}

/** Whether the ticket filter narrows anything (leaving out `without`): if not, timeline counts need no ticket join. */
export function narrowsTickets(window: ReportWindow, without: (keyof TicketFilter)[] = []): boolean {
  return Object.entries(window.filter ?? {}).some(([field, value]) => !without.includes(field as keyof TicketFilter) && value !== null && value !== undefined);
}

/** `column` within the period [from, to). */
export function inPeriod(q: Knex.QueryBuilder, column: string, window: Pick<ReportWindow, 'from' | 'to'>): Knex.QueryBuilder {
  return q.where(column, '>=', window.from).where(column, '<', window.to);
}

/** A share from 0 to 1, or null when there is nothing to divide by. */
export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}
