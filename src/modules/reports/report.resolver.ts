import type { GraphQLResolveInfo } from 'graphql';
import { parseResolveInfo, type ResolveTree } from 'graphql-parse-resolve-info';
import { Arg, Ctx, FieldResolver, Info, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { TicketFilter } from '../tickets/ticket.inputs';
import type { Ticket } from '../tickets/ticket.entity';
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

async function visible(ctx: Context, ids: string[]): Promise<Ticket[]> {
  const tickets = await ctx.loaders.visibleTickets.loadMany(ids);
  return tickets.filter((ticket): ticket is Ticket => !!ticket && !(ticket instanceof Error));
}

/** Whether the client asked for the `examples` of each list of recurringIssues (under any alias or fragment). */
function wantedExamples(info: GraphQLResolveInfo): WantedExamples {
  const fields = Object.values((parseResolveInfo(info) as ResolveTree | null)?.fieldsByTypeName.RecurringIssuesReport ?? {});
  const wants = (list: string) =>
    fields.some((field) => field.name === list && Object.values(field.fieldsByTypeName).some((type) => Object.values(type).some((sub) => sub.name === 'examples')));
  return { tags: wants('tags'), businesses: wants('businesses'), titleClusters: wants('titleClusters') };
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
    const found = await ctx.services.reports.recurringIssues(reports.window, minOccurrences, wantedExamples(info));
    const withExamples = <T extends { exampleIds: string[] }>(rows: T[]) =>
      Promise.all(rows.map(async ({ exampleIds, ...row }) => ({ ...row, examples: await visible(ctx, exampleIds) })));
    // Together, so that one batch of the loader reads every example.
    const [tags, businesses, titleClusters] = await Promise.all([withExamples(found.tags), withExamples(found.businesses), withExamples(found.titleClusters)]);
    return { tags, businesses, titleClusters };
  }
}
