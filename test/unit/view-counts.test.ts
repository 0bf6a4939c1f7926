import { sharedCount } from '../../src/modules/views/view-counts';

describe('shared view counts', () => {
  it('lets subscribers made stale before a count started share it, and makes a new one for a later change', async () => {
    const counted: string[] = [];
    const count = (name: string, value: number) => () => {
      counted.push(name);
      return Promise.resolve(value);
    };
    const key = `view-${Math.random()}`;
    expect(await sharedCount(key, 0, count('first', 1))).toBe(1);
    // Stale since before the first count started: its answer covers that change.
    expect(await sharedCount(key, 0, count('second', 2))).toBe(1);
    // Stale since after it started: only a new count can have seen the change.
    expect(await sharedCount(key, Date.now() + 1_000, count('third', 3))).toBe(3);
    // Another access class (or view version) never shares.
    expect(await sharedCount(`${key}:other`, 0, count('fourth', 4))).toBe(4);
    expect(counted).toEqual(['first', 'third', 'fourth']);
  });

  it('does not share a failed count', async () => {
    const key = `view-${Math.random()}`;
    await expect(sharedCount(key, 0, () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await sharedCount(key, 0, () => Promise.resolve(7))).toBe(7);
  });
});
