// Plain channel names for preload, which must not bundle zod (it runs sandboxed, with only `require('electron')`).
// Kept in sync with contract.ts by the type-level checks at the bottom: `npx tsc` fails if they drift.
import type { Channel, ENGINE_STATUS_CHANNEL, TRAINING_EVENT_CHANNEL } from './contract.ts';

export const CHANNELS = [
  'app:info',
  'engine:status',
  'engine:restart',
  'doctor:run',
  'backend:active',
  'templates:list',
  'spec:analyze',
  'spec:readFile',
  'designs:list',
  'designs:save',
  'designs:delete',
  'datasets:list',
  'datasets:import',
  'datasets:images',
  'runs:list',
  'runs:get',
  'runs:batchMetrics',
  'runs:rename',
  'runs:setNotes',
  'runs:setTags',
  'runs:delete',
  'runs:export',
  'runs:showExport',
  'evaluation:cell',
  'evaluation:checkpoint',
  'training:start',
  'training:resume',
  'training:stop',
  'training:active',
  'training:memoryLimits',
  'predict:image',
  'predict:strokes',
  'inspect:model',
  'inspect:filters',
  'sweeps:create',
  'sweeps:list',
  'sweeps:get',
  'sweeps:pause',
  'sweeps:resume',
  'sweeps:cancel',
  'sweeps:addRuns',
  'sweeps:removeRun',
  'sweeps:delete',
] as const;

/** Main → renderer: training progress (same value as contract.ts's TRAINING_EVENT_CHANNEL). */
export const TRAINING_EVENT = 'training:event' as const satisfies typeof TRAINING_EVENT_CHANNEL;
/** Main → renderer: the engine process's state when it changes (same value as contract.ts's ENGINE_STATUS_CHANNEL). */
export const ENGINE_STATUS = 'engine:status-changed' as const satisfies typeof ENGINE_STATUS_CHANNEL;
/** Main → renderer: native menu commands such as 'navigate:design' or 'dataset:import'. */
export const MENU_COMMAND = 'menu:command' as const;

type Listed = (typeof CHANNELS)[number];
type Missing = Exclude<Channel, Listed>;
type Extra = Exclude<Listed, Channel>;
/** Fails to compile, naming the culprit, if CHANNELS and requestSchemas differ. */
export const channelsInSync: [Missing, Extra] extends [never, never] ? true : { missing: Missing; extra: Extra } = true;
