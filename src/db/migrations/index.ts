import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127000000_core } from './Migration20261127000000_core';
import { Migration20261127010000_workflow } from './Migration20261127010000_workflow';
import { Migration20261127020000_intake } from './Migration20261127020000_intake';
import { Migration20261127030000_timeline_position } from './Migration20261127030000_timeline_position';
import { Migration20261127040000_assignment } from './Migration20261127040000_assignment';
import { Migration20261127050000_reports } from './Migration20261127050000_reports';
import { Migration20261127060000_report_digests } from './Migration20261127060000_report_digests';
import { Migration20261127070000_report_durations } from './Migration20261127070000_report_durations';
import { Migration20261127080000_report_counts } from './Migration20261127080000_report_counts';
import { Migration20261127090000_report_scope_months } from './Migration20261127090000_report_scope_months';
import { Migration20261127100000_agent_duration_scopes } from './Migration20261127100000_agent_duration_scopes';
import { Migration20261127110000_report_title_totals } from './Migration20261127110000_report_title_totals';
import { Migration20261127120000_business_assignments } from './Migration20261127120000_business_assignments';
import { Migration20261127130000_scope_titles } from './Migration20261127130000_scope_titles';
import { Migration20261127140000_title_spellings } from './Migration20261127140000_title_spellings';
import { Migration20261127150000_business_totals } from './Migration20261127150000_business_totals';
import { Migration20261127160000_business_agent_outcomes } from './Migration20261127160000_business_agent_outcomes';
import { Migration20261128170000_scope_spelling_totals } from './Migration20261128170000_scope_spelling_totals';
import { Migration20261206010000_access_lifecycle } from './Migration20261206010000_access_lifecycle';
import { Migration20261206020000_visible_moves } from './Migration20261206020000_visible_moves';
import { Migration20261206030000_inbound_trust } from './Migration20261206030000_inbound_trust';
import { Migration20261206050000_dedup_per_caller } from './Migration20261206050000_dedup_per_caller';
import { Migration20261206060000_feed_positions } from './Migration20261206060000_feed_positions';
import { Migration20261206070000_general_roll_ups } from './Migration20261206070000_general_roll_ups';
import { Migration20261206080000_deliveries } from './Migration20261206080000_deliveries';
import { Migration20261206090000_webhooks } from './Migration20261206090000_webhooks';
import { Migration20261206100000_customer_mail } from './Migration20261206100000_customer_mail';
import { Migration20261206110000_notifications } from './Migration20261206110000_notifications';
import { Migration20261206110500_account_tokens } from './Migration20261206110500_account_tokens';
import { Migration20261206120000_roll_up_reads } from './Migration20261206120000_roll_up_reads';
import { Migration20261207010000_change_notices } from './Migration20261207010000_change_notices';
import { Migration20261207050000_merge_links_problems } from './Migration20261207050000_merge_links_problems';
import { Migration20261207060000_macros_views } from './Migration20261207060000_macros_views';
import { Migration20261207070000_webhook_delivery_pages } from './Migration20261207070000_webhook_delivery_pages';

/**
 * Every migration, in order. Listed by hand rather than found by a file glob, so the same list works
 * from `dist/`, from TypeScript under jest, and in any working directory.
 */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261127000000_core', class: Migration20261127000000_core },
  { name: 'Migration20261127010000_workflow', class: Migration20261127010000_workflow },
  { name: 'Migration20261127020000_intake', class: Migration20261127020000_intake },
  { name: 'Migration20261127030000_timeline_position', class: Migration20261127030000_timeline_position },
  { name: 'Migration20261127040000_assignment', class: Migration20261127040000_assignment },
  { name: 'Migration20261127050000_reports', class: Migration20261127050000_reports },
  { name: 'Migration20261127060000_report_digests', class: Migration20261127060000_report_digests },
  { name: 'Migration20261127070000_report_durations', class: Migration20261127070000_report_durations },
  { name: 'Migration20261127080000_report_counts', class: Migration20261127080000_report_counts },
  { name: 'Migration20261127090000_report_scope_months', class: Migration20261127090000_report_scope_months },
  { name: 'Migration20261127100000_agent_duration_scopes', class: Migration20261127100000_agent_duration_scopes },
  { name: 'Migration20261127110000_report_title_totals', class: Migration20261127110000_report_title_totals },
  { name: 'Migration20261127120000_business_assignments', class: Migration20261127120000_business_assignments },
  { name: 'Migration20261127130000_scope_titles', class: Migration20261127130000_scope_titles },
  { name: 'Migration20261127140000_title_spellings', class: Migration20261127140000_title_spellings },
  { name: 'Migration20261127150000_business_totals', class: Migration20261127150000_business_totals },
  { name: 'Migration20261127160000_business_agent_outcomes', class: Migration20261127160000_business_agent_outcomes },
  { name: 'Migration20261128170000_scope_spelling_totals', class: Migration20261128170000_scope_spelling_totals },
  { name: 'Migration20261206010000_access_lifecycle', class: Migration20261206010000_access_lifecycle },
  { name: 'Migration20261206020000_visible_moves', class: Migration20261206020000_visible_moves },
  { name: 'Migration20261206030000_inbound_trust', class: Migration20261206030000_inbound_trust },
  { name: 'Migration20261206050000_dedup_per_caller', class: Migration20261206050000_dedup_per_caller },
  { name: 'Migration20261206060000_feed_positions', class: Migration20261206060000_feed_positions },
  { name: 'Migration20261206070000_general_roll_ups', class: Migration20261206070000_general_roll_ups },
  { name: 'Migration20261206080000_deliveries', class: Migration20261206080000_deliveries },
  { name: 'Migration20261206090000_webhooks', class: Migration20261206090000_webhooks },
  { name: 'Migration20261206100000_customer_mail', class: Migration20261206100000_customer_mail },
  { name: 'Migration20261206110000_notifications', class: Migration20261206110000_notifications },
  { name: 'Migration20261206110500_account_tokens', class: Migration20261206110500_account_tokens },
  { name: 'Migration20261206120000_roll_up_reads', class: Migration20261206120000_roll_up_reads },
  { name: 'Migration20261207010000_change_notices', class: Migration20261207010000_change_notices },
  { name: 'Migration20261207050000_merge_links_problems', class: Migration20261207050000_merge_links_problems },
  { name: 'Migration20261207060000_macros_views', class: Migration20261207060000_macros_views },
  { name: 'Migration20261207070000_webhook_delivery_pages', class: Migration20261207070000_webhook_delivery_pages },
];
