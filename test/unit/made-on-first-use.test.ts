import { madeOnFirstUse } from '../../src/shared/made-on-first-use';

/** Members made when first read, once per object; a group's members share one making (shared/made-on-first-use.ts). */
describe('madeOnFirstUse', () => {
  const make = () => {
    const made: string[] = [];
    const pair = (input: string) => {
      made.push(`pair for ${input}`);
      return { left: `${input}-left`, right: `${input}-right` };
    };
    const Made = madeOnFirstUse<string>()({
      left: (p) => p.group(pair).left,
      right: (p) => p.group(pair).right,
      alone: ({ input }) => {
        made.push(`alone for ${input}`);
        return { of: input };
      },
    });
    return { Made, made };
  };

  it('makes nothing until a member is read, then each member once', () => {
    const { Made, made } = make();
    const object = new Made('a');
    expect(made).toEqual([]);
    const alone = object.alone;
    expect(object.alone).toBe(alone);
    expect(alone).toEqual({ of: 'a' });
    expect(made).toEqual(['alone for a']);
  });

  it('makes a group once per object, whichever of its members is read first', () => {
    const { Made, made } = make();
    const a = new Made('a');
    const b = new Made('b');
    expect([a.right, a.left, b.left, b.right]).toEqual(['a-right', 'a-left', 'b-left', 'b-right']);
    expect(made).toEqual(['pair for a', 'pair for b']);
  });
});
