import { GraphQLError } from 'graphql';
import { v7 as uuidv7 } from 'uuid';
import { fromGlobalId, toGlobalId } from '../../src/shared/global-id';
import { idOf, optionalIdOf } from '../../src/shared/validation';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('global ids', () => {
  it('round-trip a type and a UUID', () => {
    const id = uuidv7();
    const globalId = toGlobalId('Ticket', id);
    expect(globalId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(globalId).not.toContain(id);
    expect(fromGlobalId(globalId)).toEqual({ type: 'Ticket', id });
  });

  it('differ by type for the same key', () => {
    const id = uuidv7();
    expect(toGlobalId('Ticket', id)).not.toBe(toGlobalId('Business', id));
    expect(fromGlobalId(toGlobalId('Business', id))).toEqual({ type: 'Business', id });
  });

  const forged: [string, string][] = [
    ['an empty string', ''],
    ['plain text', 'garbage'],
    ['a bare UUID', uuidv7()],
    ['a key that is not a UUID', b64('Ticket:1')],
    ['SQL in the key', b64("Ticket:' or 1=1 --")],
    ['no separator', b64(`Ticket${uuidv7()}`)],
    ['an empty type', b64(`:${uuidv7()}`)],
    ['a type with non-letters', b64(`Tick3t:${uuidv7()}`)],
    ['a type with spaces', b64(`Ti cket:${uuidv7()}`)],
    ['a UUID with trailing text', b64(`Ticket:${uuidv7()}x`)],
    ['standard base64 padding', `${Buffer.from(`Ticket:${uuidv7()}`).toString('base64')}=`],
    ['characters outside base64url', `${toGlobalId('Ticket', uuidv7())}!`],
    ['an id longer than 200 characters', b64(`Ticket:${uuidv7()}${'0'.repeat(200)}`)],
  ];

  it.each(forged)('refuse %s (null, not an exception)', (_what, globalId) => {
    expect(fromGlobalId(globalId)).toBeNull();
  });
});

describe('idOf', () => {
  it('answers the key of an id of the expected type', () => {
    const id = uuidv7();
    expect(idOf(toGlobalId('Business', id), 'Business', 'businessId')).toBe(id);
    expect(optionalIdOf(null, 'Business', 'businessId')).toBeNull();
    expect(optionalIdOf(undefined, 'Business', 'businessId')).toBeNull();
  });

  it.each([
    ['an id of another type', toGlobalId('Ticket', uuidv7())],
    ['a forged id', 'garbage'],
  ])('refuses %s with BAD_USER_INPUT naming the field', (_what, globalId) => {
    let error: unknown;
    try {
      idOf(globalId, 'Business', 'businessId');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'businessId' });
  });
});
