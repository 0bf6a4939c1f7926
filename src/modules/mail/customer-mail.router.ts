import express, { type Request, type Response, type Router } from 'express';
import { GraphQLError } from 'graphql';
import { fromGlobalId } from '../../shared/global-id';
import { contextForActor, type AppDeps } from '../../context';
import { ANONYMOUS, type Actor } from '../users/auth/actor';
import { Ticket } from '../tickets/ticket.entity';
import { TicketStatus } from '../tickets/ticket.enums';
import { escapeHtml } from './html';
import { readResolutionToken } from './mail-links';
import { MailRecipient } from './mail-recipient.entity';

/** Form bodies are a few fields; a reopening reason is the longest. */
const FORM_LIMIT = '32kb';

const STATUS_OF: Record<string, number> = { BAD_USER_INPUT: 400, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, INVALID_TRANSITION: 409 };

function page(res: Response, status: number, title: string, body: string): void {
  res
    .status(status)
    .type('html')
    .set('Cache-Control', 'no-store')
    .set('Referrer-Policy', 'no-referrer')
    .set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
    .send(`<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;max-width:40em;margin:2em auto"><h1>${escapeHtml(title)}</h1>${body}</body></html>`);
}

const paragraph = (text: string) => `<p>${escapeHtml(text)}</p>`;
const gone = (res: Response) => page(res, 404, 'Link not valid', paragraph('This link is not valid (mistyped, or made for something that no longer exists).'));

/** A service's refusal as a page; anything unexpected goes to the error handler. */
function refused(res: Response, error: unknown): void {
  if (!(error instanceof GraphQLError)) throw error;
  page(res, STATUS_OF[String(error.extensions.code)] ?? 400, 'Not done', paragraph(error.message));
}

