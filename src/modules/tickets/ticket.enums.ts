import { registerEnumType } from 'type-graphql';

export enum TicketStatus {
  UNASSIGNED = 'UNASSIGNED',
  OPEN = 'OPEN',
  IN_PROGRESS = 'IN_PROGRESS',
  WAITING_ON_CUSTOMER = 'WAITING_ON_CUSTOMER',
  WAITING_ON_THIRD_PARTY = 'WAITING_ON_THIRD_PARTY',
  RESOLVED = 'RESOLVED',
  CLOSED = 'CLOSED',
}

/** Declared lowest first: the order is the urgency order used for sorting. */
export enum TicketPriority {
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
  URGENT = 'URGENT',
}

export enum TicketChannel {
  WEB_FORM = 'WEB_FORM',
  EMAIL = 'EMAIL',
  PHONE = 'PHONE',
  STAFF = 'STAFF',
  MONITORING = 'MONITORING',
  API = 'API',
}

export enum TicketOrderField {
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
  DUE_AT = 'DUE_AT',
  PRIORITY = 'PRIORITY',
  NUMBER = 'NUMBER',
}

export enum OrderDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}

registerEnumType(TicketStatus, {
  name: 'TicketStatus',
  description: 'Where a ticket stands in its life. The allowed moves are listed in the API guide.',
  valuesConfig: {
    UNASSIGNED: { description: 'Received but not yet linked to a business.' },
    OPEN: { description: 'Linked to a business, waiting for work to begin.' },
    IN_PROGRESS: { description: 'Someone is working on it.' },
    WAITING_ON_CUSTOMER: { description: 'Waiting for an answer from the customer.' },
    WAITING_ON_THIRD_PARTY: { description: 'Waiting for someone outside the team and the customer.' },
    RESOLVED: { description: 'A solution is documented; waiting for the customer to confirm.' },
    CLOSED: { description: 'Done: the customer confirmed, or the quiet period ran out.' },
  },
});
registerEnumType(TicketPriority, { name: 'TicketPriority', description: 'How urgent a ticket is, lowest first.' });
registerEnumType(TicketChannel, {
  name: 'TicketChannel',
  description: 'How a ticket reached us.',
  valuesConfig: {
    WEB_FORM: { description: 'The public web form (`submitTicket`).' },
    EMAIL: { description: 'An inbound email.' },
    PHONE: { description: 'A phone call typed in by staff.' },
    STAFF: { description: 'Staff on behalf of a customer.' },
    MONITORING: { description: 'A monitoring system alert.' },
    API: { description: 'An integration using an API key.' },
  },
});
registerEnumType(TicketOrderField, { name: 'TicketOrderField', description: 'What a list of tickets is sorted by.' });
registerEnumType(OrderDirection, { name: 'OrderDirection', description: 'Ascending or descending.' });
