import { Collection, Entity, Enum, ManyToMany, ManyToOne, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../shared/base.entity';
import { Node } from '../../shared/node';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';
import { ProblemStatus } from './problem.enums';

/** The cause behind recurring tickets (ITIL problem management). Staff only: see problem.policy.ts. */
@ObjectType({ implements: Node, description: 'The underlying cause of recurring tickets, with the tickets it explains. Visible to the team only.' })
@Entity({ tableName: 'problem' })
export class Problem extends BaseEntity<'updatedAt' | 'rootCause' | 'creator' | 'fixedAt' | 'version' | 'tickets'> {
  @Field({ description: 'One-line name of the problem.' })
  @Property({ length: 200 })
  title!: string;

  @Field(() => ProblemStatus, { description: 'INVESTIGATING, KNOWN_ERROR or FIXED.' })
  @Enum({ items: () => ProblemStatus, type: 'text' })
  status!: ProblemStatus;

  @Field(() => String, { nullable: true, description: 'What causes it, as far as known (plain text).' })
  @Property({ type: 'text', nullable: true })
  rootCause: string | null = null;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  creator: User | null = null;

  @Field(() => Date, { nullable: true, description: 'When it was last set FIXED; null while it is not.' })
  @Property({ type: 'timestamptz', nullable: true })
  fixedAt: Date | null = null;

  @Field({ description: 'Last change of the problem or of its tickets list.' })
  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();

  @Field(() => Int, { description: 'Grows by one with every change; pass it as `expectedVersion` to refuse stale edits.' })
  @Property({ type: 'integer' })
  version: number = 1;

  @ManyToMany(() => Ticket, undefined, { pivotTable: 'problem_ticket', joinColumn: 'problem_id', inverseJoinColumn: 'ticket_id' })
  tickets = new Collection<Ticket>(this);
}
