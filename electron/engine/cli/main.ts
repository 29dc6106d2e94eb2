// `layerlab`: train, resume, inspect and export runs from a terminal, on the same database as the app.
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { runDoctor } from '../backend/doctor.ts';
import { MAX_SPEC_FILE_BYTES, readJsonFile } from '../files.ts';
import { BACKEND_PREFERENCES, type BackendPreference } from '../backend/backends.ts';
import { TRAINER_PREFERENCES, type TrainerPreference } from '../train/choose-trainer.ts';
import { analyzeSpec, getTemplate, templateHyperparameters, templateNames, TEMPLATES } from '#shared/model/index.ts';
import { defaultDatabasePath, Store } from '../store/index.ts';
import { exportRun } from '../model/run-model.ts';
import { removeRunCheckpoints } from '../train/checkpoint.ts';
import { formatRate } from '../train/schedule.ts';
import { resumeRun, trainNewRun, type RunOutcome, type RunnerContext } from '../runner.ts';
import {
  EARLY_STOPPING_MONITORS,
  HYPERPARAMETER_FIELDS,
  HYPERPARAMETER_NAMES,
  LR_SCHEDULES,
  OPTIMIZERS,
  ruleOf,
} from '#shared/hyperparameters.ts';
import { duration, layersTable, pct, runsTable, table } from './format.ts';
import { printable, singleLine } from '#shared/plain-text.ts';
import { createProgressReporter } from './progress.ts';
import { predictImages } from './predict.ts';
import { inspectImage } from './inspect.ts';
import { SALIENCY_METHODS, type SaliencyMethod } from '#shared/contract.ts';
import { exportTensorboard } from '../export/tensorboard.ts';
import {
  BEST_MONITOR_LABELS,
  bestEpochOf,
  defaultWeightsOf,
  describeWeights,
  WEIGHTS_CHOICES,
  type WeightsChoice,
} from '#shared/weights.ts';

/** `--weights best|last`: which of a run's weights (default: the run's own, its restored best or else its last). */
const weightsOption = (what: string) =>
  new Option(
    '--weights <which>',
    `${what} the last or the best epoch's weights (default: the run's default weights)`,
  ).choices([...WEIGHTS_CHOICES]);

/** "test accuracy 98.9% with the weights after epoch 4 (best val loss), 98.7% after epoch 5 (last)". */
function testAccuracyLines(store: Store, run: import('#shared/records.ts').RunRecord): string[] {
  const best = bestEpochOf(run);
  const byDefault = defaultWeightsOf(run);
  const lines: string[] = [];
  for (const which of byDefault === 'best' ? (['best', 'last'] as const) : (['last', 'best'] as const)) {
    if (which === 'best' && (!best || best.epoch === run.epochsCompleted)) continue;
    const evaluation = store.getEvaluation(run.id, which);
    const score = evaluation ? pct(evaluation.testAccuracy) : 'not evaluated';
    lines.push(
      `test accuracy ${score}: weights ${describeWeights(run, which)}${which === byDefault ? ", the run's default" : ''}`,
    );
  }
  if (!best) lines.push(`no best epoch: ${describeWeights(run, 'best').replace(/^no best epoch \((.*)\)$/, '$1')}`);
  else if (best.epoch === run.epochsCompleted)
    lines.push(`the last epoch is the best (${BEST_MONITOR_LABELS[best.monitor]})`);
  return lines;
}
import { registerRunImport, registerSweepCommands, type CliHelpers } from './sweep.ts';

class UsageError extends Error {}

function number(label: string, integer = false) {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`${label} must be ${integer ? 'a whole number' : 'a number'}`);
    }
    return n;
  };
}

/**
 * One option per hyperparameter, from the shared schema: --learning-rate <n>, --optimizer <name>, --lr-schedule
 * <name>, …; the one yes/no setting is a pair, --early-stopping-restore-best / --no-early-stopping-restore-best.
 */
