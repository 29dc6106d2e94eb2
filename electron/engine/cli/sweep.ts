// `layerlab sweep …` and `layerlab runs import`: sweeps from a terminal. `layerlab sweep` records a sweep and runs
// its queue in this process (the same queue the app's engine runs), one run after another; Ctrl-C stops the run
// in training at its next batch and leaves the sweep paused, and `layerlab sweep resume ID` goes on from there.
import path from 'node:path';
import { Command, Option } from 'commander';
import { MAX_SPEC_FILE_BYTES, readJsonFile } from '../files.ts';
import type { BackendPreference } from '../backend/backends.ts';
import { removeRunCheckpoints } from '../train/checkpoint.ts';
import type { TrainerPreference } from '../train/choose-trainer.ts';
import { getTemplate, templateHyperparameters, templateNames } from '#shared/model/index.ts';
import type { Store } from '../store/index.ts';
import { HYPERPARAMETER_NAMES } from '#shared/hyperparameters.ts';
import {
  describePoint,
  parseParameterArgument,
  parsePointArgument,
  SweepError,
  type SweepDetail,
  type SweepParameter,
  type SweepRecord,
} from '#shared/sweeps.ts';
import { printable, singleLine } from '#shared/plain-text.ts';
import { InProcessSweepRunner, SweepQueue } from '../sweeps/queue.ts';
import { EXPORT_FORMATS, exportSweepJobs, type ExportFormat } from '../sweeps/cluster-export.ts';
import { importRunFolders } from '../sweeps/import-runs.ts';
import { createProgressReporter } from './progress.ts';
import { describeHolder } from '../store/leases.ts';
import { pct, table } from './format.ts';

/** What main.ts shares with these commands. */
export interface CliHelpers {
  openStore(db: string | undefined, owner?: string, readonly?: boolean): Store;
  checkpointRoot(store: Store): string;
  readSpecFile(file: string, flag?: string): unknown;
  hyperparameterOptions(): Option[];
  backendOption(): Option;
  trainerOption(): Option;
  dbOf(cmd: Command): string | undefined;
  number(label: string, integer?: boolean): (value: string) => number;
}

class SweepUsageError extends Error {}

const collect = (value: string, list: string[]) => [...list, value];

const SWEEP_FILE_FIELDS = [
  'name',
  'template',
  'spec',
  'specFile',
  'dataset',
  'hyperparameters',
  'mode',
  'samples',
  'seed',
  'parameters',
  'backend',
];

