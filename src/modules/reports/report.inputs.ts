import { Field, InputType, registerEnumType } from 'type-graphql';

export enum ReportDimension {
  STATUS = 'STATUS',
  PRIORITY = 'PRIORITY',
  TAG = 'TAG',
  ASSIGNEE = 'ASSIGNEE',
  BUSINESS = 'BUSINESS',
  CHANNEL = 'CHANNEL',
}

registerEnumType(ReportDimension, {
  name: 'ReportDimension',
  description: 'What to group a report by. TAG counts a ticket once under each of its tags (untagged ones under a null key).',
  valuesConfig: {
    STATUS: { description: 'The current status.' },
    PRIORITY: { description: 'The current priority.' },
    TAG: { description: 'Each tag (key: the Tag id; null: untagged).' },
    ASSIGNEE: { description: 'The current assignee (key: the User id; null: unassigned).' },
    BUSINESS: { description: 'The linked business (key: the Business id; null: not linked).' },
    CHANNEL: { description: 'How the ticket reached us.' },
  },
});

export enum ReportInterval {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}

registerEnumType(ReportInterval, {
  name: 'ReportInterval',
  description: 'Time-series buckets, aligned in the report time zone (weeks start on Monday).',
});

@InputType({
  description:
    'The period a report covers: from `from` (included) to `to` (excluded). Which tickets fall in it is said by each report. ' +
    'Intervals and their boundaries are counted in `timeZone`.',
})
export class ReportRangeInput {
  @Field({ description: 'Start, included.' })
  from!: Date;

  @Field({ description: 'End, excluded. At most 10 years after `from`.' })
  to!: Date;

  @Field(() => String, { nullable: true, description: 'IANA time zone for intervals, e.g. Europe/Berlin. Default UTC.' })
  timeZone?: string | null;
}
