import { Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { Tag } from './tag.entity';

@Resolver(() => Tag)
export class TagResolver {
  @Query(() => [Tag], { description: 'Every tag, by name (anyone who reads tickets).' })
  tags(@Ctx() ctx: Context) {
    return ctx.services.tags.list();
  }
}
