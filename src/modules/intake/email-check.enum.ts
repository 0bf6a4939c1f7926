import { registerEnumType } from 'type-graphql';

/** Why an inbound email was kept as an internal note instead of acting as its sender. */
export enum EmailCheck {
  SENDER_UNVERIFIED = 'SENDER_UNVERIFIED',
  AUTOMATIC = 'AUTOMATIC',
  THREAD_UNVERIFIED = 'THREAD_UNVERIFIED',
}

registerEnumType(EmailCheck, {
  name: 'EmailCheck',
  description: 'Why an inbound email was kept as an internal note: it never speaks for the customer or moves the ticket.',
  valuesConfig: {
    SENDER_UNVERIFIED: {
      description:
        "The receiving mail server's Authentication-Results says the sender failed DMARC, or failed SPF with no passing DKIM signature: the From address is not proven.",
    },
    AUTOMATIC: {
      description: 'Mail no person wrote: an auto-reply, a bounce or delivery report, list or bulk mail.',
    },
    THREAD_UNVERIFIED: {
      description: 'It named this ticket only by a [#number] in its subject, without our Message-ID or the reply address of the ticket.',
    },
  },
});
