// The Sweep form's state and the sweep the view shows, at module level so switching screens keeps them; the
// Train screen's mode and the sweep shown are kept in localStorage, so reopening the app comes back to them.
import { newSweepSeed, type SweepMode } from '#shared/sweeps.ts';
import type { ParameterRow } from './sweep-form.ts';

const MODE_KEY = 'layerlab.train.mode';
const SWEEP_KEY = 'layerlab.sweeps.selected';

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage unavailable: start on defaults
  }
}
function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // see read
  }
}

export interface SweepFormSettings {
  name: string;
  mode: SweepMode;
  rows: ParameterRow[];
  samples: string;
  /** Random mode: always sent, so the preview shows the very points the engine will draw. */
  seed: string;
}

export const sweepForm: SweepFormSettings = $state({
  name: '',
  mode: 'grid',
  rows: [{ name: 'learningRate', kind: 'values', values: '0.0003, 0.001, 0.003', min: '', max: '', steps: '' }],
  samples: '10',
  seed: String(newSweepSeed()),
});

class TrainView {
  mode = $state<'run' | 'sweep'>(read(MODE_KEY) === 'sweep' ? 'sweep' : 'run');
  /** The sweep the sweep view shows. */
  sweepId = $state<number | null>(Number(read(SWEEP_KEY)) > 0 ? Number(read(SWEEP_KEY)) : null);

  setMode(mode: 'run' | 'sweep'): void {
    this.mode = mode;
    write(MODE_KEY, mode);
  }

  showSweep(id: number | null): void {
    this.sweepId = id;
    write(SWEEP_KEY, id === null ? null : String(id));
  }
}

export const trainView = new TrainView();
