import { Delivery } from '../modules/deliveries/delivery.entity';
import { MailRecipient } from '../modules/mail/mail-recipient.entity';
import { Business } from '../modules/businesses/business.entity';
import { Contact } from '../modules/businesses/contact.entity';
import { Comment } from '../modules/comments/comment.entity';
import { Tag } from '../modules/tags/tag.entity';
import { TicketEvent } from '../modules/tickets/ticket-event.entity';
import { Ticket } from '../modules/tickets/ticket.entity';
import { ApiKey } from '../modules/users/auth/api-key.entity';
import { User } from '../modules/users/user.entity';
import { Session } from '../modules/users/auth/session.entity';
import { AuditEntry } from '../modules/audit/audit-entry.entity';
import { BusinessHours } from '../modules/sla/business-hours.entity';
import { SlaPolicy } from '../modules/sla/sla-policy.entity';
import { FollowUp } from '../modules/followups/follow-up.entity';
import { Attachment } from '../modules/intake/attachment.entity';
import { EmailMessage } from '../modules/intake/email-message.entity';
import { AssignmentPolicy } from '../modules/assignment/assignment-policy.entity';
import { SatisfactionRating } from '../modules/satisfaction/satisfaction-rating.entity';
import { WebhookEndpoint } from '../modules/webhooks/webhook-endpoint.entity';
import { Notification } from '../modules/notifications/notification.entity';
import { AccountToken } from '../modules/users/auth/account-token.entity';
import { Macro } from '../modules/macros/macro.entity';
import { TicketView } from '../modules/views/view.entity';

/** Every entity, listed by hand so the ORM never scans folders (fast start, same under jest and node). */
export const entities = [User, ApiKey, Business, Contact, Tag, Ticket, Comment, TicketEvent, SlaPolicy, BusinessHours, FollowUp, EmailMessage, Attachment, AssignmentPolicy, SatisfactionRating, Session, AuditEntry, Delivery, Notification, AccountToken, MailRecipient, WebhookEndpoint, Macro, TicketView];