/** A sweep file (README, "Sweeps"): the sweep's definition as JSON; `specFile` is relative to the file. */
function readSweepFile(file: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = readJsonFile(file, MAX_SPEC_FILE_BYTES);
  } catch (err) {
    throw new SweepUsageError(`--file ${(err as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new SweepUsageError(`--file ${file}: a sweep file is a JSON object (${SWEEP_FILE_FIELDS.join(', ')})`);
  const fields = raw as Record<string, unknown>;
  for (const key of Object.keys(fields))
    if (!SWEEP_FILE_FIELDS.includes(key))
      throw new SweepUsageError(
        `--file ${file}: unknown field '${key}' (a sweep file has ${SWEEP_FILE_FIELDS.join(', ')})`,
      );
  if (typeof fields.specFile === 'string') fields.specFile = path.resolve(path.dirname(file), fields.specFile);
  return fields;
}

function parseParameters(texts: string[]): SweepParameter[] {
  try {
    return texts.map(parseParameterArgument);
  } catch (err) {
    if (err instanceof SweepError) throw new SweepUsageError(`--grid/--param ${err.message}`);
    throw err;
  }
}

function pointsTable(detail: SweepDetail): string {
  const names = detail.sweep.parameters.map((p) => p.name);
  return table(
    ['POINT', ...names.map((n) => n.toUpperCase()), 'RUN', 'STATUS', 'BEST VAL', 'TEST'],
    detail.points.map((p) => [
      String(p.point + 1),
      ...names.map((n) => (p.values[n] === undefined ? '-' : String(p.values[n]))),
      p.runId === null ? '-' : String(p.runId),
      p.imported ? `${p.status} (imported)` : p.status,
      pct(p.run?.bestValAccuracy),
      pct(p.run?.testAccuracy),
    ]),
  );
}

function countsText(sweep: SweepRecord): string {
  const { total, ...rest } = sweep.counts;
  const parts = Object.entries(rest)
    .filter(([, n]) => n)
    .map(([status, n]) => `${n} ${status}`);
  return `${total} point${total === 1 ? '' : 's'}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

function sweepsTable(sweeps: SweepRecord[]): string {
  if (sweeps.length === 0) return 'No sweeps yet. Start one with `layerlab sweep --template mlp --grid lr=1e-3,1e-2`.';
  return table(
    ['ID', 'STATUS', 'NAME', 'MODE', 'POINTS', 'DONE', 'BEST TEST', 'RUN BY'],
    sweeps.map((s) => [
      String(s.id),
      s.status,
      singleLine(s.name).slice(0, 40),
      s.mode === 'random' ? `random ${s.samples}` : 'grid',
      String(s.counts.total),
      String(s.counts.completed ?? 0),
      s.best ? `${pct(s.best.testAccuracy)} (run ${s.best.runId})` : '-',
      s.drivenBy ? `${s.drivenBy.label} (pid ${s.drivenBy.pid})` : '-',
    ]),
  );
}

/** The JSON summary `--json` prints: the sweep, and each point with its run's result. */
function summary(detail: SweepDetail) {
  const { sweep } = detail;
  return {
    sweepId: sweep.id,
    uid: sweep.uid,
    name: sweep.name,
    status: sweep.status,
    mode: sweep.mode,
    error: sweep.error,
    counts: sweep.counts,
    best: sweep.best,
    points: detail.points.map((p) => ({
      point: p.point,
      values: p.values,
      status: p.status,
      runId: p.runId,
      imported: p.imported,
      epochsCompleted: p.run?.epochsCompleted ?? null,
      bestValAccuracy: p.run?.bestValAccuracy ?? null,
      testAccuracy: p.run?.testAccuracy ?? null,
      error: p.run?.error ?? null,
    })),
  };
}

/**
 * Runs the sweep queue in this process until nothing is left to run here, printing each run; Ctrl-C pauses the
 * sweep (the run in training stops at its next batch), a second Ctrl-C quits at once.
 */
async function driveQueue(
  helpers: CliHelpers,
  store: Store,
  opts: { json?: boolean; trainer?: string },
  start: (queue: SweepQueue) => SweepRecord,
): Promise<void> {
  const out = opts.json ? process.stderr : process.stdout;
  const say = (text: string) => out.write(`${text}\n`);
  const progress = createProgressReporter(out);
  const runner = new InProcessSweepRunner({
    store,
    checkpointRoot: helpers.checkpointRoot(store),
    trainer: (opts.trainer ?? 'auto') as TrainerPreference,
    onEvent: progress.onEvent,
  });
  const queue = new SweepQueue({
    store,
    runner,
    log: (m) => process.stderr.write(`layerlab: ${m}\n`),
    onRunStart: (sweep, point, runId) => {
      const values = store.sweeps.detail(sweep.id).points.find((p) => p.point === point)?.values ?? {};
      say(`\n── sweep ${sweep.id}, point ${point + 1}/${sweep.counts.total}: run ${runId} · ${describePoint(values)}`);
    },
    onRunEnd: (_sweep, _point, runId, status) => {
      progress.close();
      const run = store.getRun(runId);
      const result =
        run?.testAccuracy !== null && run?.testAccuracy !== undefined ? `, test accuracy ${pct(run.testAccuracy)}` : '';
      say(`run ${runId} ${status}${result}${run?.error ? `: ${printable(run.error)}` : ''}`);
    },
    onWaiting: (_sweep, why) => say(`waiting: ${printable(why)}`),
  });
  let interrupted = false;
  const onInterrupt = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\nlayerlab: pausing the sweep; the run stops after this batch (Ctrl-C again to quit now)\n');
    queue.interrupt();
  };
  process.on('SIGINT', onInterrupt);
  try {
    const sweep = start(queue);
    await queue.idle();
    progress.close();
    const detail = store.sweeps.detail(sweep.id);
    if (opts.json) console.log(JSON.stringify(summary(detail)));
    else {
      console.log(
        `\nsweep ${detail.sweep.id} ${detail.sweep.status}: ${singleLine(detail.sweep.name)} — ${countsText(detail.sweep)}`,
      );
      console.log(pointsTable(detail));
      if (detail.sweep.error) console.log(`note: ${printable(detail.sweep.error)}`);
      if (detail.sweep.status === 'paused') console.log(`continue with: layerlab sweep resume ${detail.sweep.id}`);
    }
    if ((detail.sweep.counts.failed ?? 0) > 0 || (detail.sweep.status === 'paused' && detail.sweep.error))
      process.exitCode = 1;
  } finally {
    process.off('SIGINT', onInterrupt);
    progress.close();
    await queue.shutdown();
  }
}

/**
 * A sweep subcommand's options with the ones \`sweep\` itself also has (--json, --random, --trainer): the parser
 * gives those to \`sweep\` wherever they stand, so they are read from both.
 */
function sweepOptions(cmd: Command): { json?: boolean; random?: number; trainer?: string; point: string[] } {
  return cmd.optsWithGlobals();
}

function sweepId(helpers: CliHelpers, text: string): number {
  return helpers.number('sweep id', true)(text);
}

export function registerSweepCommands(program: Command, helpers: CliHelpers): void {
  const sweep = program
    .command('sweep')
    .description(
      'run a sweep: a run per point of a grid (--grid) or of N random samples (--random N --param …), trained one after another; or list, show, pause, resume, cancel, add to, remove from, delete and export sweeps',
    )
    .option('--file <sweep.json>', 'the sweep as a JSON file (README: Sweeps); the options below add to it')
    .option('--template <name>', `the base network: a template (${templateNames().join(', ')})`)
    .option('--spec <file>', 'the base network: a model spec JSON file')
    .option('--name <name>', 'sweep name (its runs are named after it)')
    .option('--dataset <id|dir>', 'mnist (default), fashion-mnist, or a folder of IDX files');
  for (const option of helpers.hyperparameterOptions()) sweep.addOption(option);
  sweep
    .option(
      '--grid <NAME=VALUES>',
      'a parameter: NAME=v1,v2,… or NAME=log|linear|int:MIN..MAX[:STEPS]; NAME a hyperparameter (lr, optimizer, batch-size, …) or layers.I.filters|units|kernelSize|rate; repeatable',
      collect,
      [],
    )
    .option('--param <NAME=VALUES>', 'the same as --grid (for a random sweep, a range to sample)', collect, [])
    .option('--random <n>', 'draw N random points instead of the whole grid', helpers.number('--random', true))
    .option(
      '--sample-seed <n>',
      'seed of the random draws (default: a new one, kept with the sweep)',
      helpers.number('--sample-seed', true),
    )
    .option('--paused', 'record the sweep without training it here (for `sweep export`, or `sweep resume ID` later)')
    .addOption(helpers.backendOption())
    .addOption(helpers.trainerOption())
    .option('--json', 'print one JSON line with the sweep and its points (progress goes to stderr)')
    .action(async (opts, cmd: Command) => {
      const file = opts.file ? readSweepFile(opts.file) : {};
      if (opts.template && opts.spec) throw new SweepUsageError('give either --template or --spec, not both');
      const template = opts.template ?? (opts.spec ? undefined : (file.template as string | undefined));
      let spec: unknown;
      if (opts.spec) spec = helpers.readSpecFile(opts.spec, '--spec');
      else if (opts.template) spec = getTemplate(opts.template);
      else if (file.spec !== undefined) spec = file.spec;
      else if (typeof file.specFile === 'string') spec = helpers.readSpecFile(file.specFile, '--file specFile');
      else spec = getTemplate(template ?? 'seed');
      const given = HYPERPARAMETER_NAMES.filter((n) => opts[n] !== undefined).map((n) => [n, opts[n]]);
      const hyperparameters = {
        ...(template ? templateHyperparameters(template) : {}),
        ...((file.hyperparameters as object | undefined) ?? {}),
        ...Object.fromEntries(given),
      };
      const parameters = [
        ...((Array.isArray(file.parameters)
          ? file.parameters
          : file.parameters === undefined
            ? []
            : [file.parameters]) as unknown[]),
        ...parseParameters([...opts.grid, ...opts.param]),
      ];
      const mode = opts.random !== undefined ? 'random' : ((file.mode as 'grid' | 'random' | undefined) ?? 'grid');
      const backend =
        cmd.getOptionValueSource('backend') === 'cli'
          ? opts.backend
          : ((file.backend as string | undefined) ?? opts.backend);
      const store = helpers.openStore(helpers.dbOf(cmd), 'layerlab sweep');
      try {
        await driveQueue(helpers, store, opts, (queue) => {
          const created = queue.create({
            name: opts.name ?? (file.name as string | undefined),
            spec,
            hyperparameters,
            dataset: opts.dataset ?? (file.dataset as string | undefined) ?? 'mnist',
            backend: backend as BackendPreference,
            mode,
            parameters,
            samples: opts.random ?? (file.samples as number | undefined),
            seed: opts.sampleSeed ?? (file.seed as number | undefined),
            start: !opts.paused,
          });
          const s = created.sweep;
          const runs = created.points.map((p) => p.runId);
          const say = (text: string) => (opts.json ? process.stderr : process.stdout).write(`${text}\n`);
          say(
            `sweep ${s.id} “${singleLine(s.name)}”: ${s.counts.total} points (${s.mode === 'random' ? `${s.samples} random samples, seed ${s.seed}` : 'grid'}), runs ${runs[0]}–${runs.at(-1)} queued`,
          );
          if (opts.paused)
            say(
              `recorded paused: train it here with \`layerlab sweep resume ${s.id}\`, or export it with \`layerlab sweep export ${s.id} --format slurm DIR\``,
            );
          return s;
        });
      } finally {
        store.close();
      }
    });

  sweep
    .command('list')
    .description('list the sweeps')
    .option('--json', 'print JSON')
    .action((_opts, cmd: Command) => {
      const opts = sweepOptions(cmd);
      const store = helpers.openStore(helpers.dbOf(cmd), 'layerlab', false);
      try {
        const list = store.sweeps.list();
        console.log(opts.json ? JSON.stringify(list) : sweepsTable(list));
      } finally {
        store.close();
      }
    });

  sweep
    .command('show <id>')
    .description("a sweep's definition, queue and points, with each run's status and results")
    .option('--json', 'print JSON (the sweep and every point with its run)')
    .action((id: string, _opts, cmd: Command) => {
      const opts = sweepOptions(cmd);
      const store = helpers.openStore(helpers.dbOf(cmd));
      try {
        const detail = store.sweeps.detail(sweepId(helpers, id));
        if (opts.json) {
          console.log(JSON.stringify(detail));
          return;
        }
        const s = detail.sweep;
        console.log(`sweep ${s.id} ${s.status}: ${singleLine(s.name)} — ${countsText(s)}`);
        console.log(
          `${s.mode}${s.mode === 'random' ? ` (${s.samples} samples, seed ${s.seed})` : ''} over ${s.parameters.map((p) => ('values' in p ? `${p.name} ∈ {${p.values.join(', ')}}` : `${p.name} ${p.range} ${p.min}..${p.max}${p.steps ? ` in ${p.steps} steps` : ''}`)).join(', ')}`,
        );
        console.log(
          `base: ${singleLine(s.spec.name)} on ${singleLine(s.dataset.name)}; hyperparameters ${JSON.stringify(s.hyperparameters)}`,
        );
        if (s.drivenBy)
          console.log(
            `run by ${describeHolder({ owner_host: s.drivenBy.host, owner_pid: s.drivenBy.pid, owner_label: s.drivenBy.label, acquired_at: s.drivenBy.since })}`,
          );
        if (s.error) console.log(`note: ${printable(s.error)}`);
        console.log(`\n${pointsTable(detail)}`);
      } finally {
        store.close();
      }
    });

  sweep
    .command('pause <id>')
    .description('pause a sweep: its run in training stops at the next batch (resumed from its last epoch later)')
    .option('--after-run', 'let the run in training finish first')
    .action((id: string, opts, cmd: Command) => {
      const store = helpers.openStore(helpers.dbOf(cmd));
      try {
        const s = store.sweeps.pause(sweepId(helpers, id), opts.afterRun ? 'after-run' : 'now');
        const running =
          s.currentRunId !== null && s.drivenBy
            ? ` ${s.drivenBy.label} (pid ${s.drivenBy.pid}) ${opts.afterRun ? 'lets' : 'stops'} its run ${s.currentRunId} ${opts.afterRun ? 'finish first' : 'at the next batch'}.`
            : '';
        console.log(`sweep ${s.id} paused.${running} Continue with: layerlab sweep resume ${s.id}`);
      } finally {
        store.close();
      }
    });

  sweep
    .command('resume <id>')
    .description(
      'run a paused (or interrupted) sweep here: a run cut short goes on from its checkpoint, then the queued ones',
    )
    .addOption(helpers.trainerOption().default(undefined))
    .option('--json', 'print one JSON line with the sweep and its points (progress goes to stderr)')
    .action(async (id: string, _opts, cmd: Command) => {
      const opts = sweepOptions(cmd);
      const store = helpers.openStore(helpers.dbOf(cmd), 'layerlab sweep');
      try {
        await driveQueue(helpers, store, opts, (queue) => {
          const s = queue.resume(sweepId(helpers, id));
          (opts.json ? process.stderr : process.stdout).write(
            `sweep ${s.id} “${singleLine(s.name)}”: ${countsText(s)}\n`,
          );
          return s;
        });
      } finally {
        store.close();
      }
    });

  sweep
    .command('cancel <id>')
    .description(
      'cancel a sweep: its queued runs are deleted (their points kept as cancelled); its run in training stops and is kept',
    )
    .action((id: string, _opts, cmd: Command) => {
      const store = helpers.openStore(helpers.dbOf(cmd));
      try {
        const before = store.sweeps.require(sweepId(helpers, id));
        const deleted = store.sweeps.cancel(before.id);
        const running = before.currentRunId !== null ? ` Its run ${before.currentRunId} stops at the next batch.` : '';
        console.log(`sweep ${before.id} cancelled: ${deleted.length} queued run(s) deleted.${running}`);
      } finally {
        store.close();
      }
    });

  sweep
    .command('add <id>')
    .description(
      'add points to a sweep: explicit ones (--point), or more random samples of a random sweep (--random N)',
    )
    .option('--point <NAME=VALUE,…>', "a point's values, e.g. lr=0.01,optimizer=sgd; repeatable", collect, [])
    .option(
      '--random <n>',
      'draw N more random points, continuing the sweep’s sequence',
      helpers.number('--random', true),
    )
    .action((id: string, _opts, cmd: Command) => {
      const opts = sweepOptions(cmd);
      const store = helpers.openStore(helpers.dbOf(cmd));
      try {
        let points: unknown;
        try {
          points = opts.point.length ? (opts.point as string[]).map(parsePointArgument) : undefined;
        } catch (err) {
          if (err instanceof SweepError) throw new SweepUsageError(`--point ${err.message}`);
          throw err;
        }
        const queue = new SweepQueue({
          store,
          runner: new InProcessSweepRunner({ store, checkpointRoot: helpers.checkpointRoot(store) }),
        });
        const before = store.sweeps.detail(sweepId(helpers, id)).points.length;
        const detail = queue.addRuns(sweepId(helpers, id), { points, samples: opts.random }, 'paused');
        const added = detail.points.slice(before);
        for (const p of added) console.log(`point ${p.point + 1}: run ${p.runId} queued · ${describePoint(p.values)}`);
        const s = detail.sweep;
        if (s.drivenBy)
          console.log(`${s.drivenBy.label} (pid ${s.drivenBy.pid}) trains them after the runs before them.`);
        else if (s.status !== 'cancelled')
          console.log(`sweep ${s.id} is ${s.status}; train them with: layerlab sweep resume ${s.id}`);
      } finally {
        store.close();
      }
    });

  sweep
    .command('remove <id> <run>')
    .description('take a queued run out of a sweep (the run is deleted; its point stays, marked removed)')
    .action((id: string, run: string, _opts, cmd: Command) => {
      const store = helpers.openStore(helpers.dbOf(cmd));
      try {
        const runId = helpers.number('run id', true)(run);
        store.sweeps.removeRun(sweepId(helpers, id), runId);
        console.log(`removed run ${runId} from sweep ${id}`);
      } finally {
        store.close();
      }
    });

  sweep
    .command('delete <id>')
    .description(
      'delete a sweep that is not running, and its queued runs; its trained runs stay (tagged sweep-N) unless --runs deletes them too',
    )
    .option('--runs', 'delete its runs as well, with their checkpoints')
    .action((id: string, opts: { runs?: boolean }, cmd: Command) => {
      const store = helpers.openStore(helpers.dbOf(cmd));
      try {
        const sweep = store.sweeps.require(sweepId(helpers, id));
        const deleted = store.sweeps.delete(sweep.id, Boolean(opts.runs));
        for (const { runId, checkpoints } of deleted)
          removeRunCheckpoints(helpers.checkpointRoot(store), runId, checkpoints);
        const runs = opts.runs ? `, with ${deleted.length} run(s)` : `; its runs stay, tagged sweep-${sweep.id}`;
        console.log(`deleted sweep ${sweep.id} “${singleLine(sweep.name)}”${runs}`);
      } finally {
        store.close();
      }
    });

  sweep
    .command('export <id> <dir>')
    .description(
      "write a sweep's points as independent `layerlab train` commands (commands.txt, run-point.sh), plus a SLURM array script (slurm.sh) or Kubernetes Jobs (jobs.yaml); each job exports its run under DIR/results/ for `layerlab runs import`",
    )
    .addOption(
      new Option('--format <format>', 'what to write besides the commands')
        .choices([...EXPORT_FORMATS])
        .default('commands'),
    )
    .option('--all', 'include the points already completed here')
    .action((id: string, dir: string, opts, cmd: Command) => {
      const store = helpers.openStore(helpers.dbOf(cmd), 'layerlab', false);
      try {
        const written = exportSweepJobs(store, sweepId(helpers, id), dir, opts.format as ExportFormat, {
          all: opts.all,
        });
        console.log(
          `exported ${written.points.length} point(s) of sweep ${id} to ${dir}: ${written.files.filter((f) => !f.startsWith('points/')).join(', ')} (and points/)`,
        );
        const next =
          opts.format === 'slurm'
            ? `cd ${dir} && sbatch slurm.sh`
            : opts.format === 'k8s'
              ? `kubectl apply -f ${path.join(dir, 'jobs.yaml')} (with ${dir} on the layerlab-sweep volume)`
              : `cd ${dir} && sh run-point.sh 0   # … ${written.points.length - 1}, anywhere, in any order`;
        console.log(`run: ${next}\nthen: layerlab runs import ${path.join(dir, 'results', 'point-*', 'export')}`);
      } finally {
        store.close();
      }
    });
}

/** `layerlab runs import DIR…`. */
export function registerRunImport(runs: Command, helpers: CliHelpers): void {
  runs
    .command('import <dir...>')
    .description(
      'merge run folders that `layerlab export` wrote (here or on other machines) into this database, with their epochs, evaluation and weights; a run already imported is skipped, a folder that is no export refused',
    )
    .option('--json', 'print one JSON line per folder')
    .action(async (dirs: string[], opts, cmd: Command) => {
      const store = helpers.openStore(helpers.dbOf(cmd), 'layerlab runs import');
      try {
        const outcomes = await importRunFolders(store, helpers.checkpointRoot(store), dirs);
        for (const o of outcomes) {
          if (opts.json) console.log(JSON.stringify(o));
          else if (o.imported)
            console.log(
              `imported ${o.dir} as run ${o.runId}${o.sweep ? ` (point ${o.sweep.point + 1} of sweep ${o.sweep.sweepId})` : ''}${o.note ? `; ${o.note}` : ''}`,
            );
          else if (o.duplicateOf !== null) console.log(`skipped ${o.dir}: ${o.reason}`);
          else console.error(`refused ${o.dir}: ${o.reason}`);
        }
        // Duplicates are skipped, not errors: importing a results folder again only adds what is new.
        if (outcomes.some((o) => !o.imported && o.duplicateOf === null)) process.exitCode = 1;
      } finally {
        store.close();
      }
    });
}
