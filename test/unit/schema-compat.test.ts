import { compareSchemas } from '../../scripts/schema-compat';

/** A small schema in the shape of ours: a root query, an object type, an enum and an input. */
const released = `
  type Query {
    tickets(first: Int, filter: TicketFilter): [Ticket!]!
    ticket(id: ID!): Ticket
    legacyBoard: Board @deprecated(reason: "Use tickets.")
  }
  type Ticket {
    id: ID!
    title: String!
    subject: String! @deprecated(reason: "Use title.")
    status: Status!
  }
  type Board { name: String! }
  enum Status { OPEN CLOSED ARCHIVED @deprecated(reason: "Use CLOSED.") }
  input TicketFilter {
    status: [Status!]
    text: String @deprecated(reason: "Use search.")
    search: String
  }
`;

const paths = (changes: { path?: string }[]) => changes.map((change) => change.path);

describe('the contract rule (npm run schema:diff)', () => {
  it('finds nothing between a schema and itself', async () => {
    const result = await compareSchemas(released, released);
    expect([...result.refused, ...result.announced, ...result.dangerous, ...result.safe]).toEqual([]);
  });

  it('refuses a field removed without a deprecation first', async () => {
    const result = await compareSchemas(released, released.replace('    title: String!\n', ''));
    expect(paths(result.refused)).toEqual(['Ticket.title']);
  });

  it('accepts a field removed after its deprecation was released', async () => {
    const result = await compareSchemas(released, released.replace(/ {4}subject: String! @deprecated\(reason: "Use title."\)\n/, ''));
    expect(result.refused).toEqual([]);
    expect(paths(result.announced)).toEqual(['Ticket.subject']);
  });

  it('refuses a deprecation and a removal in the same release (the deprecation was never released)', async () => {
    const deprecatedNow = released.replace('    title: String!\n', '    title: String! @deprecated(reason: "Use subject.")\n');
    const result = await compareSchemas(released, deprecatedNow.replace(/ {4}title: .*\n/, ''));
    expect(paths(result.refused)).toEqual(['Ticket.title']);
  });

  it('accepts an added optional argument and refuses an added required one', async () => {
    const optional = await compareSchemas(released, released.replace('ticket(id: ID!)', 'ticket(id: ID!, locale: String)'));
    expect(optional.refused).toEqual([]);
    // graphql-inspector counts a new optional argument as dangerous (a client's cache keys may change): printed, allowed.
    expect(paths([...optional.dangerous, ...optional.safe])).toEqual(['Query.ticket.locale']);

    const required = await compareSchemas(released, released.replace('ticket(id: ID!)', 'ticket(id: ID!, locale: String!)'));
    expect(paths(required.refused)).toEqual(['Query.ticket.locale']);
  });

  it('holds enum values and input fields to the same rule', async () => {
    const result = await compareSchemas(
      released,
      released.replace(' ARCHIVED @deprecated(reason: "Use CLOSED.")', '').replace(/ {4}text: String @deprecated.*\n/, '').replace(' CLOSED', ''),
    );
    expect(paths(result.refused)).toEqual(['Status.CLOSED']);
    expect(paths(result.announced).sort()).toEqual(['Status.ARCHIVED', 'TicketFilter.text']);
  });

  it('accepts a type removed with the deprecated field that led to it, and refuses one still reachable', async () => {
    const gone = released.replace(/ {4}legacyBoard: .*\n/, '').replace('  type Board { name: String! }\n', '');
    const result = await compareSchemas(released, gone);
    expect(result.refused).toEqual([]);
    expect(paths(result.announced).sort()).toEqual(['Board', 'Query.legacyBoard']);

    const stillUsed = released.replace('legacyBoard: Board @deprecated(reason: "Use tickets.")', 'legacyBoard: Board');
    const refused = await compareSchemas(stillUsed, stillUsed.replace(/ {4}legacyBoard: .*\n/, '').replace('  type Board { name: String! }\n', ''));
    expect(paths(refused.refused).sort()).toEqual(['Board', 'Query.legacyBoard']);
  });

  it('prints a new enum value as dangerous, not breaking', async () => {
    const result = await compareSchemas(released, released.replace('enum Status { OPEN', 'enum Status { OPEN PENDING'));
    expect(result.refused).toEqual([]);
    expect(paths(result.dangerous)).toEqual(['Status.PENDING']);
  });
});