function hyperparameterOptions(): Option[] {
  return HYPERPARAMETER_NAMES.flatMap((name) => {
    const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const { help } = HYPERPARAMETER_FIELDS[name];
    if (name === 'optimizer') return [new Option(`${flag} <name>`, help).choices([...OPTIMIZERS])];
    if (name === 'earlyStopping') return [new Option(`${flag} <monitor>`, help).choices([...EARLY_STOPPING_MONITORS])];
    if (name === 'lrSchedule') return [new Option(`${flag} <name>`, help).choices([...LR_SCHEDULES])];
    if (name === 'earlyStoppingRestoreBest')
      return [
        new Option(flag, `${help} (the default)`),
        new Option(`--no-${flag.slice(2)}`, "early stopping: end with the last epoch's weights"),
      ];
    return [new Option(`${flag} <n>`, help).argParser(number(flag, ruleOf(name)?.integer === true))];
  });
}

/** `owner` names this process to others that find a run it trains ('layerlab train'). */
function openStore(dbOption: string | undefined, owner = 'layerlab', readonly = false): Store {
  const file = dbOption ?? defaultDatabasePath();
  return Store.open(file, { log: (message) => process.stderr.write(`layerlab: ${message}\n`), owner, readonly });
}

function checkpointRoot(store: Store): string {
  const file = store.file === ':memory:' ? path.join(process.cwd(), 'layerlab.db') : path.resolve(store.file);
  return path.join(path.dirname(file), 'runs');
}

/** `flag` names where the file came from in the message ("--spec"), when it came from an option. */
function readSpecFile(file: string, flag?: string): unknown {
  try {
    return readJsonFile(file, MAX_SPEC_FILE_BYTES);
  } catch (err) {
    throw new UsageError(`${flag ? `${flag} ` : ''}${(err as Error).message}`);
  }
}

/** Ctrl-C once stops at the next batch boundary (the run stays resumable); twice quits at once. */
function stopOnInterrupt(): AbortController {
  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nlayerlab: stopping after this batch (Ctrl-C again to quit now)\n');
    controller.abort();
  });
  return controller;
}

function summary(outcome: RunOutcome) {
  const { run, evaluation } = outcome;
  return {
    runId: run.id,
    name: run.name,
    status: run.status,
    error: run.error,
    backend: run.backend?.kind ?? null,
    trainer: run.trainer,
    backendReason: run.backend?.reason ?? null,
    device: run.backend?.device ?? null,
    tfjsVersion: run.backend?.tfjsVersion ?? null,
    tensorflowVersion: run.backend?.tensorflowVersion ?? null,
    epochsCompleted: run.epochsCompleted,
    stopReason: run.stopReason,
    weightsEpoch: run.weightsEpoch,
    testAccuracy: evaluation?.testAccuracy ?? run.testAccuracy,
    testLoss: evaluation?.testLoss ?? run.testLoss,
    bestValAccuracy: run.bestValAccuracy,
    bestValAccuracyEpoch: run.bestValAccuracyEpoch === null ? null : run.bestValAccuracyEpoch + 1,
    samplesPerSecond: Math.round(outcome.samplesPerSecond * 10) / 10,
    trainingSeconds: run.trainingDurationMs === null ? null : Math.round(run.trainingDurationMs) / 1000,
    wallSeconds: Math.round(outcome.wallMs) / 1000,
  };
}

