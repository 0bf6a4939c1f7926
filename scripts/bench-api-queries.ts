import { fromGlobalId } from '../src/shared/global-id';

/**
 * The three queries of `bench:api` (issue 19), each written for Ticketgraph and for PostGraphile so
 * that both answer with the same tickets and fields, and the normal form both answers are compared in:
 * ids as UUIDs, times as ISO strings at millisecond precision, tags sorted by name, every object with
 * the same keys. Q1_FLOOR_SQL produces Q1's Ticketgraph answer in one hand-written statement.
 */

const TG_USER = 'id name email';
const PG_USER = 'id name email';

/** Q1, the agent board: the 50 newest tickets with assignee, business and its account manager, contact, tags, first 3 comments and their count. */
export const Q1 = {
  ticketgraph: `query Board {
    tickets(first: 50) { nodes {
      id number title status priority createdAt dueAt
      assignee { ${TG_USER} }
      business { id name accountManager { id name } }
      contact { id name email }
      tags { name }
      comments(first: 3) { totalCount nodes { id body isInternal authorName createdAt } }
    } }
  }`,
  postgraphile: `query Board {
    allTickets(first: 50, orderBy: [CREATED_AT_DESC, ID_DESC]) { nodes {
      id number title status priority createdAt dueAt
      assignee: appUserByAssigneeId { ${PG_USER} }
      business: businessByBusinessId { id name accountManager: appUserByAccountManagerId { id name } }
      contact: contactByContactId { id name email }
      tags: ticketTagsByTicketId { nodes { tag: tagByTagId { name } } }
      comments: commentsByTicketId(first: 3, orderBy: ID_ASC) { totalCount nodes { id body isInternal authorName createdAt } }
    } }
  }`,
};

/** Q2, one ticket with its first 20 comments and first 20 timeline entries (`$id`: the ticket's UUID; Ticketgraph takes its global id). */
export const Q2 = {
  ticketgraph: `query Ticket($id: ID!) {
    ticket(id: $id) {
      id number title description status priority createdAt updatedAt dueAt
      comments(first: 20) { totalCount nodes { id body isInternal authorName createdAt author { id name } } }
      history(first: 20) { totalCount nodes { id type fromStatus toStatus isInternal details createdAt actor { id name } } }
    }
  }`,
  postgraphile: `query Ticket($id: UUID!) {
    ticket: ticketById(id: $id) {
      id number title description status priority createdAt updatedAt dueAt
      comments: commentsByTicketId(first: 20, orderBy: ID_ASC) { totalCount nodes { id body isInternal authorName createdAt author: appUserByAuthorId { id name } } }
      history: ticketEventsByTicketId(first: 20, orderBy: ID_ASC) { totalCount nodes { id type fromStatus toStatus isInternal details createdAt actor: appUserByActorId { id name } } }
    }
  }`,
};

/** Q3, the urgent queue: OPEN or IN_PROGRESS, HIGH or URGENT, soonest due first, 50. */
export const Q3 = {
  ticketgraph: `query Urgent {
    tickets(first: 50, filter: { status: [OPEN, IN_PROGRESS], priority: [HIGH, URGENT] }, orderBy: { field: DUE_AT, direction: ASC }) { nodes {
      id number title status priority dueAt
      assignee { id name }
      business { id name }
      tags { name }
    } }
  }`,
  postgraphile: `query Urgent {
    urgentOpenTickets(first: 50, orderBy: [DUE_AT_ASC, ID_ASC]) { nodes {
      id number title status priority dueAt
      assignee: appUserByAssigneeId { id name }
      business: businessByBusinessId { id name }
      tags: ticketTagsByTicketId { nodes { tag: tagByTagId { name } } }
    } }
  }`,
};

/**
 * Q1's Ticketgraph answer (`{"data":{"tickets":{"nodes":[…]}}}`) from one statement: JSON built in
 * PostgreSQL level by level, ids as the global ids Ticketgraph gives. No access rule: an agent sees
 * every ticket and comment.
 */
export const Q1_FLOOR_SQL = `
  with page as (select * from ticket order by created_at desc, id desc limit 50)
  select json_build_object('data', json_build_object('tickets', json_build_object('nodes', coalesce(json_agg(json_build_object(
    'id', gid('Ticket', t.id), 'number', t.number, 'title', t.title, 'status', t.status, 'priority', t.priority,
    'createdAt', t.created_at, 'dueAt', t.due_at,
    'assignee', (select json_build_object('id', gid('User', u.id), 'name', u.name, 'email', u.email) from app_user u where u.id = t.assignee_id),
    'business', (select json_build_object('id', gid('Business', b.id), 'name', b.name, 'accountManager',
                   (select json_build_object('id', gid('User', m.id), 'name', m.name) from app_user m where m.id = b.account_manager_id))
                 from business b where b.id = t.business_id),
    'contact', (select json_build_object('id', gid('Contact', c.id), 'name', c.name, 'email', c.email) from contact c where c.id = t.contact_id),
    'tags', (select coalesce(json_agg(json_build_object('name', g.name) order by lower(g.name)), '[]')
             from ticket_tag tt join tag g on g.id = tt.tag_id where tt.ticket_id = t.id),
    'comments', json_build_object(
      'totalCount', (select count(*) from comment c where c.ticket_id = t.id),
      'nodes', (select coalesce(json_agg(json_build_object('id', gid('Comment', c.id), 'body', c.body, 'isInternal', c.is_internal,
                   'authorName', c.author_name, 'createdAt', c.created_at) order by c.id), '[]')
                from (select * from comment c where c.ticket_id = t.id order by c.id limit 3) c))
  ) order by t.created_at desc, t.id desc), '[]'))))::text as answer
  from page t`.replace(/gid\('(\w+)', ([\w.]+)\)/g, "translate(encode(convert_to('$1:' || $2, 'UTF8'), 'base64'), '+/=', '-_')");

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** One answer in the form both servers' answers are compared in (see the top of this file). */
export function normalize(value: Json): Json {
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === 'string') {
    if (ISO.test(value)) return new Date(value).toISOString();
    const global = fromGlobalId(value);
    return global ? global.id : value;
  }
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, Json> = {};
  for (const key of Object.keys(value).sort()) {
    const field = value[key];
    // PostGraphile's many-to-many is the junction rows; Ticketgraph's is the tags themselves. Both sorted by name.
    if (key === 'tags' && field && typeof field === 'object') {
      const tags = Array.isArray(field) ? field : (field as { nodes: { tag: Json }[] }).nodes.map((row) => row.tag);
      const name = (tag: Json) => String((tag as { name: string }).name).toLowerCase();
      out.tags = tags.map(normalize).sort((a, b) => name(a).localeCompare(name(b)));
    } else if (key === 'details' && typeof field === 'object') {
      out.details = field; // a JSON value as written: left as it is
    } else {
      out[key] = normalize(field);
    }
  }
  return out;
}

/** The list or ticket an answer holds, whichever query it answers. */
export function payloadOf(data: Record<string, Json>): Json {
  return data.tickets ?? data.allTickets ?? data.urgentOpenTickets ?? data.ticket ?? null;
}
