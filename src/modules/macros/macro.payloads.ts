import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType({ description: 'What deleteMacro or deleteView removed.' })
export class DeletedPayload {
  @Field(() => ID, { description: 'The id of what was deleted.' })
  deletedId!: string;
}
