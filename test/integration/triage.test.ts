import {
  BusinessMatchesDocument,
  CreateBusinessFromTicketDocument,
  CreateTicketDocument,
  IntakeTicketDocument,
  LinkTicketDocument,
  SearchBusinessesDocument,
  type SearchBusinessesQuery,
} from '../__generated__/graphql';
import { Business } from '../../src/modules/businesses/business.entity';
import { Contact } from '../../src/modules/businesses/contact.entity';
import * as make from '../factories';
import { startTestApp, type GraphQLResponse, type TestApp } from '../setup/test-app';

let app: TestApp;
let agent: make.Staff;
const names = ['Acme Corporation', 'Acme Corp Logistics', 'ACME Paints', 'Apex Corporation', 'Northwind Traders', 'Globex', 'Initech', 'Umbrella Health'];
const businesses: Record<string, Business> = {};

beforeAll(async () => {
  app = await startTestApp();
  agent = await make.staffUser(app);
  for (const name of names) businesses[name] = await make.business(app, { name, domain: `${name.toLowerCase().replace(/[^a-z]+/g, '-')}.example` });
});
afterAll(() => app.stop());

async function unassigned(submitterEmail: string | null, submittedCompanyName: string | null) {
  const res = await app.gql(
    CreateTicketDocument,
    { input: { title: 'Help', description: 'Please', submitterName: 'Sam Submitter', submitterEmail, submittedCompanyName } },
    agent.token,
  );
  expect(res.data!.createTicket.ticket.status).toBe('UNASSIGNED');
  return res.data!.createTicket.ticket.id;
}

const matches = async (id: string, token = agent.token) => app.gql(BusinessMatchesDocument, { id }, token);

describe('businessMatches', () => {
  it('ranks a near-miss company name first, and explains it', async () => {
    const id = await unassigned('sam@freemail.example', 'Acme Corporaton');
    const found = (await matches(id)).data!.ticket!.businessMatches;
    expect(found[0].business.name).toBe('Acme Corporation');
    expect(found[0].reasons.map((r) => r.kind)).toEqual(['COMPANY_NAME']);
    expect(found[0].reasons[0].detail).toContain('Acme Corporaton');
    const ranked = found.map((m) => m.business.name);
    expect(ranked).not.toContain('Northwind Traders');
    expect(ranked.indexOf('Acme Corporation')).toBeLessThan(ranked.indexOf('Apex Corporation') === -1 ? Infinity : ranked.indexOf('Apex Corporation'));
    expect(found.map((m) => m.score)).toEqual([...found.map((m) => m.score)].sort((a, b) => b - a));
  });

  it('tolerates word order', async () => {
    const id = await unassigned(null, 'Traders Northwind');
    expect((await matches(id)).data!.ticket!.businessMatches[0].business.name).toBe('Northwind Traders');
  });

  it('puts a contact email above a domain above a name, and combines evidence', async () => {
    const paints = businesses['ACME Paints'];
    await app.em().persistAndFlush(app.em().create(Contact, { business: paints.id, name: 'Known Person', email: 'known@elsewhere.example' }));
    const byContact = await unassigned('known@elsewhere.example', 'Acme Corporation');
    const found = (await matches(byContact)).data!.ticket!.businessMatches;
    expect(found[0]).toMatchObject({ business: { name: 'ACME Paints' }, reasons: [{ kind: 'CONTACT_EMAIL', score: 1 }] });
    expect(found[0].score).toBe(1);
    expect(found[1].business.name).toBe('Acme Corporation');

    const byDomainAndName = await unassigned('it@globex.example', 'Globex');
    const best = (await matches(byDomainAndName)).data!.ticket!.businessMatches[0];
    expect(best.business.name).toBe('Globex');
    expect(best.reasons.map((r) => r.kind)).toEqual(['EMAIL_DOMAIN', 'COMPANY_NAME']);
    expect(best.score).toBeGreaterThan(0.9);
  });

  it('is for staff only', async () => {
    const id = await unassigned('sam@freemail.example', 'Initech');
    const key = await make.apiKey(app, agent.user, ['TICKETS_READ' as never]);
    expect((await matches(id, key)).errors![0].extensions!.code).toBe('FORBIDDEN');
  });

  it('is empty when there is nothing to go on', async () => {
    const id = await unassigned(null, null);
    expect((await matches(id)).data!.ticket!.businessMatches).toEqual([]);
  });
});

