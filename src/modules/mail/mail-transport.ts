import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type { Logger } from 'pino';

/** Where mail goes: an SMTP server, or `.eml` files for a machine without one. */
export interface MailTransport {
  /** Sends one message; resolves with the server's reply (or the file written). */
  send(message: Mail.Options, name: string): Promise<string>;
  close(): void;
}

/**
 * With `SMTP_URL`, mail goes to that server. Without it, each mail is written as an RFC 822 file under
 * `<dataDir>/mail/`, byte for byte what a server would have received, and the log says where: a new
 * user sees real mail at once, without a mail server.
 */
export function createMailTransport(smtpUrl: string | undefined, dataDir: string, logger: Logger): MailTransport {
  if (smtpUrl) {
    const smtp = nodemailer.createTransport(smtpUrl);
    return {
      async send(message) {
        const info = await smtp.sendMail(message);
        return info.response;
      },
      close: () => smtp.close(),
    };
  }
  const directory = path.join(dataDir, 'mail');
  const files = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  logger.info({ directory }, 'SMTP_URL is not set: outgoing mail is written as .eml files');
  return {
    async send(message, name) {
      const info = await files.sendMail(message);
      await mkdir(directory, { recursive: true });
      const file = path.join(directory, `${new Date().toISOString().replace(/[:.]/g, '-')}-${name}.eml`);
      await writeFile(file, info.message as Buffer);
      logger.info({ file, to: message.to }, 'mail written');
      return `written to ${file}`;
    },
    close: () => files.close(),
  };
}
