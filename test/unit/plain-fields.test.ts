import type { GraphQLObjectType, GraphQLResolveInfo } from 'graphql';
import { createLocalPubSub } from '../../src/modules/realtime/pubsub';
import { createSchema } from '../../src/schema';
import type { Page } from '../../src/shared/pagination';

/**
 * Plain fields resolve with graphql-js's default resolver (schema.ts): no wrapper per field answered.
 * Fields with a resolver of their own keep it, and so does a field exposed under another name than
 * its property's (the default resolver would read the wrong property).
 */
describe('plain fields', () => {
  it('have no resolver of their own; field resolvers and renamed fields keep theirs', async () => {
    const schema = await createSchema(createLocalPubSub());
    const fields = (type: string) => (schema.getType(type) as GraphQLObjectType).getFields();
    expect(fields('Ticket').title.resolve).toBeUndefined();
    expect(fields('Ticket').status.resolve).toBeUndefined();
    expect(fields('Comment').body.resolve).toBeUndefined();
    expect(fields('Ticket').business.resolve).toEqual(expect.any(Function));
    expect(fields('Ticket').id.resolve).toEqual(expect.any(Function));
    expect(fields('WebhookEndpoint').id.resolve).toEqual(expect.any(Function));
  });
});

/**
 * A field with arguments answers what its loader already holds at once, not a promise of it: the
 * patch of type-graphql (patches/) checks arguments synchronously. Without it every `comments(first:)`
 * of a board page was a promise, and graphql-js waited on each ticket of the page (issue 19).
 */
describe('fields with arguments', () => {
  const page: Page<never> = { items: [], cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount: () => 0 };
  const resolveComments = async (args: Record<string, unknown>) => {
    const schema = await createSchema(createLocalPubSub());
    const field = (schema.getType('Ticket') as GraphQLObjectType).getFields().comments;
    const context = { loaders: { commentPages: { now: () => page } } };
    return () => field.resolve!({ id: '0a6f3b2e-0000-4000-8000-000000000001' }, args, context, {} as GraphQLResolveInfo);
  };

  it('answer a primed page at once', async () => {
    const answer = (await resolveComments({ first: 3 }))();
    expect(answer).not.toBeInstanceOf(Promise);
    expect(answer).toMatchObject({ pageInfo: { hasNextPage: false } });
  });

  it('still refuse what PostgreSQL cannot store, as BAD_USER_INPUT naming the argument', async () => {
    const resolve = await resolveComments({ first: 3, after: 'a\u0000b' });
    expect(resolve).toThrow(expect.objectContaining({ message: 'after must not contain NUL characters.', extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
  });
});
