// Without LAYERLAB_ENGINE_NODE the engine starts as Electron's utility process. In this checkout
// better-sqlite3 is built for the system Node, so that process cannot load it; main must notice the ABI
// mismatch and run the engine under the Node on PATH instead, with no request lost.
import fs from 'node:fs';
import path from 'node:path';
import { closeApp, expect, launchApp, test } from './fixtures.ts';

test('the engine falls back to Node when the utility process cannot load native modules', async () => {
  const launched = await launchApp({ LAYERLAB_ENGINE_NODE: '' });
  try {
    const templates = await launched.page.evaluate(() => window.layerlab.invoke('templates:list', undefined));
    expect(templates.ok).toBe(true);
    const info = await launched.page.evaluate(() => window.layerlab.invoke('app:info', undefined));
    expect(info.ok && info.value.engineRuntime).toMatch(/^(Node v\d+|Electron .* utility process)/);
    if (info.ok && info.value.engineRuntime.startsWith('Node')) {
      // The log file has every line from main's start; the captured stdout can miss lines written before
      // Playwright attached to it, as the utility process fails within milliseconds on a loaded machine.
      const logFile = path.join(launched.dir, 'profile', 'logs', 'layerlab.log');
      await expect
        .poll(() => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '') + launched.logs.join('\n'))
        .toMatch(/built for another Node ABI; running the engine with/);
    }
  } finally {
    await closeApp(launched);
  }
});
