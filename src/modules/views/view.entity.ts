import { Entity, ManyToOne, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../shared/base.entity';
import { Node } from '../../shared/node';
import { User } from '../users/user.entity';

/**
 * A saved ticket list: a filter and an ordering in the JSON shape of the `TicketFilter` and
 * `TicketOrder` inputs (dates as RFC 3339 strings), personal or shared (access/ownership.ts). Its
 * tickets and count are always read under the viewer's own visibility.
 */
@ObjectType({ implements: Node, description: 'A saved ticket list (filter and ordering) with its live count. Personal or shared with the team. Staff only.' })
@Entity({ tableName: 'ticket_view' })
export class TicketView extends BaseEntity<'updatedAt' | 'owner' | 'orderBy'> {
  @Field({ description: 'What agents pick it by.' })
  @Property({ length: 200 })
  name!: string;

  /** Shown through TicketViewResolver.owner and .shared. */
  @ManyToOne(() => User, { nullable: true, deleteRule: 'cascade' })
  owner: User | null = null;

  /** Shown through TicketViewResolver.filter. */
  @Property({ type: 'jsonb' })
  filter!: Record<string, unknown>;

  /** Shown through TicketViewResolver.orderBy. */
  @Property({ type: 'jsonb', nullable: true })
  orderBy: Record<string, unknown> | null = null;

  @Field({ description: 'When it was last changed.' })
  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
