// Seeding runs through the app's own IPC (the same calls the Train screen makes), for specs that need
// trained runs without scripting the Train screen.
import { expect, type Page } from '@playwright/test';
import type { ModelSpec } from '#shared/model/spec.ts';
import type { RequestOf } from '#shared/contract.ts';
import '../fixtures.ts'; // declares window.layerlab

export async function templateSpec(page: Page, template: string): Promise<ModelSpec> {
  return page.evaluate(async (template) => {
    const templates = await window.layerlab.invoke('templates:list', undefined);
    if (!templates.ok) throw new Error(templates.error.message);
    const spec = templates.value.find((t) => t.name === template)?.spec;
    if (!spec) throw new Error(`no template ${template}`);
    return spec;
  }, template);
}

/** Starts a run and waits until the engine is idle again; returns the run id. */
export async function trainRun(page: Page, request: RequestOf<'training:start'>): Promise<number> {
  const runId = await page.evaluate(async (request) => {
    const started = await window.layerlab.invoke('training:start', request);
    if (!started.ok) throw new Error(started.error.message);
    return started.value.runId;
  }, request);
  await expect
    .poll(
      () =>
        page.evaluate(async () => {
          const active = await window.layerlab.invoke('training:active', undefined);
          return active.ok ? active.value : 'error';
        }),
      { timeout: 280_000, intervals: [1_000] },
    )
    .toBeNull();
  // A run that failed would make the caller's next step fail far from the cause: say it here.
  const ended = await page.evaluate(async (runId) => {
    const detail = await window.layerlab.invoke('runs:get', { runId });
    return detail.ok
      ? { status: detail.value.run.status, error: detail.value.run.error }
      : { status: 'unknown', error: detail.error.message };
  }, runId);
  expect(ended, `run ${runId} (${request.name}) ended ${ended.status}: ${ended.error ?? ''}`).toMatchObject({
    status: 'completed',
  });
  return runId;
}
