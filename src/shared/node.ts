import { Field, ID, InterfaceType } from 'type-graphql';

/**
 * Relay's Node: every object with an id can be fetched again with `node(id:)`. Ids are opaque: the
 * `id` field resolver (node.resolver.ts) answers each entity's `globalId`, not its row key.
 */
@InterfaceType({
  description: 'An object with a globally unique, opaque id that `node(id:)` accepts.',
  resolveType: (value: object) => value.constructor.name,
})
export abstract class Node {
  @Field(() => ID, { description: 'Globally unique, opaque id; `node(id:)` accepts it.' })
  id!: string;
}
