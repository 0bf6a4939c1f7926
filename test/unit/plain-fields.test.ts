import type { GraphQLObjectType } from 'graphql';
import { createLocalPubSub } from '../../src/modules/realtime/pubsub';
import { createSchema } from '../../src/schema';

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
