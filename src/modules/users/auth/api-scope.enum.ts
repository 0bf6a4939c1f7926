import { registerEnumType } from 'type-graphql';

/** What an API key may do. A key holds only the scopes given when it was created. */
export enum ApiScope {
  TICKETS_READ = 'TICKETS_READ',
  TICKETS_WRITE = 'TICKETS_WRITE',
  COMMENTS_INTERNAL = 'COMMENTS_INTERNAL',
  REPORTS_READ = 'REPORTS_READ',
  MONITORING = 'MONITORING',
}

registerEnumType(ApiScope, {
  name: 'ApiScope',
  description: 'A right granted to an API key.',
  valuesConfig: {
    TICKETS_READ: { description: 'Read tickets, businesses, contacts, tags and external comments.' },
    TICKETS_WRITE: {
      description: 'Create tickets, businesses and contacts; with TICKETS_READ also change, comment on and move existing tickets.',
    },
    COMMENTS_INTERNAL: { description: 'Also read internal comments and internal timeline entries.' },
    REPORTS_READ: { description: 'Read reports.' },
    MONITORING: { description: 'Open tickets from a monitoring system.' },
  },
});
