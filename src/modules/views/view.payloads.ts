import { Field, ID, Int, ObjectType } from 'type-graphql';
import { TicketView } from './view.entity';

@ObjectType({ description: 'A view’s ticket count changed (or, first, what it is when the subscription starts).' })
export class ViewCount {
  @Field(() => ID, { description: 'The view.' })
  viewId!: string;

  @Field(() => TicketView, { description: 'The view itself.' })
  view!: TicketView;

  @Field(() => Int, { description: 'How many tickets it lists now, under the subscriber’s visibility.' })
  count!: number;
}