const field = (req: Request, name: string) => {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * The pages behind the links of customer mail (links built by mail-links.ts from PUBLIC_URL). Each GET
 * only shows a page with a form; only the POST acts, so a mail scanner that follows links changes
 * nothing:
 * - `/mail/unsubscribe/:token`: turn optional mail off for the address (RFC 8058: a POST with
 *   `List-Unsubscribe=One-Click` from the mail client does it at once); `/again` turns it back on;
 * - `/mail/resolution/:token`: confirm the resolution (CLOSED) or reopen with a reason, as the
 *   ticket's contact, through the same workflow service as the GraphQL mutations;
 * - `/mail/rate/:ticketId/:token`: rate with the one-time satisfaction token (`rateTicket`).
 */
export function customerMailRouter(deps: AppDeps, linkKey: Buffer): Router {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: FORM_LIMIT }));

  const recipientOf = (token: string) => deps.orm.em.fork().findOne(MailRecipient, { unsubscribeToken: token });

  router.get('/unsubscribe/:token', async (req, res) => {
    const recipient = await recipientOf(req.params.token);
    if (!recipient) return gone(res);
    if (recipient.unsubscribedAt) {
      return page(
        res,
        200,
        'Unsubscribed',
        paragraph(`${recipient.email} gets no optional mail from us.`) +
          `<form method="post" action="${escapeHtml(req.params.token)}/again"><button type="submit">Send me updates again</button></form>`,
      );
    }
    page(
      res,
      200,
      'Unsubscribe',
      paragraph(`Stop optional mail to ${recipient.email}? You will still get the receipt of each request you send us and the replies our team writes to you.`) +
        `<form method="post"><button type="submit" name="List-Unsubscribe" value="One-Click">Unsubscribe</button></form>`,
    );
  });

  router.post('/unsubscribe/:token', async (req, res) => {
    const em = deps.orm.em.fork();
    const recipient = await em.findOne(MailRecipient, { unsubscribeToken: req.params.token });
    if (!recipient) return gone(res);
    recipient.unsubscribedAt ??= new Date();
    await em.flush();
    page(res, 200, 'Unsubscribed', paragraph(`${recipient.email} gets no optional mail from us any more.`));
  });

  router.post('/unsubscribe/:token/again', async (req, res) => {
    const em = deps.orm.em.fork();
    const recipient = await em.findOne(MailRecipient, { unsubscribeToken: req.params.token });
    if (!recipient) return gone(res);
    recipient.unsubscribedAt = null;
    await em.flush();
    page(res, 200, 'Subscribed again', paragraph(`${recipient.email} gets all our updates again.`));
  });

  /** The ticket a resolution link names, while that resolution stands. */
  async function resolutionOf(token: string) {
    const named = readResolutionToken(linkKey, token);
    if (!named) return null;
    const ticket = await deps.orm.em.fork().findOne(Ticket, { id: named.ticketId }, { populate: ['contact'] });
    return ticket ? { ticket, current: ticket.status === TicketStatus.RESOLVED && ticket.resolvedAt?.getTime() === named.resolvedAtMs } : null;
  }

  router.get('/resolution/:token', async (req, res) => {
    const found = await resolutionOf(req.params.token);
    if (!found) return gone(res);
    const { ticket, current } = found;
    const title = `Ticket #${ticket.number}: ${ticket.title}`;
    if (!current) return page(res, 409, title, paragraph(`This resolution no longer stands: the ticket is now ${ticket.status.replaceAll('_', ' ').toLowerCase()}.`));
    page(
      res,
      200,
      title,
      paragraph('We resolved this ticket. Is your problem solved?') +
        `<form method="post"><input type="hidden" name="action" value="confirm"><button type="submit">Yes, close the ticket</button></form>` +
        `<form method="post"><input type="hidden" name="action" value="reopen"><p><label>No. What is still wrong?<br><textarea name="reason" rows="5" cols="60" required></textarea></label></p><button type="submit">Reopen the ticket</button></form>`,
    );
  });

  router.post('/resolution/:token', async (req, res) => {
    const found = await resolutionOf(req.params.token);
    if (!found) return gone(res);
    const { ticket, current } = found;
    const contact = ticket.contact && !ticket.contact.deactivatedAt ? ticket.contact : null;
    if (!current || !contact) return page(res, 409, 'Not done', paragraph('This resolution no longer stands, or nobody can act on it by this link.'));
    const actor: Actor = { kind: 'contact', id: contact.id, businessId: contact.business.id, name: contact.name, email: contact.email };
    const { workflow } = contextForActor(deps, actor, req.ip ?? 'unknown').services;
    const action = field(req, 'action');
    try {
      if (action === 'confirm') {
        await workflow.confirmResolution({ ticketId: ticket.globalId, expectedVersion: ticket.version });
        return page(res, 200, 'Ticket closed', paragraph(`Thank you: ticket #${ticket.number} is closed.`));
      }
      if (action === 'reopen') {
        await workflow.reopen({ ticketId: ticket.globalId, reason: field(req, 'reason') ?? '', expectedVersion: ticket.version });
        return page(res, 200, 'Ticket reopened', paragraph(`Ticket #${ticket.number} is back with our team.`));
      }
      page(res, 400, 'Not done', paragraph('Choose to confirm or to reopen.'));
    } catch (error) {
      refused(res, error);
    }
  });

  router.get('/rate/:ticketId/:token', async (req, res) => {
    const id = fromGlobalId(req.params.ticketId);
    const ticket = id?.type === 'Ticket' ? await deps.orm.em.fork().findOne(Ticket, { id: id.id, satisfactionToken: req.params.token }) : null;
    if (!ticket) return page(res, 404, 'Link not valid', paragraph('This rating link is not valid, or the ticket has been rated already.'));
    const scores = [1, 2, 3, 4, 5].map((score) => `<label><input type="radio" name="score" value="${score}" required> ${score}</label>`).join(' ');
    page(
      res,
      200,
      `How did we do on ticket #${ticket.number}?`,
      `<form method="post"><p>From 1 (very unhappy) to 5 (very happy): ${scores}</p><p><label>Anything to add?<br><textarea name="comment" rows="4" cols="60"></textarea></label></p><button type="submit">Send the rating</button></form>`,
    );
  });

  router.post('/rate/:ticketId/:token', async (req, res) => {
    const { satisfaction } = contextForActor(deps, ANONYMOUS, req.ip ?? 'unknown').services;
    const comment = field(req, 'comment')?.trim();
    try {
      await satisfaction.rate({ ticketId: req.params.ticketId, token: req.params.token, score: Number(field(req, 'score')), comment: comment || null });
      page(res, 200, 'Thank you', paragraph('Your rating is recorded.'));
    } catch (error) {
      refused(res, error);
    }
  });

  return router;
}
