import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    "A ticket's SLA clocks. They stand still while the ticket waits on the customer (and on a third party if the policy says so), " +
    'and while it is resolved; due dates move by the paused time. Seconds count on the policy clock (business hours or 24/7).',
})
export class TicketSla {
  @Field(() => Date, { nullable: true, description: 'When the first external staff reply is (or was) due; projected from now while paused.' })
  firstResponseDueAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When staff first replied externally.' })
  firstRespondedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When resolution is due; projected from now while paused, as stored in `dueAt` otherwise.' })
  resolutionDueAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'Since when the clocks stand still; null while they run.' })
  pausedSince!: Date | null;

  @Field(() => Int, { description: 'Clock seconds spent paused so far, the current pause included.' })
  pausedSeconds!: number;

  @Field(() => Int, { nullable: true, description: 'Clock seconds left until resolution is due (negative once past; frozen while paused).' })
  remainingSeconds!: number | null;

  @Field({ description: 'True once a first-response or resolution target was missed.' })
  breached!: boolean;
}
