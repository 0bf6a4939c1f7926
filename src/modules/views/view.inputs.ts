import { Field, ID, InputType } from 'type-graphql';
import { LIMITS } from '../../shared/validation';
import { TicketFilter, TicketOrder } from '../tickets/ticket.inputs';

@InputType({ description: 'A view’s name, filter and order.' })
abstract class ViewFields {
  @Field({ description: `What agents pick it by, 1 to ${LIMITS.name} characters.` })
  name!: string;

  @Field(() => TicketFilter, { nullable: true, description: 'Which tickets it lists, as in `tickets(filter:)`; omitted: every ticket the viewer may see.' })
  filter?: TicketFilter | null;

  @Field(() => TicketOrder, { nullable: true, description: 'Its order, as in `tickets(orderBy:)`; omitted: CREATED_AT DESC.' })
  orderBy?: TicketOrder | null;
}

@InputType({ description: 'A new saved view.' })
export class CreateViewInput extends ViewFields {
  @Field(() => Boolean, { nullable: true, description: 'true: shared with every staff member (admins only); default false: personal to you.' })
  shared?: boolean | null;
}

@InputType({ description: 'Replaces a view’s name, filter and order: your own, or (admins) a shared one.' })
export class UpdateViewInput extends ViewFields {
  @Field(() => ID, { description: 'The view.' })
  viewId!: string;
}

@InputType({ description: 'Names a view.' })
export class ViewRefInput {
  @Field(() => ID, { description: 'The view.' })
  viewId!: string;
}
