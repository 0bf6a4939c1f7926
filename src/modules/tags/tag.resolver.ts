import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { Tag } from './tag.entity';

@Resolver(() => Tag)
export class TagResolver {
  @Query(() => [Tag], { description: 'Every tag, by name (anyone who reads tickets).' })
  tags(@Ctx() ctx: Context) {
    return ctx.services.tags.list();
  }

  @FieldResolver(() => Int, { description: 'How many tickets carry this tag.' })
  usageCount(@Root() tag: Tag, @Ctx() ctx: Context) {
    return ctx.loaders.tagUsage.load(tag.id);
  }

  @Mutation(() => Tag, { description: 'Create a tag (staff). Names are trimmed and unique ignoring case.' })
  createTag(@Arg('name', { description: 'The name, 1 to 50 characters.' }) name: string, @Ctx() ctx: Context) {
    return ctx.services.tags.create(name);
  }

  @Mutation(() => Tag, { description: 'Rename a tag (staff); to a name another tag has, merge instead.' })
  renameTag(
    @Arg('tagId', () => ID, { description: 'The tag.' }) tagId: string,
    @Arg('name', { description: 'The new name.' }) name: string,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.tags.rename(tagId, name);
  }

  @Mutation(() => Tag, { description: 'Merge a tag into another (staff): its tickets and agents’ expertise move over; it is deleted.' })
  mergeTags(
    @Arg('sourceTagId', () => ID, { description: 'The tag that goes away.' }) sourceTagId: string,
    @Arg('targetTagId', () => ID, { description: 'The tag that stays.' }) targetTagId: string,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.tags.merge(sourceTagId, targetTagId);
  }

  @Mutation(() => ID, { description: 'Delete a tag no ticket or agent uses (staff); answers its id.' })
  deleteTag(@Arg('tagId', () => ID, { description: 'The tag.' }) tagId: string, @Ctx() ctx: Context) {
    return ctx.services.tags.delete(tagId);
  }
}
