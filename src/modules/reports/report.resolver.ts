import type { GraphQLResolveInfo } from 'graphql';
import { parseResolveInfo, type ResolveTree } from 'graphql-parse-resolve-info';
import { Arg, Ctx, FieldResolver, Info, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { TicketFilter } from '../tickets/ticket.inputs';
import { selectedFields } from '../tickets/ticket-read';
import { ReportDimension, ReportInterval, ReportRangeInput } from './report.inputs';
import type { WantedExamples } from './recurring-issues.query';
import {
  AgentPerformanceRow,
  RecurringIssuesReport,
  Reports,
  ResolutionTimesRow,
  SatisfactionRow,
  SlaComplianceRow,
  TicketVolumeReport,
} from './report.payloads';

const GROUP_BY = 'Group by these dimensions (none: one row for everything).';

/**
 * Which lists of recurringIssues the client asked `examples` of, and the Ticket fields it selected on
 * them (under any alias or fragment), so the examples are read with what they show.
 */
function examplesAsked(info: GraphQLResolveInfo): { wanted: WantedExamples; selection: ResolveTree[] } {
  const lists = Object.values((parseResolveInfo(info) as ResolveTree | null)?.fieldsByTypeName.RecurringIssuesReport ?? {});
  const examplesOf = (list: ResolveTree) => Object.values(list.fieldsByTypeName).flatMap((type) => Object.values(type).filter((field) => field.name === 'examples'));
  const wants = (name: string) => lists.some((list) => list.name === name && examplesOf(list).length > 0);
  return {
    wanted: { tags: wants('tags'), businesses: wants('businesses'), titleClusters: wants('titleClusters') },
    selection: lists.flatMap(examplesOf).flatMap((examples) => ['Ticket', 'Node'].flatMap((type) => selectedFields(examples, type))),
  };
}

@Resolver(() => Reports)
export class ReportResolver {
  @Query(() => Reports, {
    description:
      'Team reports over a period and a ticket filter: staff and API keys with REPORTS_READ (customers: FORBIDDEN). ' +
      'Ask for several reports in one request; each says which tickets of the period it counts.',
  })
  reports(
    @Arg('range', () => ReportRangeInput, { description: 'The period and its time zone.' }) range: ReportRangeInput,
    @Arg('filter', () => TicketFilter, { nullable: true, description: 'Only tickets matching this filter (as in `tickets`).' }) filter: TicketFilter | null,
    @Ctx() ctx: Context,
  ): Reports {
    return { window: ctx.services.reports.open(range, filter) };
  }

  @FieldResolver(() => TicketVolumeReport, { description: 'Tickets created in the period, per group; with `interval`, also created, resolved and backlog over time.' })
  ticketVolume(
    @Root() reports: Reports,
    @Ctx() ctx: Context,
    @Arg('groupBy', () => [ReportDimension], { nullable: true, description: GROUP_BY }) groupBy?: ReportDimension[],
    @Arg('interval', () => ReportInterval, { nullable: true, description: 'Add a time series with buckets of this size.' }) interval?: ReportInterval,
  ) {
    return ctx.services.reports.ticketVolume(reports.window, groupBy, interval);
  }

  @FieldResolver(() => [ResolutionTimesRow], { description: 'Time to resolution and to first response: count, mean, median and p90, wall-clock and business hours.' })
  resolutionTimes(@Root() reports: Reports, @Ctx() ctx: Context, @Arg('groupBy', () => [ReportDimension], { nullable: true, description: GROUP_BY }) groupBy?: ReportDimension[]) {
    return ctx.services.reports.resolutionTimes(reports.window, groupBy);
  }

  @FieldResolver(() => [SlaComplianceRow], { description: 'Share of the tickets created in the period that met their first-response and resolution targets.' })
  slaCompliance(@Root() reports: Reports, @Ctx() ctx: Context, @Arg('groupBy', () => [ReportDimension], { nullable: true, description: GROUP_BY }) groupBy?: ReportDimension[]) {
    return ctx.services.reports.slaCompliance(reports.window, groupBy);
  }

  @FieldResolver(() => [SatisfactionRow], { description: 'Mean score, distribution and response rate of the tickets resolved in the period.' })
  satisfaction(@Root() reports: Reports, @Ctx() ctx: Context, @Arg('groupBy', () => [ReportDimension], { nullable: true, description: GROUP_BY }) groupBy?: ReportDimension[]) {
    return ctx.services.reports.satisfaction(reports.window, groupBy);
  }

  @FieldResolver(() => [AgentPerformanceRow], { description: 'One row per staff member, most resolved first. `filter.assigneeId` picks one agent.' })
  agentPerformance(@Root() reports: Reports, @Ctx() ctx: Context) {
    return ctx.services.reports.agentPerformance(reports.window);
  }

  @FieldResolver(() => RecurringIssuesReport, { description: 'Tags, businesses and alike titles with repeated tickets created in the period.' })
  async recurringIssues(
    @Root() reports: Reports,
    @Ctx() ctx: Context,
    @Arg('minOccurrences', () => Int, { defaultValue: 3, description: 'How many tickets make an issue recurring (at least 2; default 3).' }) minOccurrences: number,
    @Info() info: GraphQLResolveInfo,
  ) {
    const { wanted, selection } = examplesAsked(info);
    const found = await ctx.services.reports.recurringIssues(reports.window, minOccurrences, wanted);
    // Every list's examples in one read, with the viewer's rule: an example the viewer may not see is left out.
    const ids = [...found.tags, ...found.businesses, ...found.titleClusters].flatMap((row) => row.exampleIds);
    const tickets = new Map((await ctx.services.tickets.visible([...new Set(ids)], selection)).map((ticket) => [ticket.id, ticket]));
    const withExamples = <T extends { exampleIds: string[] }>(rows: T[]) =>
      rows.map(({ exampleIds, ...row }) => ({ ...row, examples: exampleIds.flatMap((id) => tickets.get(id) ?? []) }));
    return { tags: withExamples(found.tags), businesses: withExamples(found.businesses), titleClusters: withExamples(found.titleClusters) };
  }
}
