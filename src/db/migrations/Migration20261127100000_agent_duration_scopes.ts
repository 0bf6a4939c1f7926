import { Migration } from '@mikro-orm/migrations';
import { fillRollUp } from '../../modules/reports/report-digests';
import { durationMoveFunction, FIRST_DURATION_SCOPES as BEFORE, scopeList as list } from './Migration20261127070000_report_durations';

const SCOPES = [...BEFORE, 'AP', 'AC'];

/**
 * One agent's resolution and first-response times by priority and by channel from report_duration_month:
 * two more scopes, 'AP' and 'AC', keyed '<assignee id> <priority or channel>' (DURATION_MONTHS_OF_TICKET).
 * The trigger function is replaced to keep them, and they are filled from the tickets' figures.
 */
export class Migration20261127100000_agent_duration_scopes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table report_duration_month alter column scope type text, drop constraint report_duration_month_scope_check,
      add constraint report_duration_month_scope_check check (scope in (${list(SCOPES)}));`);
    this.addSql(`${durationMoveFunction(SCOPES)};`);
    this.addSql(`${fillRollUp('report_duration_month', `scope in ('AP', 'AC')`)};`);
  }

  override async down(): Promise<void> {
    this.addSql(`${durationMoveFunction(BEFORE)};`);
    this.addSql(`delete from report_duration_month where scope in ('AP', 'AC');`);
    this.addSql(`alter table report_duration_month drop constraint report_duration_month_scope_check, alter column scope type char(1),
      add constraint report_duration_month_scope_check check (scope in (${list(BEFORE)}));`);
  }
}
