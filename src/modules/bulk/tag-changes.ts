import { badInput } from '../../shared/errors';
import { TagService } from '../tags/tag.service';

/** Tags to add and to remove, each list checked as tag names; a name in both is refused (which should win?). */
export function tagChanges(addTags: readonly string[] | null | undefined, removeTags: readonly string[] | null | undefined) {
  const add = TagService.normalize(addTags ?? [], 'addTags');
  const remove = TagService.normalize(removeTags ?? [], 'removeTags');
  const both = add.filter((name) => remove.some((other) => other.toLowerCase() === name.toLowerCase()));
  if (both.length > 0) throw badInput(`A tag cannot be both added and removed: ${both.join(', ')}.`, 'removeTags');
  return { add, remove };
}