async function runTraining(
  command: 'train' | 'resume',
  opts: { json?: boolean; db?: string; backend?: string; trainer?: string },
  start: (ctx: RunnerContext) => Promise<RunOutcome>,
) {
  const store = openStore(opts.db, `layerlab ${command}`);
  const controller = stopOnInterrupt();
  const progress = createProgressReporter(opts.json ? process.stderr : process.stdout);
  try {
    const outcome = await start({
      store,
      checkpointRoot: checkpointRoot(store),
      backend: (opts.backend ?? 'auto') as BackendPreference,
      trainer: (opts.trainer ?? 'auto') as TrainerPreference,
      signal: controller.signal,
      onEvent: progress.onEvent,
    });
    progress.close();
    const result = summary(outcome);
    if (opts.json) console.log(JSON.stringify(result));
    else {
      console.log(`\nrun ${result.runId} ${result.status}: ${singleLine(outcome.run.name)}`);
      if (result.error) console.log(`error: ${printable(result.error)}`);
      if (result.stopReason) console.log(`stopped early: ${printable(result.stopReason)}`);
      console.log(`backend: ${result.backend}, ${result.trainer} trainer (${result.device}; ${result.backendReason})`);
      if (result.testAccuracy !== null)
        console.log(`test accuracy ${pct(result.testAccuracy)}, loss ${result.testLoss?.toFixed(4)}`);
      console.log(
        `${result.samplesPerSecond} samples/s, training ${duration(outcome.run.trainingDurationMs)}, wall ${duration(outcome.wallMs)}`,
      );
      if (result.status === 'stopped') console.log(`resume with: layerlab resume ${result.runId}`);
    }
    // 'interrupted': another process took the run over while this one trained it.
    if (result.status === 'failed' || result.status === 'interrupted') process.exitCode = 1;
  } finally {
    progress.close();
    store.close();
  }
}

