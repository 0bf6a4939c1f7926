import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';

/** The one business-hours calendar (a single row, id 1) that business-hours SLA policies count on. */
@ObjectType({ description: 'When the support team works: SLA policies with businessHours count minutes only then.' })
@Entity({ tableName: 'business_calendar' })
export class BusinessHours {
  [OptionalProps]?: 'updatedAt' | 'id';

  @PrimaryKey({ type: 'smallint' })
  id: number = 1;

  @Field({ description: 'IANA time zone the hours are in, e.g. Europe/Berlin.' })
  @Property({ type: 'text' })
  timeZone!: string;

  @Field(() => [Int], { description: 'Working days, ISO numbering: 1 = Monday … 7 = Sunday.' })
  @Property({ type: 'smallint[]' })
  workingDays!: number[];

  @Field({ description: 'Opening time, HH:MM local.' })
  @Property({ length: 5 })
  opensAt!: string;

  @Field({ description: 'Closing time, HH:MM local, after opensAt.' })
  @Property({ length: 5 })
  closesAt!: string;

  @Field({ description: 'true: open 24/7 (the other fields are ignored).' })
  @Property()
  alwaysOpen!: boolean;

  @Field({ description: 'Last change.' })
  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
