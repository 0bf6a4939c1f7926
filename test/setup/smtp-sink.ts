import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message as the SMTP server received it: envelope, raw bytes, and parsed. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

/** A real SMTP server in the test process that keeps what it receives. */
export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>` for SMTP_URL. */
  url: string;
  received: ReceivedMail[];
  /** Answers the next `count` messages with this SMTP reply (451: try later, 550: refused) instead of accepting them. */
  refuseNext(count: number, code: number, message?: string): void;
  /**
   * Keeps the next message (recorded in `received` like any other) without answering it: its sender
   * never learns that it arrived, as when the sender is killed mid-send. Resolves with it once it has
   * arrived; `close()` lets it go.
   */
  holdNext(): Promise<ReceivedMail>;
  /** Resolves when at least `count` messages have arrived. */
  waitFor(count: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const waiters: (() => void)[] = [];
  let refusals: { count: number; code: number; message: string } = { count: 0, code: 0, message: '' };
  let hold: ((mail: ReceivedMail) => void) | null = null;
  const unanswered: (() => void)[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (refusals.count > 0) {
          refusals.count -= 1;
          callback(Object.assign(new Error(refusals.message), { responseCode: refusals.code }));
          return;
        }
        const raw = Buffer.concat(chunks);
        void simpleParser(raw).then((parsed) => {
          const mail = { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw, parsed };
          received.push(mail);
          for (const wake of waiters.splice(0)) wake();
          if (hold) {
            const arrived = hold;
            hold = null;
            unanswered.push(() => callback());
            arrived(mail);
            return;
          }
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuseNext(count, code, message = code >= 500 ? 'Mailbox unavailable' : 'Try again later') {
      refusals = { count, code, message };
    },
    holdNext: () => new Promise<ReceivedMail>((resolve) => (hold = resolve)),
    async waitFor(count) {
      while (received.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return received;
    },
    close: () => {
      for (const answer of unanswered.splice(0)) answer();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
