import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { badInput } from '../../shared/errors';
import { contactRule } from '../access/visibility';
import { findVisible } from '../access/find-visible';
import { Contact } from '../businesses/contact.entity';
import type { Actor } from '../users/auth/actor';
import { denied } from '../users/auth/access';
import { MailRecipient } from './mail-recipient.entity';
import { unsubscribeTokens } from './mail-recipients';
import { canChangeSubscription, canClearBounce, seesMailStatus } from './mail-status.policy';
import type { UpdateContactMailInput } from './mail-status.inputs';

/** How mail stands for an address with no row yet: subscribed, never bounced. */
function untouched(email: string): MailRecipient {
  return Object.assign(new MailRecipient(), { email, unsubscribedAt: null, bouncedAt: null, bounceReason: null });
}

/** Mail status by address, for many contacts in one statement. */
export function createMailStatusLoaders(em: EntityManager) {
  return {
    mailRecipients: new DataLoader<string, MailRecipient>(async (emails) => {
      const found = await em.find(MailRecipient, { email: { $in: [...emails] } });
      return emails.map((email) => found.find((row) => row.email === email) ?? untouched(email));
    }),
  };
}

/** How customer mail stands for contacts' addresses: read and changed by staff and by the contact itself. */
export class MailStatusService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly loaders: ReturnType<typeof createMailStatusLoaders>,
  ) {}

  /** Null for a viewer who may not see it. */
  async ofContact(contact: Contact): Promise<MailRecipient | null> {
    return seesMailStatus(this.actor, contact) ? this.loaders.mailRecipients.load(contact.email.toLowerCase()) : null;
  }

  async update(input: UpdateContactMailInput): Promise<Contact> {
    if (this.actor.kind === 'anonymous') throw denied(this.actor, "Only staff and the contact itself change a contact's mail.");
    if ((input.subscribed ?? null) === null && !input.clearBounce) throw badInput('Give subscribed or clearBounce.', 'subscribed');
    return this.em.transactional(async (em) => {
      const contact = await findVisible(em, Contact, 'Contact', input.contactId, contactRule(this.actor).where);
      if (!canChangeSubscription(this.actor, contact)) throw denied(this.actor, "Only staff and the contact itself change a contact's mail.");
      if (input.clearBounce && !canClearBounce(this.actor)) throw denied(this.actor, 'Only staff and API keys with TICKETS_WRITE clear a bounce.');
      const email = contact.email.toLowerCase();
      await unsubscribeTokens(em, [email]);
      const recipient = await em.findOneOrFail(MailRecipient, { email });
      if (input.subscribed === true) recipient.unsubscribedAt = null;
      if (input.subscribed === false) recipient.unsubscribedAt ??= new Date();
      if (input.clearBounce) Object.assign(recipient, { bouncedAt: null, bounceReason: null });
      await em.flush();
      this.loaders.mailRecipients.clear(email);
      return contact;
    });
  }
}
