import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { v7 as uuidv7 } from 'uuid';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import { Role } from '../../src/modules/users/user.enums';
import { toGlobalId } from '../../src/shared/global-id';
import * as make from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * Calls every Query and Mutation field of the running server's own schema (read by introspection) with
 * edge values for its arguments, as every kind of caller, and checks that no answer is an
 * INTERNAL_SERVER_ERROR or anything but JSON: whatever a client sends, it is told what was wrong with it.
 *
 * For each field: one call with plain values (required arguments filled in, optional ones left out) as
 * each caller, then one call per (argument leaf, edge value) with everything else plain, every other
 * one as an admin (who gets furthest into the services), the rest as the other callers in turn.
 */

let app: TestApp;
let schema: GraphQLSchema;
const callers: Record<string, string | undefined> = {};
/** A real id per type, so that plain calls get past "not found" into the services. */
const realIds: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp();
  const admin = await make.staffUser(app, Role.ADMIN);
  const agent = await make.staffUser(app);
  const acme = await make.business(app, { name: 'Acme' });
  const customer = await make.customer(app, acme);
  const ticket = await make.ticket(app, { business: acme, assignee: agent.user, tags: ['billing'] });
  const comment = await make.comment(app, ticket, agent.user, 'A note', true);
  callers.anonymous = undefined;
  callers.customer = customer.token;
  callers.agent = agent.token;
  callers.admin = admin.token;
  callers.apiKey = await make.apiKey(app, admin.user, Object.values(ApiScope));
  Object.assign(realIds, {
    Ticket: ticket.globalId,
    Business: acme.globalId,
    User: agent.user.globalId,
    Contact: customer.contact.globalId,
    Comment: comment.globalId,
  });
  const introspection = await post({ query: getIntrospectionQuery() }, admin.token);
  schema = buildClientSchema(introspection.body.data as unknown as IntrospectionQuery);
});
afterAll(() => app.stop());

