import type { Client } from 'pg';
import { ALWAYS_OPEN, HOUR, MINUTE, WeeklyClock, zoneOffset, type PolicyClock } from './clock';
import type { Policy, Priority } from './world';

interface CalendarRow {
  time_zone: string;
  working_days: number[];
  opens_at: string;
  closes_at: string;
  always_open: boolean;
}

interface PolicyRow {
  priority: Priority;
  first_response_minutes: number;
  resolution_minutes: number;
  business_hours: boolean;
  pause_on_third_party: boolean;
}

/** The SLA policy of each priority, with its clock, as the migrations created them and the business calendar. */
export async function loadPolicies(client: Client, now: number): Promise<Record<Priority, Policy>> {
  const calendarRows = await client.query<CalendarRow>('select time_zone, working_days, opens_at, closes_at, always_open from business_calendar where id = 1');
  const policyRows = await client.query<PolicyRow>('select * from sla_policy');
  if (calendarRows.rows.length !== 1 || policyRows.rows.length !== 4) throw new Error('The migrations should have created the business calendar and four SLA policies.');
  const calendar = calendarRows.rows[0];
  const businessClock = calendarClock(calendar, now);
  return Object.fromEntries(
    policyRows.rows.map((p) => [
      p.priority,
      {
        firstResponseSeconds: p.first_response_minutes * 60,
        resolutionSeconds: p.resolution_minutes * 60,
        clock: p.business_hours ? businessClock : ALWAYS_OPEN,
        businessHours: p.business_hours && !calendar.always_open,
        pauseOnThirdParty: p.pause_on_third_party,
      },
    ]),
  ) as Record<Priority, Policy>;
}

/** A calendar in another zone is counted at the offset it has now: DST is not modelled (see clock.ts). */
function calendarClock(calendar: CalendarRow, now: number): PolicyClock {
  if (calendar.time_zone !== 'UTC') console.warn(`note: business calendar in ${calendar.time_zone}; business times are counted at its current UTC offset`);
  if (calendar.always_open) return ALWAYS_OPEN;
  const offset = calendar.time_zone === 'UTC' ? 0 : zoneOffset(calendar.time_zone, now);
  const clockOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * HOUR + Number(hhmm.slice(3, 5)) * MINUTE;
  return new WeeklyClock(calendar.working_days, clockOf(calendar.opens_at), clockOf(calendar.closes_at), offset);
}
