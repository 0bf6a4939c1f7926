import { Entity, Enum, ManyToOne } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/base.entity';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';
import { TicketLinkKind } from './link.enums';

/** One link between two tickets (at most one per pair, whichever way round): `ticket` KIND `other`. */
@Entity({ tableName: 'ticket_link' })
export class TicketLink extends BaseEntity<'actor'> {
  @ManyToOne(() => Ticket, { deleteRule: 'cascade' })
  ticket!: Ticket;

  @ManyToOne(() => Ticket, { deleteRule: 'cascade' })
  other!: Ticket;

  @Enum({ items: () => TicketLinkKind, type: 'text' })
  kind!: TicketLinkKind;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  actor: User | null = null;
}
