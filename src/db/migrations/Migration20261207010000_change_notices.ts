import { Migration } from '@mikro-orm/migrations';

/**
 * Change notices for the in-process caches of credentials and SLA settings (docs/architecture.md,
 * "Cached reads and their invalidation"). A watched row that changes calls
 * `pg_notify('ticketgraph_changes', '<name>:<key>')` in the changing transaction, so every instance
 * listening hears it when, and only if, that transaction commits.
 *
 * Trigger arguments: the notice's name, the column whose value is its key ('' for none), then the
 * columns whose change matters (none given: every change does). An update that touches none of them
 * (`api_key.last_used_at`, `app_user.last_assigned_at`) sends nothing.
 */
export class Migration20261207010000_change_notices extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function notify_cached_change() returns trigger language plpgsql as $$
declare
  old_row jsonb := to_jsonb(old);
  new_row jsonb := to_jsonb(new);
  watched text[] := tg_argv[2:];
  row_key text;
begin
  if tg_op = 'UPDATE' and cardinality(watched) > 0
     and (select bool_and(old_row -> c is not distinct from new_row -> c) from unnest(watched) as c) then
    return null;
  end if;
  row_key := coalesce(old_row, new_row) ->> tg_argv[1];
  perform pg_notify('ticketgraph_changes', tg_argv[0] || coalesce(':' || row_key, ''));
  return null;
end $$;`);
    this.addSql(`create trigger auth_session_notice after update or delete on auth_session
      for each row execute function notify_cached_change('session', 'id', 'revoked_at');`);
    this.addSql(`create trigger app_user_notice after update or delete on app_user
      for each row execute function notify_cached_change('user', 'id', 'name', 'email', 'role', 'password_hash', 'deactivated_at');`);
    this.addSql(`create trigger contact_notice after update or delete on contact
      for each row execute function notify_cached_change('contact', 'id', 'business_id', 'name', 'email', 'password_hash', 'deactivated_at');`);
    this.addSql(`create trigger api_key_notice after update or delete on api_key
      for each row execute function notify_cached_change('apiKey', 'id', 'name', 'scopes', 'key_hash', 'previous_key_hash', 'previous_key_expires_at', 'revoked_at');`);
    this.addSql(`create trigger sla_policy_notice after insert or update or delete on sla_policy
      for each row execute function notify_cached_change('slaSettings', '');`);
    this.addSql(`create trigger business_calendar_notice after insert or update or delete on business_calendar
      for each row execute function notify_cached_change('slaSettings', '');`);
  }

  override async down(): Promise<void> {
    for (const table of ['auth_session', 'app_user', 'contact', 'api_key', 'sla_policy', 'business_calendar']) {
      this.addSql(`drop trigger ${table}_notice on ${table};`);
    }
    this.addSql(`drop function notify_cached_change();`);
  }
}
