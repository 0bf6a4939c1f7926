import { Migration } from '@mikro-orm/migrations';

const RESOLUTION = 'status, priority, channel, resolution_seconds, resolution_business_seconds, resolution_breached_at, satisfaction_score';
const FIRST_RESPONSE = 'status, priority, channel, first_response_seconds, first_response_business_seconds';

/**
 * One business's resolutions and first responses by assignee, then time: agentPerformance over one
 * business takes each agent's median from them in index order, without sorting the business's
 * tickets by agent first (the busiest business: 17 → 9 ms per statement). They replace the indexes
 * by business and time (`Migration20261127050000_reports`); a report over one business and a short
 * period now reads all of that business's entries in the index (at most some ten thousand).
 */
export class Migration20261127160000_business_agent_outcomes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop index ticket_business_resolved_idx, ticket_business_first_responded_idx;`);
    this.addSql(`create index ticket_business_agent_resolved_idx on ticket (business_id, assignee_id, resolved_at) include (${RESOLUTION}) where resolved_at is not null;`);
    this.addSql(`create index ticket_business_agent_first_responded_idx on ticket (business_id, assignee_id, first_responded_at) include (${FIRST_RESPONSE})
      where first_responded_at is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index ticket_business_agent_resolved_idx, ticket_business_agent_first_responded_idx;`);
    const dims = 'status, priority, channel, assignee_id, business_id';
    this.addSql(`create index ticket_business_resolved_idx on ticket (business_id, resolved_at) include (${dims}, resolution_seconds, resolution_business_seconds, resolution_breached_at, satisfaction_score)
      where resolved_at is not null;`);
    this.addSql(`create index ticket_business_first_responded_idx on ticket (business_id, first_responded_at) include (${dims}, first_response_seconds, first_response_business_seconds)
      where first_responded_at is not null;`);
  }
}