describe('businesses(search:)', () => {
  it('tolerates typos and word order, best match first', async () => {
    const typo = await app.gql(SearchBusinessesDocument, { search: 'Umbrela Helth' }, agent.token);
    expect(typo.data!.businesses.nodes[0].name).toBe('Umbrella Health');
    const reordered = await app.gql(SearchBusinessesDocument, { search: 'corporation acme' }, agent.token);
    expect(reordered.data!.businesses.nodes[0].name).toBe('Acme Corporation');
    const partial = await app.gql(SearchBusinessesDocument, { search: 'acme' }, agent.token);
    expect(partial.data!.businesses.nodes.map((b) => b.name)).toEqual(expect.arrayContaining(['Acme Corporation', 'Acme Corp Logistics', 'ACME Paints']));
    expect(partial.data!.businesses.nodes.map((b) => b.name)).not.toContain('Northwind Traders');
  });

  it('finds by domain prefix, and pages search results without overlap', async () => {
    const byDomain = await app.gql(SearchBusinessesDocument, { search: 'northwind-traders.ex' }, agent.token);
    expect(byDomain.data!.businesses.nodes.map((b) => b.name)).toContain('Northwind Traders');
    const all = await app.gql(SearchBusinessesDocument, { search: 'acme', first: 100 }, agent.token);
    const seen: string[] = [];
    let after: string | null | undefined = null;
    do {
      const page: GraphQLResponse<SearchBusinessesQuery> = await app.gql(SearchBusinessesDocument, { search: 'acme', first: 1, after }, agent.token);
      const connection = page.data!.businesses;
      seen.push(...connection.nodes.map((n) => n.id));
      after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(all.data!.businesses.nodes.map((n) => n.id));
    expect(all.data!.businesses.totalCount).toBe(seen.length);
  });

  it('without search lists by name, and refuses a search cursor in a plain listing', async () => {
    const plain = await app.gql(SearchBusinessesDocument, { first: 3 }, agent.token);
    expect(plain.data!.businesses.nodes.map((b) => b.name)).toEqual(['Acme Corp Logistics', 'Acme Corporation', 'ACME Paints']);
    const searched = await app.gql(SearchBusinessesDocument, { search: 'acme', first: 1 }, agent.token);
    const mixed = await app.gql(SearchBusinessesDocument, { first: 1, after: searched.data!.businesses.pageInfo.endCursor }, agent.token);
    expect(mixed.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('linking', () => {
  it('linkTicketToBusiness creates the contact from the submitter when none matches', async () => {
    const id = await unassigned('new.contact@initech.example', 'Initech');
    const linked = await app.gql(LinkTicketDocument, { input: { ticketId: id, businessId: businesses.Initech.globalId } }, agent.token);
    expect(linked.data!.linkTicketToBusiness.ticket).toMatchObject({ status: 'OPEN', business: { name: 'Initech' }, contact: { name: 'Sam Submitter' } });
    const contact = await app.em().findOneOrFail(Contact, { email: 'new.contact@initech.example' });
    expect(contact.business.id).toBe(businesses.Initech.id);
  });

  it('createBusinessFromTicket creates the business and the contact and links, in one step', async () => {
    const id = await unassigned('founder@brand-new.example', 'Brand New Ltd');
    const res = await app.gql(CreateBusinessFromTicketDocument, { input: { ticketId: id, name: 'Brand New Ltd', domain: 'brand-new.example' } }, agent.token);
    expect(res.errors).toBeUndefined();
    expect(res.data!.createBusinessFromTicket.ticket).toMatchObject({
      status: 'OPEN',
      business: { name: 'Brand New Ltd', domain: 'brand-new.example', contacts: [{ name: 'Sam Submitter', email: 'founder@brand-new.example' }] },
      contact: { email: 'founder@brand-new.example' },
    });
  });

  it('createBusinessFromTicket writes nothing when the ticket is not visible or the input is bad', async () => {
    const before = await app.em().count(Business, {});
    const id = await unassigned('x@y.example', 'Y');
    const bad = await app.gql(CreateBusinessFromTicketDocument, { input: { ticketId: id, name: ' ', domain: 'y.example' } }, agent.token);
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    const customer = await make.customer(app, businesses.Globex);
    const foreign = await app.gql(CreateBusinessFromTicketDocument, { input: { ticketId: id, name: 'Y Inc' } }, customer.token);
    expect(foreign.errors![0].extensions!.code).toBe('FORBIDDEN');
    expect(await app.em().count(Business, {})).toBe(before);
    expect((await app.gql(IntakeTicketDocument, { id }, agent.token)).data!.ticket!.status).toBe('UNASSIGNED');
  });
});
