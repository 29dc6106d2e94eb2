// The layer rules of eslint.config.js, run through ESLint's API on imports written the wrong way round: each must
// be refused with the rule's message, and the same import in an allowed direction must pass.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layer rules', () => {
  it.each([
    [
      'renderer/src/lib/probe.ts',
      "import { buildModel } from '#engine/model/build.ts';",
      'renderer may import only electron/shared',
    ],
    [
      'renderer/src/lib/probe.ts',
      "import { registerIpc } from '#main/ipc.ts';",
      'renderer may import only electron/shared',
    ],
    [
      'electron/shared/probe.ts',
      "import { call } from '#renderer/lib/api.ts';",
      'electron/shared may import only packages',
    ],
    [
      'electron/shared/probe.ts',
      "import { Store } from '#engine/store/index.ts';",
      'electron/shared may import only packages',
    ],
    [
      'electron/engine/probe.ts',
      "import { registerIpc } from '#main/ipc.ts';",
      'electron/engine may import only electron/shared',
    ],
    [
      'electron/main/probe.ts',
      "import { Store } from '#engine/store/index.ts';",
      'electron/main may import only electron/shared',
    ],
  ])('%s: %s is refused', async (file, code, message) => {
    const found = await problems(file, `${code}\nexport const probe = 1;\n`);
    expect(found.some((p) => p.startsWith('import-x/no-restricted-paths') && p.includes(message))).toBe(true);
  });

  it('refuses a relative path into another layer and ../../../', async () => {
    const found = await problems(
      'renderer/src/lib/probe.ts',
      "import { x } from '../../../electron/shared/types.ts';\n",
    );
    expect(found.some((p) => p.startsWith('no-restricted-imports'))).toBe(true);
  });

  it('allows every layer to import electron/shared by its alias', async () => {
    for (const file of ['renderer/src/lib/probe.ts', 'electron/engine/probe.ts', 'electron/main/probe.ts']) {
      const found = await problems(
        file,
        "import { BACKEND_LABELS } from '#shared/types.ts';\nexport const probe = BACKEND_LABELS;\n",
      );
      expect(found).toEqual([]);
    }
  });
});
