import pino from 'pino';
import { databaseLimitError, formatError } from '../../src/server/errors';

/** PostgreSQL errors as pg raises them: an Error with the SQLSTATE in `code`. */
const pgError = (code: string) => Object.assign(new Error('from the database'), { code });

describe('database errors a client is told about', () => {
  it.each([
    ['57014', 'TIMEOUT'],
    ['25P03', 'TIMEOUT'],
    ['40P01', 'CONFLICT'],
  ])('SQLSTATE %s answers %s', (sqlstate, code) => {
    expect(databaseLimitError(pgError(sqlstate))?.extensions.code).toBe(code);
  });

  it('anything else is not a limit, and is answered INTERNAL_SERVER_ERROR without its message', () => {
    expect(databaseLimitError(pgError('23502'))).toBeUndefined();
    const format = formatError(pino({ level: 'silent' }));
    expect(format({ message: 'from the database', extensions: {} }, pgError('23502'))).toEqual({
      message: 'Internal server error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(format({ message: 'from the database', path: ['mergeTickets'] }, pgError('40P01')).extensions).toEqual({ code: 'CONFLICT' });
  });
});
