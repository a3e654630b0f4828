import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The README's quickstart is examples/quickstart, which tools/pack-smoke.sh installs and runs:
// every source file of the app must appear in the README verbatim, so the two cannot drift.
const root = fileURLToPath(new URL('../../', import.meta.url));
const app = join(root, 'examples/quickstart');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [relative(app, path)] : [];
  });
}

describe('README quickstart', () => {
  const files = sources(app).sort();

  it('covers the whole app', () => {
    expect(files).toEqual(['src/account.ts', 'src/builtInDomains.ts', 'src/httpStatus.ts', 'src/main.ts', 'test/account.test.ts', 'test/bank.test.ts', 'vitest.config.ts']);
  });

  it.each(files)('shows %s verbatim', (file) => {
    const body = readFileSync(join(app, file), 'utf8').trimEnd();
    expect(readme).toContain(`\`\`\`ts\n// ${file}\n${body}\n\`\`\``);
  });

  it('stands alone: no links outside the package', () => {
    expect(readme).not.toMatch(/\]\(\.\.\//);
    expect(readme).not.toContain("from 'chronicle'");
  });
});