interface Answer {
  status: number;
  contentType: string | null;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(body: { query: string; variables?: Record<string, unknown> }, token?: string): Promise<Answer> {
  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Answer['body'];
  try {
    parsed = JSON.parse(text) as Answer['body'];
  } catch {
    parsed = { errors: [{ message: `not JSON: ${text.slice(0, 200)}`, extensions: { code: 'NOT_JSON' } }] };
  }
  return { status: response.status, contentType: response.headers.get('content-type'), body: parsed };
}

const HUGE = 'x'.repeat(25_000);
const WRONG_TYPE_ID = toGlobalId('Tag', uuidv7());
const EDGE_STRINGS = ['', 'a\u0000b', HUGE, "' or 1=1 --%_\\ 💥\u200b"];
const EDGE_DATES = ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', 'yesterday'];
const EDGE_INTS = [-1, 0, 2_147_483_647];

/** The type an id argument names: `ticketId` → Ticket, `assigneeIds` → User; `id` → the field's own type. */
function idTypeOf(name: string, field: GraphQLField<unknown, unknown>): string {
  const stem = name.replace(/Ids?$/, '');
  const byName: Record<string, string> = { assignee: 'User', user: 'User', agent: 'User', actor: 'User', accountManager: 'User' };
  if (stem === 'id' || stem === '') {
    const own = getNamedType(field.type).name;
    return own in realIds ? own : 'Ticket';
  }
  return byName[stem] ?? stem.charAt(0).toUpperCase() + stem.slice(1);
}

function edgeIds(type: string): unknown[] {
  return ['\u0000', toGlobalId(type, 'not-a-uuid'), toGlobalId(type, uuidv7()), WRONG_TYPE_ID];
}

/** The edge values of a leaf (a scalar or enum argument or input field), by its type and name. */
function edgesOf(type: GraphQLNamedType, name: string, field: GraphQLField<unknown, unknown>): unknown[] {
  if (isEnumType(type)) return ['NOT_A_VALUE', ...type.getValues().map((v) => v.value as string)];
  switch (type.name) {
    case 'ID':
      return edgeIds(idTypeOf(name, field));
    case 'String':
      return EDGE_STRINGS;
    case 'Int':
      return EDGE_INTS;
    case 'Float':
      return [0, -1, 1e308];
    case 'Boolean':
      return [true, false];
    case 'DateTime':
      return EDGE_DATES;
    case 'JSONObject':
      return [{}, { key: '\u0000' }];
    default:
      return [null];
  }
}

/** A plain value of a type: what a polite client would send. */
function plain(type: GraphQLInputType, name: string, field: GraphQLField<unknown, unknown>): unknown {
  const inner = getNullableType(type);
  if (isListType(inner)) return [plain(inner.ofType, name, field)];
  if (isInputObjectType(inner)) {
    const value: Record<string, unknown> = {};
    for (const f of Object.values(inner.getFields())) if (isNonNullType(f.type)) value[f.name] = plain(f.type, f.name, field);
    return value;
  }
  if (isEnumType(inner)) return inner.getValues()[0].value;
  switch (inner.name) {
    case 'ID':
      return realIds[idTypeOf(name, field)] ?? toGlobalId(idTypeOf(name, field), uuidv7());
    case 'String':
      return /email/i.test(name) ? 'fuzz@example.com' : /password/i.test(name) ? 'password-1234' : 'Fuzz text';
    case 'Int':
      return 1;
    case 'Float':
      return 1;
    case 'Boolean':
      return false;
    case 'DateTime':
      return new Date(Date.now() + 86_400_000).toISOString();
    case 'JSONObject':
      return {};
    default:
      return null;
  }
}

interface Variant {
  /** Which leaf carries the edge value, for the failure report. */
  leaf: string;
  args: Record<string, unknown>;
}

/** Every input object and leaf under an argument (three input levels deep), with its path from the argument. */
function leaves(type: GraphQLInputType, path: string[], depth = 0): { path: string[]; type: GraphQLInputType }[] {
  const inner = getNullableType(type);
  const named = getNamedType(type);
  if (isInputObjectType(named) && depth < 3) {
    const own = [{ path, type }];
    return own.concat(...Object.values(named.getFields()).map((f) => leaves(f.type, [...path, f.name], depth + 1)));
  }
  return [{ path, type: inner as GraphQLInputType }];
}

/** A copy of `base` with `value` at `path`, creating the input objects on the way. */
function withValue(base: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(base);
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const nextValue = at[key];
    at[key] = nextValue !== null && typeof nextValue === 'object' && !Array.isArray(nextValue) ? nextValue : {};
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1]] = value;
  return copy;
}

function variantsOf(field: GraphQLField<unknown, unknown>): Variant[] {
  const base: Record<string, unknown> = {};
  for (const arg of field.args) if (isNonNullType(arg.type)) base[arg.name] = plain(arg.type, arg.name, field);
  const variants: Variant[] = [{ leaf: '(plain)', args: base }];
  for (const arg of field.args) {
    for (const leaf of leaves(arg.type, [arg.name])) {
      const name = leaf.path[leaf.path.length - 1];
      const named = getNamedType(leaf.type);
      const label = leaf.path.join('.');
      if (isInputObjectType(named)) {
        // An input object: null (for an optional one), empty, and every optional field at once.
        variants.push({ leaf: `${label}=null`, args: withValue(base, leaf.path, null) });
        variants.push({ leaf: `${label}={}`, args: withValue(base, leaf.path, {}) });
        continue;
      }
      const list = isListType(getNullableType(leaf.type));
      for (const edge of edgesOf(named, name, field)) {
        variants.push({ leaf: `${label}=${JSON.stringify(edge)?.slice(0, 40)}`, args: withValue(base, leaf.path, list ? [edge] : edge) });
      }
      if (list) {
        variants.push({ leaf: `${label}=[]`, args: withValue(base, leaf.path, []) });
        variants.push({ leaf: `${label}=[x1000]`, args: withValue(base, leaf.path, Array(1000).fill(plain(named as GraphQLInputType, name, field))) });
      }
    }
  }
  return variants;
}

