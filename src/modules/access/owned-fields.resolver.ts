import type { ClassType } from 'type-graphql';
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { User } from '../users/user.entity';
import type { Owned } from './ownership';

/** The `shared` and `owner` fields of a personal-or-shared type (ownership.ts), e.g. macros and views. */
export function ownedFieldsResolver(type: ClassType<Owned>, noun: string) {
  @Resolver(() => type)
  class OwnedFieldsResolver {
    @FieldResolver(() => Boolean, { description: 'true: shared with every staff member (admins change it); false: personal to its owner.' })
    shared(@Root() row: Owned): boolean {
      return row.owner === null;
    }

    @FieldResolver(() => User, { nullable: true, description: `Whose personal ${noun} it is; null for a shared one.` })
    owner(@Root() row: Owned, @Ctx() ctx: Context) {
      return row.owner && ctx.loaders.users.load(row.owner.id);
    }
  }
  return OwnedFieldsResolver;
}
