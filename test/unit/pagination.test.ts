import { GraphQLError } from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, decodeCursor, encodeCursor, pageSize } from '../../src/shared/pagination';

/** The GraphQLError thrown by `work`, or a failure when it throws nothing. */
function thrown(work: () => unknown): GraphQLError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    return error as GraphQLError;
  }
  throw new Error('expected an error');
}

describe('pageSize', () => {
  it('defaults to 20 when first is missing', () => {
    expect(DEFAULT_PAGE_SIZE).toBe(20);
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(null)).toBe(20);
  });

  it('accepts 1 to 100 as they are', () => {
    expect(MAX_PAGE_SIZE).toBe(100);
    expect(pageSize(1)).toBe(1);
    expect(pageSize(37)).toBe(37);
    expect(pageSize(100)).toBe(100);
  });

  it.each([0, -1, 101, 1000, 2.5, Number.NaN])('refuses first = %p with BAD_USER_INPUT on field first', (first) => {
    const error = thrown(() => pageSize(first));
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(error.message).toBe('first must be between 1 and 100.');
  });
});

describe('cursors', () => {
  it('round-trip strings, numbers and nulls', () => {
    const values = ['CREATED_AT:DESC', '2026-11-27T15:04:00.000Z', 42, null, '0192f3a4-0000-7000-8000-000000000001'];
    const cursor = encodeCursor(values);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, values.length)).toEqual(values);
  });

  it('round-trip text with non-ASCII characters', () => {
    expect(decodeCursor(encodeCursor(['zürich ✓', 'x']), 2)).toEqual(['zürich ✓', 'x']);
  });

  const garbage: [string, string, number][] = [
    ['plain text', 'garbage', 1],
    ['an empty string', '', 1],
    ['characters outside base64url', 'abc+/def==', 1],
    ['spaces', 'a b', 1],
    ['base64 of text that is not JSON', Buffer.from('not json').toString('base64url'), 1],
    ['JSON that is not an array', Buffer.from('{"a":1}').toString('base64url'), 1],
    ['an array of another length', encodeCursor(['a', 'b']), 3],
    ['an array holding an object', Buffer.from('[{"a":1}]').toString('base64url'), 1],
    ['an array holding a boolean', Buffer.from('[true]').toString('base64url'), 1],
    ['an array holding a nested array', Buffer.from('[["x"]]').toString('base64url'), 1],
    ['a cursor longer than 500 characters', encodeCursor(['x'.repeat(600)]), 1],
  ];

  it.each(garbage)('refuse %s with BAD_USER_INPUT on field after', (_what, cursor, length) => {
    const error = thrown(() => decodeCursor(cursor, length));
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
