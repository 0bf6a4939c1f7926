import { CopyWriter } from './copy-writer';
import { TimeHeap } from './time-heap';

/**
 * Where the simulation's rows go. Tickets, their tags and ratings go straight to COPY; timeline entries
 * and comments go through heaps, to reach COPY in time order across tickets, as a live system would have
 * appended them (so `ticket_event.position`, left to its sequence default, follows time).
 */
export interface Sinks {
  tickets: CopyWriter;
  comments: CopyWriter;
  events: CopyWriter;
  ticketTags: CopyWriter;
  ratings: CopyWriter;
  eventHeap: TimeHeap;
  commentHeap: TimeHeap;
}

/** The columns of each sink's rows, in the order TicketSim and TicketState write them. */
const TICKET_COLUMNS = [
  'id', 'created_at', 'number', 'title', 'description', 'status', 'priority', 'channel', 'updated_at', 'due_at', 'resolved_at', 'closed_at',
  'resolution_notes', 'business_id', 'contact_id', 'assignee_id', 'creator_id', 'submitter_name', 'submitter_email', 'submitted_company_name',
  'submitter_phone', 'reference', 'version', 'due_at_manual', 'first_response_due_at', 'first_responded_at', 'sla_paused_since',
  'sla_paused_seconds', 'first_response_breached_at', 'resolution_breached_at', 'dedup_key', 'occurrences', 'sla_paused_wall_seconds',
  'sla_clock_seconds', 'sla_clock_mark', 'reopen_count', 'first_response_seconds', 'first_response_business_seconds', 'resolution_seconds', 'resolution_business_seconds',
  'satisfaction_token', 'satisfaction_score',
];
const COMMENT_COLUMNS = ['id', 'created_at', 'ticket_id', 'body', 'is_internal', 'author_id', 'author_contact_id', 'author_name'];
const EVENT_COLUMNS = ['id', 'created_at', 'ticket_id', 'type', 'actor_id', 'actor_contact_id', 'from_status', 'to_status', 'reason', 'is_internal', 'details', 'ticket_version'];
const RATING_COLUMNS = ['ticket_id', 'score', 'comment', 'rated_at', 'contact_id'];

/** The big tables are truncated and loaded with COPY … FREEZE. */
export async function openSinks(database: string): Promise<Sinks> {
  return {
    tickets: await CopyWriter.open(database, 'ticket', TICKET_COLUMNS, true),
    comments: await CopyWriter.open(database, 'comment', COMMENT_COLUMNS, true),
    events: await CopyWriter.open(database, 'ticket_event', EVENT_COLUMNS, true),
    ticketTags: await CopyWriter.open(database, 'ticket_tag', ['ticket_id', 'tag_id'], true),
    ratings: await CopyWriter.open(database, 'satisfaction_rating', RATING_COLUMNS, true),
    eventHeap: new TimeHeap(),
    commentHeap: new TimeHeap(),
  };
}
