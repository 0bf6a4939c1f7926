import { staffOnly } from '../access/ownership';
import type { TicketService } from '../tickets/ticket.service';
import type { Actor } from '../users/auth/actor';
import type { PresenceHub } from './presence-hub';
import { TicketPresence, type SetTypingInput } from './presence.payloads';

const WHAT = 'who is on a ticket';

/**
 * Collision detection for staff: who views a ticket and who is writing a reply. Customers and API
 * keys neither see nor appear in it (FORBIDDEN); a ticket the staff member may not see is NOT_FOUND.
 */
export class PresenceService {
  constructor(
    private readonly actor: Actor,
    private readonly tickets: TicketService,
    private readonly hub: PresenceHub,
  ) {}

  async watch(ticketId: string): Promise<AsyncIterable<TicketPresence>> {
    const staff = staffOnly(this.actor, WHAT);
    const ticket = await this.tickets.get(ticketId);
    return this.hub.watch(staff.id, ticket.id, TicketPresence.of);
  }

  async setTyping(input: SetTypingInput): Promise<TicketPresence> {
    const staff = staffOnly(this.actor, WHAT);
    const ticket = await this.tickets.get(input.ticketId);
    return TicketPresence.of(await this.hub.setTyping(staff.id, ticket.id, input.typing));
  }
}
