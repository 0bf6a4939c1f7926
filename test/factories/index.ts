import { Business } from '../../src/modules/businesses/business.entity';
import { Contact } from '../../src/modules/businesses/contact.entity';
import { Comment } from '../../src/modules/comments/comment.entity';
import { TicketEventType } from '../../src/modules/tickets/ticket-event.entity';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { TicketChannel, TicketPriority, TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { recordEvent } from '../../src/modules/tickets/timeline';
import { TagService } from '../../src/modules/tags/tag.service';
import { ApiKey } from '../../src/modules/users/auth/api-key.entity';
import { generateApiKey } from '../../src/modules/users/auth/api-key-secret';
import { openSession, type Account } from '../../src/modules/users/auth/sessions';
import type { TokenService } from '../../src/modules/users/auth/tokens';
import type { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import { User } from '../../src/modules/users/user.entity';
import { Role, type StaffRole } from '../../src/modules/users/user.enums';
import type { TestApp } from '../setup/test-app';

let sequence = 0;
const next = () => `${Date.now().toString(36)}${(sequence += 1)}`;

/** A precomputed argon2 hash of "password-123": hashing per factory call would slow every suite. */
export const PASSWORD = 'password-123';
const PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$Eko5DcSFdpCWQuj9QBT6rw$qlDQtTDUCUwh3wb8IosDcTUIWWbRkXRNuvvMJuQnP/U';

export interface Staff {
  user: User;
  token: string;
}

/** A live session of `account` and its token, as `login` would make them (`tokens` sets the lifetime). */
export async function session(app: TestApp, account: Account, tokens: TokenService = app.tokens): Promise<string> {
  const em = app.em();
  const token = await openSession(em, tokens, account, '127.0.0.1');
  await em.flush();
  return token;
}

export async function staffUser(app: TestApp, role: StaffRole = Role.AGENT, name = `Agent ${next()}`): Promise<Staff> {
  const em = app.em();
  const user = em.create(User, { name, email: `${next()}@staff.example`, role, passwordHash: PASSWORD_HASH });
  await em.flush();
  return { user, token: await session(app, user) };
}

export async function business(app: TestApp, fields: Partial<Pick<Business, 'name' | 'domain' | 'accountManager'>> = {}) {
  const em = app.em();
  const created = em.create(Business, { name: `Business ${next()}`, ...fields });
  await em.flush();
  return created;
}

export interface Customer {
  contact: Contact;
  token: string;
}

/** A contact with a password, logged in (the token is what `login` would return). */
export async function customer(app: TestApp, of: Business): Promise<Customer> {
  const em = app.em();
  const contact = em.create(Contact, { business: of.id, name: `Customer ${next()}`, email: `${next()}@customer.example`, passwordHash: PASSWORD_HASH });
  await em.flush();
  return { contact, token: await session(app, contact) };
}

export async function apiKey(app: TestApp, createdBy: User, scopes: ApiScope[]): Promise<string> {
  const em = app.em();
  const secret = generateApiKey();
  em.create(ApiKey, { name: `Key ${next()}`, scopes, prefix: secret.prefix, keyHash: secret.hash, createdBy: createdBy.id });
  await em.flush();
  return secret.key;
}

export interface TicketFields {
  title?: string;
  description?: string;
  status?: TicketStatus;
  priority?: TicketPriority;
  business?: Business | null;
  assignee?: User | null;
  dueAt?: Date | null;
  createdAt?: Date;
  tags?: string[];
}

/** A ticket written straight to the database, with its CREATED entry. */
export async function ticket(app: TestApp, fields: TicketFields = {}) {
  const em = app.em();
  const created = em.create(Ticket, {
    title: fields.title ?? `Ticket ${next()}`,
    description: fields.description ?? 'Something is wrong.',
    status: fields.status ?? (fields.business ? TicketStatus.OPEN : TicketStatus.UNASSIGNED),
    priority: fields.priority ?? TicketPriority.MEDIUM,
    channel: TicketChannel.STAFF,
    business: fields.business?.id ?? null,
    assignee: fields.assignee?.id ?? null,
    dueAt: fields.dueAt ?? null,
    ...(fields.createdAt ? { createdAt: fields.createdAt, updatedAt: fields.createdAt } : {}),
  });
  if (fields.tags) created.tags.set(await new TagService(em, { kind: 'anonymous' }).findOrCreate(em, fields.tags));
  recordEvent(em, created, { kind: 'anonymous' }, TicketEventType.CREATED, { toStatus: created.status });
  await em.flush();
  return created;
}

/** A comment with its timeline entry (internal when the comment is). */
export async function comment(app: TestApp, on: Ticket, by: User, body: string, isInternal: boolean) {
  const em = app.em();
  const created = em.create(Comment, { ticket: on.id, body, isInternal, author: by.id, authorName: by.name });
  recordEvent(em, em.getReference(Ticket, on.id), { kind: 'user', id: by.id, role: by.role, name: by.name, email: by.email }, TicketEventType.COMMENTED, {
    isInternal,
    details: { comment: created.globalId },
  });
  await em.flush();
  return created;
}
