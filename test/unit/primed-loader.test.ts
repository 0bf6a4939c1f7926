import { PrimedLoader, whenReady } from '../../src/shared/primed-loader';

/** A loader that answers primed values at once (shared/primed-loader.ts) and loads the rest as DataLoader does. */
describe('PrimedLoader', () => {
  const loader = () => {
    const asked: string[][] = [];
    const made = new PrimedLoader<string, string>(async (keys) => {
      asked.push([...keys]);
      return keys.map((key) => `loaded ${key}`);
    });
    return { made, asked };
  };

  it('answers a primed key with the value itself, and loads the others in one batch', async () => {
    const { made, asked } = loader();
    made.prime('a', 'primed a');
    expect(made.now('a')).toBe('primed a');
    const [b, c] = [made.now('b'), made.now('c')];
    expect(b).toBeInstanceOf(Promise);
    expect(await Promise.all([b, c])).toEqual(['loaded b', 'loaded c']);
    expect(asked).toEqual([['b', 'c']]);
  });

  it('keeps the first value a key was given, loaded or primed, as DataLoader does', async () => {
    const { made } = loader();
    expect(await made.now('a')).toBe('loaded a');
    made.prime('a', 'primed later');
    expect(await made.now('a')).toBe('loaded a');
    made.prime('b', 'first');
    made.prime('b', 'second');
    expect(made.now('b')).toBe('first');
    expect(await made.load('b')).toBe('first');
  });

  it('forgets a cleared key', async () => {
    const { made } = loader();
    made.prime('a', 'primed a');
    made.clear('a');
    expect(await made.now('a')).toBe('loaded a');
    made.prime('b', 'primed b');
    made.clearAll();
    expect(await made.now('b')).toBe('loaded b');
  });

  it('whenReady maps a value at once and a promise when it resolves', async () => {
    expect(whenReady(2, (n) => n * 2)).toBe(4);
    expect(await whenReady(Promise.resolve(2), (n) => n * 2)).toBe(4);
  });
});
