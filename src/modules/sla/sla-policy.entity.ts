import { Entity, Enum, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { TicketPriority } from '../tickets/ticket.enums';

/** The service-level targets for one priority. Minutes are counted on the policy's clock. */
@ObjectType({ description: 'Service-level targets for one priority.' })
@Entity({ tableName: 'sla_policy' })
export class SlaPolicy {
  [OptionalProps]?: 'updatedAt';

  @Field(() => TicketPriority, { description: 'The priority this policy applies to.' })
  @PrimaryKey({ type: 'text' })
  @Enum({ items: () => TicketPriority, type: 'text' })
  priority!: TicketPriority;

  @Field(() => Int, { description: 'Minutes until the first external staff reply is due.' })
  @Property({ type: 'integer' })
  firstResponseMinutes!: number;

  @Field(() => Int, { description: 'Minutes until resolution is due. One business day counts as 480 minutes (8 working hours).' })
  @Property({ type: 'integer' })
  resolutionMinutes!: number;

  @Field({ description: 'true: minutes count only during business hours; false: around the clock (24/7).' })
  @Property()
  businessHours!: boolean;

  @Field({ description: 'true: the clocks also pause while WAITING_ON_THIRD_PARTY (they always pause while WAITING_ON_CUSTOMER).' })
  @Property()
  pauseOnThirdParty!: boolean;

  @Field({ description: 'Last change.' })
  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
