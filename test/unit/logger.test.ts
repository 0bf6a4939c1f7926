import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';

function captured() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('info', stream), text: () => lines.join('') };
}

/** What knex and MikroORM make of a PostgreSQL error: the statement, values written in, before the server's message. */
function databaseError() {
  const error = Object.assign(
    new Error(`insert into "app_user" ("email", "password_hash") values ('carol@acme.example', '$argon2id$v=19$secret-hash') - duplicate key value violates unique constraint "app_user_email_unique"`),
    { routine: '_bt_check_unique', code: '23505', table: 'app_user', constraint: 'app_user_email_unique', detail: 'Key (email)=(carol@acme.example) already exists.' },
  );
  error.name = 'UniqueConstraintViolationException';
  return error;
}

describe('createLogger', () => {
  it('keeps where a database error happened and drops the values of its statement', () => {
    const { logger, text } = captured();
    logger.error({ err: databaseError() }, 'unexpected error');
    const logged = text();
    expect(logged).not.toContain('carol@acme.example');
    expect(logged).not.toContain('secret-hash');
    const entry = JSON.parse(logged) as { err: Record<string, unknown> };
    expect(entry.err).toMatchObject({
      type: 'UniqueConstraintViolationException',
      message: 'duplicate key value violates unique constraint "app_user_email_unique"',
      code: '23505',
      table: 'app_user',
      constraint: 'app_user_email_unique',
    });
  });

  it('logs other errors whole, and never an Authorization header', () => {
    const { logger, text } = captured();
    logger.error({ err: new Error('the mail server went away'), authorization: 'Bearer tgk_secret' }, 'failed');
    expect(text()).toContain('the mail server went away');
    expect(text()).not.toContain('tgk_secret');
  });
});
