// The File menu's commands and the window's drops, beyond what the Design screen's own buttons do: opening a
// spec file in Design, exporting a run, importing a dropped IDX folder, and the notice that says how it went
// (FileNotice.svelte, above every screen). Spec files are read and checked by the engine (spec:readFile); the
// Design screen asks before replacing unsaved work.
import type { RunExport } from '#shared/contract.ts';
import type { DesignCommand, MenuCommand } from '#shared/screens.ts';
import { runsView } from '../components/runs/runs-view.svelte.ts';
import { call, errorMessage } from './api.ts';
import { app } from './app-state.svelte.ts';
import { baseName, classifyDrop, type DroppedItem } from './drop.ts';

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

export interface FileNotice {
  kind: 'info' | 'success' | 'error';
  /** What it is about, for tests and styling: 'export-done', 'spec-refused', … */
  topic: string;
  title: string;
  text: string;
  /** A finished export, which the notice offers to show in the file manager. */
  exported?: RunExport;
}

type ExportFormat = 'model' | 'tensorboard';

class FileActions {
  notice = $state<FileNotice | null>(null);
  /** The run being exported (its folder dialog open, or being written), else null. */
  exporting = $state<number | null>(null);

  /** Handles the File menu's commands; false for commands that are not its. */
  menuCommand(command: MenuCommand): boolean {
    if (command === 'design:openFile') {
      void this.openSpecFile();
    } else if (command === 'run:export' || command === 'run:exportTensorboard') {
      void this.exportCurrentRun(command === 'run:export' ? 'model' : 'tensorboard');
    } else if (command.startsWith('design:')) {
      this.design(command as Exclude<DesignCommand, 'design:openFile'>);
    } else {
      return false;
    }
    return true;
  }

  /** New, Open…, Save, Save as…: the Design screen does them when it shows (it asks about unsaved work). */
  design(command: Exclude<DesignCommand, 'design:openFile'>): void {
    app.go('design');
    app.designRequest = { command };
  }

  /** Reads a spec file (asking for one without `file`) and hands it to Design; a bad file only says why. */
  async openSpecFile(file?: string): Promise<void> {
    try {
      const opened = await call('spec:readFile', file ? { file } : {});
      if (!opened) return; // the user closed the file dialog
      this.notice = null;
      app.go('design');
      app.designRequest = { command: 'design:openFile', file: opened.file, spec: opened.spec };
    } catch (err) {
      this.notice = {
        kind: 'error',
        topic: 'spec-refused',
        title: file ? `Could not open ${baseName(file)}` : 'Could not open the spec file',
        text: `${sentence(errorMessage(err))} The design you are editing is unchanged.`,
      };
    }
  }

  /**
   * File › Export Run…: the run on screen (Runs' detail pane, the run Evaluate or Draw shows); elsewhere, Runs
   * opens to pick one, as exporting a run chosen long ago on another screen would surprise.
   */
  async exportCurrentRun(format: ExportFormat = 'model'): Promise<void> {
    const runId =
      app.screen === 'runs'
        ? runsView.detailId
        : app.screen === 'evaluate' || app.screen === 'draw'
          ? app.focusRunId
          : null;
    if (runId === null) {
      app.go('runs');
      this.notice = {
        kind: 'info',
        topic: 'export-pick',
        title: 'Which run?',
        text: 'Select the run to export on Runs, then press Export… in its details (or File › Export Run… again).',
      };
      return;
    }
    // Evaluate and Draw export the weights they show; Runs the run's default weights.
    const weights = app.screen === 'runs' ? undefined : (app.focusWeights ?? undefined);
    await this.exportRun(runId, format, weights);
  }

  /**
   * Asks for a folder (main's dialog) and writes the run's export there with its default or `weights` (or its
   * TensorBoard event files).
   */
  async exportRun(runId: number, format: ExportFormat = 'model', weights?: 'last' | 'best'): Promise<void> {
    if (this.exporting !== null) return;
    this.exporting = runId;
    if (this.notice?.topic === 'export-pick') this.notice = null; // picked
    try {
      const exported = await call('runs:export', {
        runId,
        format,
        ...(weights && format === 'model' ? { weights } : {}),
      });
      if (!exported) return; // the user closed the folder dialog
      this.notice = {
        kind: 'success',
        topic: 'export-done',
        title: format === 'tensorboard' ? `Exported run #${runId} for TensorBoard` : `Exported run #${runId}`,
        text:
          format === 'tensorboard'
            ? `Wrote ${exported.files.join(', ')} to ${exported.dir}. Open it with: tensorboard --logdir "${exported.dir}"`
            : `Wrote ${exported.files.join(', ')} to ${exported.dir}${exported.epoch !== undefined ? `, with the ${exported.weights ?? 'last'} weights (after epoch ${exported.epoch})` : ''}`,
        exported,
      };
    } catch (err) {
      this.notice = {
        kind: 'error',
        topic: 'export-failed',
        title: `Could not export run #${runId}`,
        text: errorMessage(err),
      };
    } finally {
      this.exporting = null;
    }
  }

  async showExport(exported: RunExport): Promise<void> {
    try {
      await call('runs:showExport', { dir: exported.dir });
    } catch (err) {
      this.notice = {
        kind: 'error',
        topic: 'show-failed',
        title: 'Could not show the folder',
        text: errorMessage(err),
      };
    }
  }

  /** A drop on the window: a spec file opens in Design, a folder is imported on Train, anything else is refused. */
  drop(items: DroppedItem[]): void {
    const action = classifyDrop(items);
    if (action.kind === 'spec') {
      void this.openSpecFile(action.path);
    } else if (action.kind === 'dataset') {
      // The Train screen's dataset picker imports it and says how it went, as after File › Import IDX Dataset….
      this.notice = null;
      app.go('train');
      app.importRequest = { dir: action.dir };
    } else {
      this.notice = { kind: 'error', topic: 'drop-refused', title: 'Nothing was opened', text: action.reason };
    }
  }

  dismiss(): void {
    this.notice = null;
  }
}

export const fileActions = new FileActions();
