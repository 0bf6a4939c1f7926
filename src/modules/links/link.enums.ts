import { registerEnumType } from 'type-graphql';

/** How a ticket stands to another, as stored: `ticket` KIND `other`. */
export enum TicketLinkKind {
  RELATED = 'RELATED',
  DUPLICATE_OF = 'DUPLICATE_OF',
  PARENT_OF = 'PARENT_OF',
}

/** A link as seen from one of its two tickets. */
export enum TicketRelation {
  RELATED = 'RELATED',
  DUPLICATE_OF = 'DUPLICATE_OF',
  DUPLICATED_BY = 'DUPLICATED_BY',
  PARENT_OF = 'PARENT_OF',
  CHILD_OF = 'CHILD_OF',
}

/** The relation seen from the other ticket of a link. */
export function relationFrom(kind: TicketLinkKind, fromLinkedSide: boolean): TicketRelation {
  if (kind === TicketLinkKind.RELATED || !fromLinkedSide) return kind as unknown as TicketRelation;
  return kind === TicketLinkKind.PARENT_OF ? TicketRelation.CHILD_OF : TicketRelation.DUPLICATED_BY;
}

registerEnumType(TicketLinkKind, {
  name: 'TicketLinkKind',
  description: 'What `ticketId` is to `otherId` in `linkTickets`.',
  valuesConfig: {
    RELATED: { description: 'About the same matter; no rule follows from it.' },
    DUPLICATE_OF: { description: 'The same request as the other one (which is kept); consider `mergeTickets`.' },
    PARENT_OF: { description: 'The other ticket is part of this one: resolving this one lists it, and with `resolveChildren` resolves it.' },
  },
});
registerEnumType(TicketRelation, {
  name: 'TicketRelation',
  description: 'What a ticket is to the linked one, from the side of the ticket whose `links` are read.',
  valuesConfig: {
    RELATED: { description: 'About the same matter.' },
    DUPLICATE_OF: { description: 'This ticket duplicates the linked one.' },
    DUPLICATED_BY: { description: 'The linked ticket duplicates this one.' },
    PARENT_OF: { description: 'The linked ticket is a child of this one.' },
    CHILD_OF: { description: 'This ticket is a child of the linked one.' },
  },
});