export function buildProgram(): Command {
  const program = new Command('layerlab')
    .description('Layerlab: design, train, compare and test convolutional networks on MNIST')
    .showHelpAfterError()
    .option('--db <path>', `run database (default ${defaultDatabasePath()})`);
  const backendOption = () =>
    new Option('--backend <kind>', 'training backend').choices(BACKEND_PREFERENCES as string[]).default('auto');
  const trainerOption = () =>
    new Option(
      '--trainer <kind>',
      'graph: one compiled TensorFlow call per batch (native backends); eager: tfjs op by op; auto: graph where it can run',
    )
      .choices(TRAINER_PREFERENCES as string[])
      .default('auto');
  const dbOf = (cmd: Command) => cmd.optsWithGlobals().db as string | undefined;
  // What the sweep commands (sweep.ts) share with these.
  const cli: CliHelpers = {
    openStore,
    checkpointRoot,
    readSpecFile,
    hyperparameterOptions,
    backendOption,
    trainerOption,
    dbOf,
    number,
  };

  const train = program
    .command('train')
    .description('train a model and record the run')
    .option('--template <name>', `start from a template (${templateNames().join(', ')})`)
    .option('--spec <file>', 'model spec JSON file')
    .option('--name <name>', 'run name')
    .option('--dataset <id|dir>', 'mnist, fashion-mnist, or a folder of IDX files', 'mnist');
  for (const option of hyperparameterOptions()) train.addOption(option);
  train
    .option('--tag <tag...>', 'tags for the run')
    .option('--notes <text>', 'notes for the run')
    .addOption(backendOption())
    .addOption(trainerOption())
    .option('--json', 'print one JSON line with the result (progress goes to stderr)')
    .action(async (opts, cmd: Command) => {
      if (opts.template && opts.spec) throw new UsageError('give either --template or --spec, not both');
      const spec = opts.spec ? readSpecFile(opts.spec, '--spec') : getTemplate(opts.template ?? 'seed');
      // A template's own recipe (seed-augmented's augmentation) under the options given on the command line.
      const recipe = opts.template ? templateHyperparameters(opts.template) : {};
      const given = HYPERPARAMETER_NAMES.filter((name) => opts[name] !== undefined).map((name) => [name, opts[name]]);
      const hyperparameters = { ...recipe, ...Object.fromEntries(given) };
      await runTraining('train', { ...opts, db: dbOf(cmd) }, (ctx) =>
        trainNewRun(ctx, {
          name: opts.name,
          spec,
          hyperparameters,
          dataset: opts.dataset,
          tags: opts.tag,
          notes: opts.notes,
        }),
      );
    });

  program
    .command('resume <id>')
    .description(
      'continue a stopped, interrupted or failed run from its last finished epoch (a never-started one from the beginning)',
    )
    .addOption(backendOption())
    .addOption(trainerOption())
    .option('--json', 'print one JSON line with the result')
    .action(async (id: string, opts, cmd: Command) => {
      await runTraining('resume', { ...opts, db: dbOf(cmd) }, (ctx) => resumeRun(ctx, number('id', true)(id)));
    });

  const runs = program.command('runs').description('list and inspect runs');
  registerRunImport(runs, cli);
  runs
    .command('list')
    .option('--json', 'print JSON')
    .option('--search <text>', 'match name, notes, tags and architecture')
    .option('--tag <tag>', 'only runs with this tag')
    .action((opts, cmd: Command) => {
      const store = openStore(dbOf(cmd));
      try {
        const list = store.listRuns({ search: opts.search, tag: opts.tag });
        console.log(opts.json ? JSON.stringify(list) : runsTable(list));
      } finally {
        store.close();
      }
    });
  runs
    .command('show <id>')
    .option('--json', 'print JSON')
    .action((id: string, opts, cmd: Command) => {
      const store = openStore(dbOf(cmd));
      try {
        const runId = number('id', true)(id);
        const run = store.getRun(runId);
        if (!run) throw new UsageError(`run ${runId} does not exist`);
        const epochs = store.getEpochMetrics(runId);
        const evaluation = store.getEvaluation(runId);
        if (opts.json) {
          console.log(
            JSON.stringify({
              run,
              epochs,
              evaluation,
              evaluations: store.getEvaluations(runId),
              weights: {
                default: defaultWeightsOf(run),
                last: run.epochsCompleted || null,
                best: bestEpochOf(run)?.epoch ?? null,
              },
              sessions: store.getRunSessions(runId),
            }),
          );
          return;
        }
        console.log(runsTable([run]));
        console.log(`\nhyperparameters: ${JSON.stringify(run.hyperparameters)}`);
        console.log(
          `dataset: ${singleLine(run.dataset.name)}; backend: ${run.backend ? `${run.backend.kind}, ${run.trainer} trainer (${run.backend.device}, tfjs ${run.backend.tfjsVersion}, TensorFlow ${run.backend.tensorflowVersion ?? '-'})` : '-'}`,
        );
        // Printed as plain text: a name or note written before names were cleaned may hold terminal escapes.
        if (run.tags.length) console.log(`tags: ${run.tags.map(singleLine).join(', ')}`);
        if (run.notes) console.log(`notes: ${printable(run.notes)}`);
        if (run.error) console.log(`error: ${printable(run.error)}`);
        if (run.stopReason) console.log(`stopped early: ${printable(run.stopReason)}`);
        else if (run.weightsEpoch !== null && run.weightsEpoch !== run.epochsCompleted)
          console.log(`weights: epoch ${run.weightsEpoch} (the best, restored), not the last epoch's`);
        const analysis = analyzeSpec(run.spec);
        if (analysis.ok)
          console.log(
            `\n${layersTable(analysis.layers)}\ntotal ${analysis.totalParams.toLocaleString('en-US')} parameters`,
          );
        if (epochs.length) {
          console.log(
            `\n${table(
              ['EPOCH', 'LOSS', 'ACC', 'VAL LOSS', 'VAL ACC', 'LR', 'SAMPLES/S', 'TIME'],
              epochs.map((e) => [
                String(e.epoch + 1),
                e.loss.toFixed(4),
                pct(e.accuracy),
                e.valLoss?.toFixed(4) ?? '-',
                pct(e.valAccuracy),
                e.learningRate === null ? '-' : formatRate(e.learningRate),
                e.samplesPerSecond.toFixed(0),
                duration(e.durationMs),
              ]),
            )}`,
          );
          for (const e of epochs) if (e.note) console.log(`epoch ${e.epoch + 1}: ${printable(e.note)}`);
        }
        if (evaluation) {
          console.log(
            `\ntest accuracy ${pct(evaluation.testAccuracy)} on ${evaluation.count} images (weights after epoch ${evaluation.epoch}); per class: ${evaluation.perClassAccuracy.map((a, c) => `${run.dataset.classes[c]} ${pct(a, 1)}`).join(', ')}`,
          );
        }
        if (run.epochsCompleted > 0) for (const line of testAccuracyLines(store, run)) console.log(line);
      } finally {
        store.close();
      }
    });
  runs
    .command('delete <id>')
    .description('delete a run, its metrics and its checkpoints')
    .action((id: string, _opts, cmd: Command) => {
      const store = openStore(dbOf(cmd));
      try {
        const runId = number('id', true)(id);
        // The run's whole folder goes too: half-written checkpoints (epoch-<n>.tmp-<pid>) are not in the store.
        removeRunCheckpoints(checkpointRoot(store), runId, store.deleteRun(runId));
        console.log(`deleted run ${id}`);
      } finally {
        store.close();
      }
    });

  program
    .command('export <id> <dir>')
    .description("write a run's model (TensorFlow.js layers format), spec, metrics and evaluation to a folder")
    .option(
      '--tensorboard',
      "instead, write the run's batch and epoch metrics as TensorBoard event files into <dir>/run-<id>-<name>/ " +
        '(train/, validation/, test/, hparams.json) for `tensorboard --logdir <dir>`; needs no saved weights',
    )
    .addOption(weightsOption('export'))
    .action(async (id: string, dir: string, opts: { tensorboard?: boolean; weights?: WeightsChoice }, cmd: Command) => {
      const store = openStore(dbOf(cmd));
      try {
        const runId = number('id', true)(id);
        if (opts.tensorboard) {
          const files = await exportTensorboard(store, runId, dir);
          console.log(`exported run ${id} for TensorBoard to ${dir}: ${files.join(', ')}`);
          console.log(`view with: tensorboard --logdir ${dir}`);
          return;
        }
        const files = await exportRun(store, runId, dir, opts.weights);
        const run = store.getRun(runId)!;
        const which = opts.weights ?? defaultWeightsOf(run);
        console.log(`exported run ${id} (weights ${describeWeights(run, which)}) to ${dir}: ${files.join(', ')}`);
      } finally {
        store.close();
      }
    });

  program
    .command('predict <id> <image...>')
    .description(
      "predict the digit in PNG images with a run's model, preprocessed like a Draw drawing (any size; dark ink on light or light on dark)",
    )
    .addOption(
      new Option('--backend <kind>', 'backend to predict on').choices(BACKEND_PREFERENCES as string[]).default('auto'),
    )
    .addOption(weightsOption('predict with'))
    .option('--json', 'print one JSON line per image: image, epoch, predicted, probabilities, blank (and error)')
    .action(async (id: string, images: string[], opts, cmd: Command) => {
      const runId = number('id', true)(id);
      const store = openStore(dbOf(cmd), 'layerlab predict', true);
      try {
        // 1 when an image was blank or could not be read; the others are still predicted and printed.
        process.exitCode = await predictImages(store, runId, images, {
          json: opts.json,
          backend: opts.backend as BackendPreference,
          weights: opts.weights as WeightsChoice | undefined,
        });
      } finally {
        store.close();
      }
    });

  program
    .command('inspect <id> <image>')
    .description(
      "every layer's output for one PNG image (read as predict reads it), the prediction, and which pixels drove it (saliency)",
    )
    .addOption(
      new Option('--backend <kind>', 'backend to run on').choices(BACKEND_PREFERENCES as string[]).default('auto'),
    )
    .option('--epoch <n>', "the checkpoint after epoch N (default: the run's default weights)", number('--epoch', true))
    .addOption(weightsOption('inspect').conflicts('epoch'))
    .option('--class <k>', 'the class the saliency map explains (default: the predicted one)', number('--class', true))
    .addOption(
      new Option('--method <name>', 'saliency: gradient × input, or Grad-CAM on the last Conv2D layer')
        .choices([...SALIENCY_METHODS])
        .default('gradient-input'),
    )
    .option(
      '--json',
      'print one JSON line: image, run, epoch, predicted, probabilities, blank, layers, saliency (method, classIndex, top)',
    )
    .action(async (id: string, image: string, opts, cmd: Command) => {
      const runId = number('id', true)(id);
      const store = openStore(dbOf(cmd), 'layerlab inspect', true);
      try {
        // 1 when the image is blank (it is still inspected and printed with --json).
        process.exitCode = await inspectImage(store, runId, image, {
          json: opts.json,
          backend: opts.backend as BackendPreference,
          epoch: opts.epoch,
          weights: opts.weights as WeightsChoice | undefined,
          classIndex: opts.class,
          method: opts.method as SaliencyMethod,
        });
      } finally {
        store.close();
      }
    });

  program
    .command('spec [file]')
    .description("check a model spec (or --template) and print each layer's shape, parameters and FLOPs")
    .option('--template <name>', 'a template instead of a file')
    .option('--json', 'print JSON')
    .action((file: string | undefined, opts) => {
      const spec = file ? readSpecFile(file) : getTemplate(opts.template ?? 'seed');
      const analysis = analyzeSpec(spec);
      if (opts.json) console.log(JSON.stringify(analysis));
      else if (analysis.ok)
        console.log(
          `${layersTable(analysis.layers)}\ntotal ${analysis.totalParams.toLocaleString('en-US')} parameters, ${analysis.totalFlops.toLocaleString('en-US')} FLOPs per image`,
        );
      else {
        for (const issue of analysis.issues) console.error(issue.message);
        process.exitCode = 1;
      }
    });

  program
    .command('templates')
    .description('list the model templates')
    .action(() => {
      console.log(
        table(
          ['NAME', 'TITLE', 'DESCRIPTION'],
          Object.entries(TEMPLATES).map(([name, t]) => [name, t.title, t.description]),
        ),
      );
    });

  program
    .command('doctor')
    .description('which backends can run here, and why the others cannot')
    .option('--json', 'print JSON')
    .action((opts) => {
      const report = runDoctor();
      if (opts.json) {
        console.log(JSON.stringify(report));
        return;
      }
      console.log(`platform ${report.platform}, Node ${report.node}, tfjs ${report.tfjsVersion}\ncpu ${report.cpu}\n`);
      console.log(
        table(
          ['BACKEND', 'AVAILABLE', 'DETAIL'],
          report.backends.map((b) => [b.kind, b.available ? 'yes' : 'no', b.detail]),
        ),
      );
      console.log(
        `\n${table(
          ['BACKEND', 'TRAINER'],
          report.backends.filter((b) => b.trainer).map((b) => [b.kind, b.trainer!]),
        )}`,
      );
      console.log(`\nautomatic choice: ${report.autoChoice}`);
      console.log(
        `nvidia-smi: ${report.gpu.nvidiaSmi ?? 'not found'}; CUDA runtime: ${report.gpu.cudaLibraries.join(', ') || 'not found'}; cuDNN: ${report.gpu.cudnnLibraries.join(', ') || 'not found'}`,
      );
      console.log(
        `\n${table(
          ['DATASET', 'AVAILABLE', 'NOTE'],
          report.datasets.map((d) => [d.id, d.available ? 'yes' : 'no', d.reason ?? '']),
        )}`,
      );
    });
  registerSweepCommands(program, cli);
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    process.stderr.write(`layerlab: ${printable((err as Error).message)}\n`);
    process.exitCode = 1;
  }
}
