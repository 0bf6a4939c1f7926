import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { AFTER_DESCRIPTION, Connection, FIRST_DESCRIPTION, toConnection } from '../../shared/pagination';
import type { NotificationMessage } from '../realtime/pubsub';
import { Ticket } from '../tickets/ticket.entity';
import { Notification } from './notification.entity';
import { MarkNotificationsReadInput, UpdateNotificationPreferencesInput } from './notification.inputs';
import { MarkNotificationsReadPayload, NotificationPreference } from './notification.payloads';

const NotificationConnection = Connection(Notification, 'Notification');

const STAFF_ONLY = 'Staff only: customers and API keys get FORBIDDEN.';

@Resolver(() => Notification)
export class NotificationResolver {
  @Query(() => NotificationConnection, { description: `Your notifications, newest first. ${STAFF_ONLY}` })
  async notifications(
    @Ctx() ctx: Context,
    @Arg('unreadOnly', () => Boolean, { defaultValue: false, description: 'true: only those not yet marked read.' }) unreadOnly: boolean,
    @Arg('first', () => Int, { nullable: true, description: FIRST_DESCRIPTION }) first?: number,
    @Arg('after', () => String, { nullable: true, description: AFTER_DESCRIPTION }) after?: string,
  ) {
    return toConnection(await ctx.services.notifications.list({ unreadOnly, first, after }));
  }

  @Query(() => [NotificationPreference], {
    description: `Whether each event reaches you by EMAIL and IN_APP: your choices, and the defaults for the rest. ${STAFF_ONLY}`,
  })
  notificationPreferences(@Ctx() ctx: Context) {
    return ctx.services.notifications.preferences();
  }

  @Mutation(() => MarkNotificationsReadPayload, { description: `Mark some or all of your notifications read. ${STAFF_ONLY}` })
  markNotificationsRead(@Arg('input', () => MarkNotificationsReadInput, { description: INPUT }) input: MarkNotificationsReadInput, @Ctx() ctx: Context) {
    return ctx.services.notifications.markRead(input);
  }

  @Mutation(() => [NotificationPreference], { description: `Choose which events reach you on which channel; answers every preference. ${STAFF_ONLY}` })
  updateNotificationPreferences(
    @Arg('input', () => UpdateNotificationPreferencesInput, { description: INPUT }) input: UpdateNotificationPreferencesInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.notifications.updatePreferences(input);
  }

  @Subscription(() => Notification, {
    description: `Your new in-app notifications as they are made, on whichever instance. Nobody else receives them. ${STAFF_ONLY}`,
    subscribe: ({ context }) => (context as Context).services.notifications.live(),
  })
  /**
   * Executions are shared per payload object and access class (realtime/shared-subscriptions.ts), and this
   * one reads the viewer's own row: that is safe because an announcement object reaches only its
   * recipient's streams (NotificationStream), so only that member's subscriptions can share it.
   */
  notificationAdded(@Root() message: NotificationMessage, @Ctx() ctx: Context): Promise<Notification> {
    return ctx.services.notifications.announced(message);
  }

  @FieldResolver(() => Boolean, { description: 'Whether it was marked read.' })
  read(@Root() notification: Notification): boolean {
    return notification.readAt !== null;
  }

  @FieldResolver(() => Ticket, { nullable: true, description: 'The ticket it is about; null for notices about no ticket (WEBHOOK_DISABLED).' })
  ticket(@Root() notification: Notification, @Ctx() ctx: Context) {
    return notification.ticket ? ctx.loaders.visibleTickets.load(notification.ticket.id) : null;
  }
}
