// IPC round-trip time (renderer → preload → main → engine process → back), idle and while a model trains,
// the rate of training-event messages reaching the renderer, and the time from a finished stroke on the
// Draw canvas to updated top-k bars and to the painted inside-the-model view (every layer's activations and the
// saliency map, one inspect:model request). Prints p50/p95; asserts nothing about speed (machines are noisy).
import type { Page } from '@playwright/test';
import { closeApp, launchApp, test } from '../e2e/fixtures.ts';

const ROUND_TRIPS = 300;

function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `p50 ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms (n=${values.length})`;
}

/** Round trips of a small request, measured in the page; `gapMs` spaces them out. */
async function roundTrips(
  page: Page,
  channel: 'training:active' | 'runs:list' | 'app:info',
  count: number,
  gapMs: number,
): Promise<number[]> {
  return page.evaluate(
    async ({ channel, count, gapMs }) => {
      const times: number[] = [];
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        await window.layerlab.invoke(channel, (channel === 'runs:list' ? {} : undefined) as never);
        times.push(performance.now() - t0);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
      return times;
    },
    { channel, count, gapMs },
  );
}

test('IPC round trips and stroke-to-bars latency', async () => {
  const launched = await launchApp();
  const { page } = launched;
  const log = (line: string) => console.log(`bench:ipc ${line}`);
  try {
    await roundTrips(page, 'training:active', 20, 0); // warm-up
    log(`idle, training:active: ${percentiles(await roundTrips(page, 'training:active', ROUND_TRIPS, 5))}`);
    log(`idle, runs:list: ${percentiles(await roundTrips(page, 'runs:list', 100, 5))}`);
    log(`idle, app:info (main only): ${percentiles(await roundTrips(page, 'app:info', ROUND_TRIPS, 5))}`);

    // Count the training-event messages the renderer receives per second while the model trains.
    await page.evaluate(() => {
      const w = window as unknown as { eventTimes: number[]; batchItems: number };
      w.eventTimes = [];
      w.batchItems = 0;
      window.layerlab.onTrainingEvent((e) => {
        w.eventTimes.push(performance.now());
        if (e.type === 'batches') w.batchItems += e.items.length;
      });
    });
    const started = await page.evaluate(async () => {
      const templates = await window.layerlab.invoke('templates:list', undefined);
      if (!templates.ok) throw new Error(templates.error.message);
      const seed = templates.value.find((t) => t.name === 'seed')!.spec;
      return window.layerlab.invoke('training:start', {
        spec: seed,
        hyperparameters: { trainSize: 12000, epochs: 2, batchSize: 32 },
        dataset: 'mnist',
        backend: 'auto',
      });
    });
    if (!started.ok) throw new Error(started.error.message);
    await page.waitForTimeout(1500);
    log(`while training, training:active: ${percentiles(await roundTrips(page, 'training:active', ROUND_TRIPS, 20))}`);
    log(`while training, runs:list: ${percentiles(await roundTrips(page, 'runs:list', 100, 20))}`);
    // app:info is answered by main itself: shows that main (and so the window) never waits for training.
    log(`while training, app:info (main only): ${percentiles(await roundTrips(page, 'app:info', ROUND_TRIPS, 20))}`);
    await page.waitForFunction(
      async () =>
        (await window.layerlab.invoke('training:active', undefined)).ok &&
        !((await window.layerlab.invoke('training:active', undefined)) as { value: unknown }).value,
      undefined,
      { timeout: 600_000, polling: 500 },
    );
    const events = await page.evaluate(() => {
      const w = window as unknown as { eventTimes: number[]; batchItems: number };
      const gaps = w.eventTimes.slice(1).map((t, i) => t - w.eventTimes[i]);
      const seconds = (w.eventTimes.at(-1)! - w.eventTimes[0]) / 1000;
      return { messages: w.eventTimes.length, batchItems: w.batchItems, seconds, minGap: Math.min(...gaps) };
    });
    log(
      `training events: ${events.messages} messages carrying ${events.batchItems} batches in ${events.seconds.toFixed(1)} s = ${(events.messages / events.seconds).toFixed(1)} messages/s`,
    );

    // Stroke to bars on the Draw screen with the model just trained.
    await page.click('[data-screen="draw"]');
    const canvas = page.getByTestId('draw-canvas');
    await canvas.waitFor();
    const box = (await canvas.boundingBox())!;
    const latencies: number[] = [];
    const insideLatencies: number[] = [];
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press('Escape'); // clear
      const x = box.x + 100 + (i % 5) * 15;
      await page.mouse.move(x, box.y + 50);
      await page.mouse.down();
      for (let y = 50; y <= 230; y += 15) await page.mouse.move(x + (y - 50) / 12, box.y + y, { steps: 2 });
      await page.mouse.up();
      // Clearing resets the measurement, so the attribute reappears only for this stroke.
      const value = await page.waitForFunction(
        () => document.querySelector('[data-testid="draw-results"]')?.getAttribute('data-latency-ms'),
        undefined,
        { timeout: 10_000 },
      );
      latencies.push(Number(await value.jsonValue()));
      const inside = await page.waitForFunction(
        () => document.querySelector('[data-testid="inside-model"]')?.getAttribute('data-latency-ms'),
        undefined,
        { timeout: 10_000 },
      );
      insideLatencies.push(Number(await inside.jsonValue()));
    }
    log(`stroke end → top-k bars: ${percentiles(latencies)}`);
    log(`stroke end → inside view painted (activations + saliency): ${percentiles(insideLatencies)}`);
  } finally {
    await closeApp(launched);
  }
});
