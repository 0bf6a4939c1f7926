import path from 'node:path';
import { ESLint } from 'eslint';

/**
 * The project's own ESLint configuration, run on a fixture tree shaped like src/: with the fixture as
 * the base path, its src/modules files fall under the same `import-x/no-cycle` block as ours.
 */
const root = path.resolve(__dirname, '../..');
const fixture = path.join(root, 'test/fixtures/import-cycle');
// Handed over as an object: ESLint loads a config file with a dynamic import, which jest's VM refuses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const projectConfig = require(path.join(root, 'eslint.config.js'));

function eslintAt(cwd: string): ESLint {
  return new ESLint({ cwd, overrideConfigFile: true, overrideConfig: projectConfig });
}

async function cycleErrors(file: string): Promise<string[]> {
  const [result] = await eslintAt(fixture).lintFiles([path.join(fixture, file)]);
  return result.messages.filter((m) => m.ruleId === 'import-x/no-cycle').map((m) => `${m.line}: ${m.message}`);
}

describe('lint: no import cycles between feature modules', () => {
  it('refuses two modules that import each other, on both sides', async () => {
    expect(await cycleErrors('src/modules/tickets/ticket.ts')).toEqual(['1: Dependency cycle detected']);
    expect(await cycleErrors('src/modules/comments/comment.ts')).toEqual(['2: Dependency cycle detected']);
  });

  it('lets a type-only import point back (it is erased)', async () => {
    expect(await cycleErrors('src/modules/tags/labelled.ts')).toEqual([]);
    expect(await cycleErrors('src/modules/tags/tag.ts')).toEqual([]);
  });

  it('applies the rule to src/modules only: the same files elsewhere pass', async () => {
    const [result] = await eslintAt(root).lintFiles([path.join(fixture, 'src/modules/tickets/ticket.ts')]);
    expect(result.messages).toEqual([]);
  });
});
