import type { EntityManager } from '@mikro-orm/postgresql';
import { Business } from '../businesses/business.entity';
import type { BusinessService } from '../businesses/business.service';
import type { Ticket } from '../tickets/ticket.entity';
import type { TicketService } from '../tickets/ticket.service';
import { denied, isStaff } from '../users/auth/access';
import type { Actor } from '../users/auth/actor';
import { combinedScore, matchReasons } from './match-score';
import type { BusinessMatch } from './triage.payloads';
import type { CreateBusinessFromTicketInput } from './triage.inputs';

/** How many candidates a ticket shows. */
const MATCHES = 5;

interface CandidateRow extends Record<string, unknown> {
  contact_match: boolean;
  domain_match: boolean;
  name_similarity: number | null;
}

/**
 * Triage of unassigned tickets: which businesses the submitter may belong to (by contact email,
 * email domain and company-name similarity through pg_trgm), and creating the business in one step.
 */
export class TriageService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly tickets: TicketService,
    private readonly businesses: BusinessService,
  ) {}

  /**
   * One query finds every business any signal points to: each signal is its own index scan (contact
   * email, business domain, trigram word similarity of the name) and the union of their answers is
   * scored; an OR across them would scan the whole table.
   */
  async matches(ticket: Ticket): Promise<BusinessMatch[]> {
    if (!isStaff(this.actor)) throw denied(this.actor, 'Only staff see business matches.');
    const email = ticket.submitterEmail?.toLowerCase() ?? null;
    const domain = email ? email.slice(email.lastIndexOf('@') + 1) : null;
    const company = ticket.submittedCompanyName?.trim() || null;
    if (!email && !company) return [];
    const query = this.em.getKnex().raw(
      `select b.*,
              exists (select 1 from contact c where c.business_id = b.id and c.email = :email) as contact_match,
              coalesce(lower(b.domain) = :domain, false) as domain_match,
              case when cast(:company as text) is null then null
                   else greatest(similarity(b.name, :company), word_similarity(:company, b.name)) end as name_similarity
         from business b
        where b.id in (select c.business_id from contact c where c.email = :email
                       union select id from business where lower(domain) = :domain
                       union select id from business where cast(:company as text) is not null and :company <% name)
        order by contact_match desc, domain_match desc, name_similarity desc nulls last, b.id
        limit 50`,
      { email, domain, company },
    );
    const rows = await this.em.execute<CandidateRow[]>(query);
    return rows
      .map(({ contact_match, domain_match, name_similarity, ...columns }) => {
        const business = this.em.map(Business, columns as never);
        const reasons = matchReasons({
          contactEmail: contact_match ? email : null,
          domain: domain_match ? domain : null,
          companyName: company,
          nameSimilarity: Number(name_similarity ?? 0),
          businessName: business.name,
        });
        return { business, reasons, score: combinedScore(reasons) };
      })
      .filter((match) => match.reasons.length > 0)
      .sort((a, b) => b.score - a.score || a.business.name.localeCompare(b.business.name))
      .slice(0, MATCHES);
  }

  /** Creates the business (and the contact from the submitter) and links the ticket to it, in one transaction. */
  async createBusinessFromTicket(input: CreateBusinessFromTicketInput): Promise<Ticket> {
    const fields = this.businesses.checkedBusiness(input);
    return this.em.transactional(async (em) => {
      const business = await this.businesses.insert(em, fields);
      return this.tickets.link({ ticketId: input.ticketId, businessId: business.globalId, expectedVersion: input.expectedVersion }, em);
    });
  }
}
