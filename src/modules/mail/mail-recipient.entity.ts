import { Entity, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../shared/base.entity';

/**
 * What we know about one address we write to, made with the first mail decided for it: the token of
 * its unsubscribe link, whether it turned optional mail off, and whether it bounced hard (then nothing
 * more is sent to it until staff clear the mark).
 */
@ObjectType({ description: 'How customer mail stands for one email address: unsubscribed from optional mail, or stopped by a hard bounce.' })
@Entity({ tableName: 'mail_recipient' })
export class MailRecipient extends BaseEntity<'unsubscribedAt' | 'bouncedAt' | 'bounceReason'> {
  @Field({ description: 'The address, lower-case.' })
  @Property({ length: 320 })
  email!: string;

  /** The secret of the address's List-Unsubscribe link; never shown through the API. */
  @Property({ length: 64 })
  unsubscribeToken!: string;

  @Field(() => Date, {
    nullable: true,
    description: 'When the address turned off optional mail (waiting on you, resolution, closing, receipts of tickets staff opened); null while it gets them.',
  })
  @Property({ type: 'timestamptz', nullable: true })
  unsubscribedAt: Date | null = null;

  @Field(() => Date, { nullable: true, description: 'When a mail to the address bounced for good; while set, no mail of any kind is sent to it.' })
  @Property({ type: 'timestamptz', nullable: true })
  bouncedAt: Date | null = null;

  @Field(() => String, { nullable: true, description: 'What the receiving server said when it bounced (an SMTP reply or a delivery status such as 5.1.1).' })
  @Property({ type: 'text', nullable: true })
  bounceReason: string | null = null;
}
