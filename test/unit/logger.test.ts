import { Writable } from 'node:stream';
import { createLogger, requestLogFields } from '../../src/logger';

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

describe('createLogger redaction', () => {
  it('redacts credentials, tokens, secrets, variables and mail bodies wherever a logged object holds them', () => {
    const { logger, text } = captured();
    logger.info(
      {
        req: { headers: { authorization: 'Bearer tok-1', cookie: 'sid=tok-2' } },
        input: { password: 'pw-3', newPassword: 'pw-4', currentPassword: 'pw-5', token: 'tok-6', secret: 'whsec-7', key: 'tg_key-8' },
        request: { variables: { input: { password: 'pw-9' } } },
        mail: { text: 'body-10', html: '<p>body-11</p>', body: 'body-12' },
        secret: 'whsec-13',
      },
      'something',
    );
    const logged = text();
    for (const value of ['tok-1', 'tok-2', 'pw-3', 'pw-4', 'pw-5', 'tok-6', 'whsec-7', 'tg_key-8', 'pw-9', 'body-10', 'body-11', 'body-12', 'whsec-13']) {
      expect({ value, found: logged.includes(value) }).toEqual({ value, found: false });
    }
  });

  it('carries the request id and operation of the request being served', () => {
    const { logger, text } = captured();
    requestLogFields.run({ requestId: 'req-1' }, () => {
      requestLogFields.getStore()!.operationName = 'Tickets';
      logger.info('inside');
    });
    logger.info('outside');
    const [inside, outside] = text().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inside).toMatchObject({ requestId: 'req-1', operationName: 'Tickets', msg: 'inside' });
    expect(outside.requestId).toBeUndefined();
  });
});
