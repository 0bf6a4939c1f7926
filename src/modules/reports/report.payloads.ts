import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';
import { ReportDimension } from './report.inputs';
import type { ReportWindow } from './report-window';

@ObjectType({ description: 'One dimension of a report group.' })
export class ReportGroupValue {
  @Field(() => ReportDimension, { description: 'The dimension.' })
  dimension!: ReportDimension;

  @Field(() => String, {
    nullable: true,
    description: 'The value: an enum name (status, priority, channel) or an id (Tag, User, Business); null for none (untagged, unassigned, not linked).',
  })
  key!: string | null;

  @Field(() => String, { nullable: true, description: 'A readable name: the tag, user or business name, or the enum name.' })
  label!: string | null;
}

@ObjectType({
  description:
    'The reports over one period and ticket filter (`Query.reports`). Every figure comes from the timeline: times are settled by the ' +
    'entries that settle them (first response, resolution, reopen), counts are entries or tickets in the period.',
})
export class Reports {
  /** What the reports cover; not a field. */
  window!: ReportWindow;
}

@ObjectType({ description: 'Tickets created in the period, for one group.' })
export class VolumeGroup {
  @Field(() => [ReportGroupValue], { description: 'The group (empty when not grouped).' })
  group!: ReportGroupValue[];

  @Field(() => Int, { description: 'Tickets created in the period in this group.' })
  count!: number;
}

@ObjectType({ description: 'One time bucket of the volume series.' })
export class VolumePoint {
  @Field({ description: 'Start of the bucket (midnight, Monday or the 1st in the report time zone; the first bucket may start before the period).' })
  start!: Date;

  @Field(() => Int, { description: 'Tickets created in the bucket (within the period).' })
  created!: number;

  @Field(() => Int, { description: 'Moves to RESOLVED in the bucket (within the period); a ticket resolved twice counts twice.' })
  resolved!: number;

  @Field(() => Int, { description: 'Tickets open (neither resolved nor closed) at the end of the bucket, or at the end of the period for the last one.' })
  backlog!: number;
}

@ObjectType({ description: 'Ticket volume.' })
export class TicketVolumeReport {
  @Field(() => Int, { description: 'Tickets created in the period.' })
  total!: number;

  @Field(() => [VolumeGroup], { description: 'Counts per group, largest first.' })
  groups!: VolumeGroup[];

  @Field(() => [VolumePoint], { nullable: true, description: 'The time series, when an `interval` was given.' })
  series!: VolumePoint[] | null;
}

@ObjectType({ description: 'A distribution of durations, in hours. Null figures when there is nothing to measure.' })
export class DurationStats {
  @Field(() => Int, { description: 'How many durations.' })
  count!: number;

  @Field(() => Float, { nullable: true, description: 'Mean, hours.' })
  meanHours!: number | null;

  @Field(() => Float, { nullable: true, description: 'Median, hours.' })
  medianHours!: number | null;

  @Field(() => Float, { nullable: true, description: '90th percentile (continuous), hours.' })
  p90Hours!: number | null;
}

@ObjectType({
  description:
    'Time to resolution (tickets whose last resolution falls in the period) and to first response (tickets first answered in the period), ' +
    'from creation, less the time the SLA clock stood still (waiting on the customer, on a third party when the policy pauses, resolved ' +
    'before a reopen): in wall-clock hours and in business hours of the ticket’s policy.',
})
export class ResolutionTimesRow {
  @Field(() => [ReportGroupValue], { description: 'The group.' })
  group!: ReportGroupValue[];

  @Field(() => DurationStats, { description: 'Time to resolution, wall-clock hours.' })
  resolution!: DurationStats;

  @Field(() => DurationStats, { description: 'Time to resolution, business hours.' })
  resolutionBusiness!: DurationStats;

  @Field(() => DurationStats, { description: 'Time to first response, wall-clock hours.' })
  firstResponse!: DurationStats;

  @Field(() => DurationStats, { description: 'Time to first response, business hours.' })
  firstResponseBusiness!: DurationStats;
}

@ObjectType({ description: 'How many tickets met one SLA target.' })
export class ComplianceStats {
  @Field(() => Int, { description: 'Met: done in time.' })
  met!: number;

  @Field(() => Int, { description: 'Breached: done late, or not done and past due while the clock runs.' })
  breached!: number;

  @Field(() => Int, { description: 'Neither yet: not done and not due (or paused).' })
  pending!: number;

