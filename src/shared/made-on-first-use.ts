/**
 * What a member is made from: the object's input, and its groups (members made together, such as a
 * module's loaders, which share one batch and cache), each made once per object.
 */
export class Parts<In> {
  private groups?: Map<(input: In) => unknown, unknown>;

  constructor(readonly input: In) {}

  /** The group `make` makes from the input, made on the first call for this object and kept. */
  group<G>(make: (input: In) => G): G {
    this.groups ??= new Map();
    if (!this.groups.has(make)) this.groups.set(make, make(this.input));
    return this.groups.get(make) as G;
  }
}

/**
 * A class whose members are made when first read, each once per object, by `makers`. The accessors
 * are defined once, on the prototype, so making an object is one allocation however many members it
 * has, and a request pays only for the loaders and services its resolvers read: making all fifty,
 * spread into two objects, was about 90 µs of every request (issue 19). Written
 * `madeOnFirstUse<Input>()({ member: (parts) => … })`: the first call fixes the input's type, the
 * second infers the members'.
 */
export function madeOnFirstUse<In>() {
  return <M extends Record<string, (parts: Parts<In>) => unknown>>(makers: M): new (input: In) => { readonly [K in keyof M]: ReturnType<M[K]> } => {
    class Made extends Parts<In> {}
    for (const [name, make] of Object.entries(makers)) {
      Object.defineProperty(Made.prototype, name, {
        get(this: Made) {
          const value = make(this);
          // An own property from now on: later reads do not reach this accessor.
          Object.defineProperty(this, name, { value, enumerable: true });
          return value;
        },
      });
    }
    return Made as never;
  };
}
