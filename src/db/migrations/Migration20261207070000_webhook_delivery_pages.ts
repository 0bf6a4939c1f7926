import { Migration } from '@mikro-orm/migrations';

/**
 * An endpoint's deliveries are paged newest first by id (`Webhook.deliveries`, shared/child-pages.ts):
 * the index on (channel, target, created_at) gives no order by id, so every page read and sorted all of
 * the endpoint's deliveries. This one is walked from the newest and stops at the end of the page.
 */
export class Migration20261207070000_webhook_delivery_pages extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index delivery_webhook_page_idx on delivery (target, id) where channel = 'WEBHOOK';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index delivery_webhook_page_idx;`);
  }
}