/** The scalar fields of a type, and those of the objects under it, two levels down. */
function selectionOf(type: GraphQLNamedType, depth = 0): string {
  if (!isObjectType(type) && !isInterfaceType(type)) return '';
  const parts = ['__typename'];
  for (const f of Object.values(type.getFields())) {
    if (f.args.some((a) => isNonNullType(a.type))) continue;
    const named = getNamedType(f.type);
    if (isScalarType(named) || isEnumType(named)) parts.push(f.name);
    else if (depth < 2) parts.push(`${f.name} { ${selectionOf(named, depth + 1)} }`);
  }
  return parts.join(' ');
}

function documentOf(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): string {
  const definitions = field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = selectionOf(getNamedType(field.type));
  return `${kind}${definitions ? `(${definitions})` : ''} { ${field.name}${args ? `(${args})` : ''}${selection ? ` { ${selection} }` : ''} }`;
}

interface Failure {
  field: string;
  caller: string;
  leaf: string;
  status: number;
  message: string;
}

function failuresOf(answer: Answer, field: string, caller: string, leaf: string): Failure[] {
  const out: Failure[] = [];
  if (!answer.contentType?.startsWith('application/json')) out.push({ field, caller, leaf, status: answer.status, message: `content-type ${answer.contentType}` });
  for (const error of answer.body.errors ?? []) {
    const code = error.extensions?.code;
    if (code === 'INTERNAL_SERVER_ERROR' || code === 'NOT_JSON' || code === undefined) out.push({ field, caller, leaf, status: answer.status, message: `${code}: ${error.message}` });
  }
  if (answer.status >= 500) out.push({ field, caller, leaf, status: answer.status, message: 'HTTP 5xx' });
  return out;
}

/** Runs `work` over `items`, `concurrency` at a time. */
async function inParallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

it('answers every query and mutation, whatever the arguments and whoever asks, without an internal error', async () => {
  const callerNames = Object.keys(callers);
  const turns = callerNames.filter((c) => c !== 'admin').flatMap((other) => ['admin', other]);
  const failures: Failure[] = [];
  const roots: ['query' | 'mutation', GraphQLObjectType][] = [
    ['query', schema.getQueryType()!],
    ['mutation', schema.getMutationType()!],
  ];
  let calls = 0;
  for (const [kind, root] of roots) {
    // FUZZ_ONLY=createTicket,tickets narrows a run to some fields while chasing a failure.
    const fields = Object.values(root.getFields()).filter((f) => !process.env.FUZZ_ONLY || process.env.FUZZ_ONLY.split(',').includes(f.name));
    // Queries run side by side; mutations one field at a time, so that their variants do not race.
    await inParallel(fields, kind === 'query' ? 4 : 2, async (field) => {
      const query = documentOf(kind, field);
      const runs: { caller: string; variant: Variant }[] = [];
      variantsOf(field).forEach((variant, index) => {
        if (variant.leaf === '(plain)') for (const caller of callerNames) runs.push({ caller, variant });
        else runs.push({ caller: turns[index % turns.length], variant });
      });
      await inParallel(runs, 4, async ({ caller, variant }) => {
        calls += 1;
        try {
          const answer = await post({ query, variables: variant.args }, callers[caller]);
          failures.push(...failuresOf(answer, field.name, caller, variant.leaf));
        } catch (error) {
          failures.push({ field: field.name, caller, leaf: variant.leaf, status: 0, message: `no answer: ${(error as Error).cause ?? error}` });
        }
      });
    });
  }
  if (!process.env.FUZZ_ONLY) expect(calls).toBeGreaterThan(600);
  expect(failures).toEqual([]);
  // About 870 requests: 25 s on this 2-core machine when quiet, over 180 s with a load average of 20;
  // the limit only stops a hang, so it is wide.
}, 600_000);