  @Field(() => Float, { nullable: true, description: 'met ÷ (met + breached); null when nothing was decided.' })
  rate!: number | null;
}

@ObjectType({ description: 'SLA compliance of the tickets created in the period.' })
export class SlaComplianceRow {
  @Field(() => [ReportGroupValue], { description: 'The group.' })
  group!: ReportGroupValue[];

  @Field(() => Int, { description: 'Tickets created in the period in this group.' })
  tickets!: number;

  @Field(() => ComplianceStats, { description: 'First-response target.' })
  firstResponse!: ComplianceStats;

  @Field(() => ComplianceStats, { description: 'Resolution target.' })
  resolution!: ComplianceStats;
}

@ObjectType({ description: 'Satisfaction with the tickets whose last resolution falls in the period.' })
export class SatisfactionRow {
  @Field(() => [ReportGroupValue], { description: 'The group.' })
  group!: ReportGroupValue[];

  @Field(() => Int, { description: 'Tickets resolved in the period.' })
  resolved!: number;

  @Field(() => Int, { description: 'Of those, how many were rated.' })
  rated!: number;

  @Field(() => Float, { nullable: true, description: 'rated ÷ resolved.' })
  responseRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean score, 1 to 5.' })
  meanScore!: number | null;

  @Field(() => [Int], { description: 'How many ratings gave 1, 2, 3, 4 and 5 (five numbers).' })
  distribution!: number[];
}

@ObjectType({ description: 'One agent’s figures in the period (tickets counted under their current assignee).' })
export class AgentPerformanceRow {
  @Field(() => User, { description: 'The agent.' })
  agent!: User;

  @Field(() => Int, { description: 'Assignments to the agent in the period (timeline entries).' })
  assigned!: number;

  @Field(() => Int, { description: 'Their tickets whose last resolution falls in the period.' })
  resolved!: number;

  @Field(() => Int, { description: 'Reopens (RESOLVED back to work) in the period of their tickets.' })
  reopened!: number;

  @Field(() => Float, { nullable: true, description: 'Median time to resolution of the resolved ones, wall-clock hours less paused time.' })
  medianResolutionHours!: number | null;

  @Field(() => Float, { nullable: true, description: 'The same in business hours.' })
  medianResolutionBusinessHours!: number | null;

  @Field(() => Float, { nullable: true, description: 'Median time to first response of their tickets first answered in the period, wall-clock hours.' })
  medianFirstResponseHours!: number | null;

  @Field(() => Float, { nullable: true, description: 'Share of the resolved ones that met the resolution target.' })
  slaComplianceRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean rating of the resolved ones that were rated.' })
  meanSatisfaction!: number | null;

  @Field(() => Int, { description: 'Tickets assigned to them now that are neither resolved nor closed (not limited to the period).' })
  openTickets!: number;
}

@ObjectType({ description: 'A tag or a business with repeated tickets in the period.' })
export class RecurringGroup {
  @Field(() => String, { description: 'The Tag or Business id.' })
  key!: string;

  @Field(() => String, { description: 'Its name.' })
  label!: string;

  @Field(() => Int, { description: 'Tickets created in the period.' })
  count!: number;

  @Field(() => [Ticket], { description: 'Up to three of them, newest first (only those the viewer may read).' })
  examples!: Ticket[];
}

@ObjectType({ description: 'Tickets of the period whose titles are alike (pg_trgm similarity), e.g. “Printer jam on floor 3” and “printer jammed, 2nd floor”.' })
export class TitleCluster {
  @Field(() => String, { description: 'The most frequent title of the cluster.' })
  title!: string;

  @Field(() => Int, { description: 'Tickets in the cluster.' })
  count!: number;

  @Field(() => [String], { description: 'The distinct titles merged into it (most frequent first, at most ten).' })
  variants!: string[];

  @Field(() => [Ticket], { description: 'Up to three of them, newest first (only those the viewer may read).' })
  examples!: Ticket[];
}

@ObjectType({ description: 'What keeps coming back in the period.' })
export class RecurringIssuesReport {
  @Field(() => [RecurringGroup], { description: 'Tags on at least `minOccurrences` tickets, most first (at most 20).' })
  tags!: RecurringGroup[];

  @Field(() => [RecurringGroup], { description: 'Businesses with at least `minOccurrences` tickets, most first (at most 20).' })
  businesses!: RecurringGroup[];

  @Field(() => [TitleCluster], { description: 'Clusters of similar titles with at least `minOccurrences` tickets, most first (at most 20).' })
  titleClusters!: TitleCluster[];
}
