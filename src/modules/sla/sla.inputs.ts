import { Field, InputType, Int } from 'type-graphql';
import { TicketPriority } from '../tickets/ticket.enums';

@InputType({ description: 'New targets for the policy of one priority. Omitted fields stay as they are.' })
export class UpdateSlaPolicyInput {
  @Field(() => TicketPriority, { description: 'The policy to change.' })
  priority!: TicketPriority;

  @Field(() => Int, { nullable: true, description: 'Minutes until the first external staff reply is due (1 to 525600).' })
  firstResponseMinutes?: number | null;

  @Field(() => Int, { nullable: true, description: 'Minutes until resolution is due (1 to 525600).' })
  resolutionMinutes?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Count only business hours (true) or around the clock (false).' })
  businessHours?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Also pause the clocks while WAITING_ON_THIRD_PARTY.' })
  pauseOnThirdParty?: boolean | null;
}

@InputType({ description: 'New business hours. Omitted fields stay as they are.' })
export class UpdateBusinessHoursInput {
  @Field(() => String, { nullable: true, description: 'IANA time zone, e.g. Europe/Berlin.' })
  timeZone?: string | null;

  @Field(() => [Int], { nullable: true, description: 'Working days, 1 = Monday … 7 = Sunday.' })
  workingDays?: number[] | null;

  @Field(() => String, { nullable: true, description: 'Opening time, HH:MM.' })
  opensAt?: string | null;

  @Field(() => String, { nullable: true, description: 'Closing time, HH:MM, after opensAt.' })
  closesAt?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Open 24/7.' })
  alwaysOpen?: boolean | null;
}
