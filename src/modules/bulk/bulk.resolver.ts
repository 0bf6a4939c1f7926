import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { BULK_LIMIT, BulkUpdateTicketsInput } from './bulk.inputs';
import { BulkUpdateTicketsPayload } from './bulk.payloads';

@Resolver()
export class BulkResolver {
  @Mutation(() => BulkUpdateTicketsPayload, {
    description:
      `The same status, assignee, priority and tag changes to up to ${BULK_LIMIT} tickets (staff, and API keys with TICKETS_WRITE). ` +
      'The input is checked first (a bad one is BAD_USER_INPUT and writes nothing); then each ticket is changed in its own ' +
      'transaction, with the rules and timeline entries of the single-ticket mutations, and gets its own result: a ticket that ' +
      'is refused (CONFLICT, INVALID_TRANSITION, NOT_FOUND, …) is left unchanged while the others are changed.',
  })
  bulkUpdateTickets(@Arg('input', () => BulkUpdateTicketsInput, { description: INPUT }) input: BulkUpdateTicketsInput, @Ctx() ctx: Context) {
    return ctx.services.bulk.update(input);
  }
}
