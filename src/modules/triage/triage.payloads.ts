import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { Business } from '../businesses/business.entity';
import { MatchReasonKind } from './match-score';

registerEnumType(MatchReasonKind, {
  name: 'MatchReasonKind',
  description: 'A kind of evidence that a ticket is about a business.',
  valuesConfig: {
    CONTACT_EMAIL: { description: "The submitter's email belongs to a contact of the business." },
    EMAIL_DOMAIN: { description: "The submitter's email domain is the business's domain." },
    COMPANY_NAME: { description: 'The submitted company name resembles the business name (trigram similarity).' },
  },
});

@ObjectType({ description: 'One piece of evidence for a match.' })
export class MatchReason {
  @Field(() => MatchReasonKind, { description: 'What kind of evidence.' })
  kind!: MatchReasonKind;

  @Field({ description: 'The evidence, in words.' })
  detail!: string;

  @Field(() => Float, { description: 'What this evidence alone is worth, 0 to 1.' })
  score!: number;
}

@ObjectType({ description: 'A business an unassigned ticket may be about, with why.' })
export class BusinessMatch {
  @Field(() => Business, { description: 'The candidate.' })
  business!: Business;

  @Field(() => Float, { description: 'Confidence, 0 to 1: the reasons combined.' })
  score!: number;

  @Field(() => [MatchReason], { description: 'The evidence, strongest first.' })
  reasons!: MatchReason[];
}
