// `layerlab sweep export ID --format commands|slurm|k8s DIR`: a sweep's points as independent jobs for other
// machines. DIR gets
//   commands.txt     one `layerlab train … --json` command per point (the point's hyperparameters; its own spec
//                    file when the sweep varies layer fields), runnable anywhere, in any order, in parallel;
//   run-point.sh     `sh run-point.sh N` runs point N's command against its own database in results/point-NNN/ and
//                    exports the run there with `layerlab export` (plus sweep-point.json, which says the sweep and
//                    point it belongs to), which `layerlab runs import DIR/results/*/export` merges back;
//   slurm.sh         (slurm) a SLURM job array over run-point.sh;  jobs.yaml (k8s) one Kubernetes Job per point;
//   spec.json or points/point-NNN/spec.json, points/point-NNN/sweep-point.json, sweep.json (the sweep itself).
// Paths in the commands are relative to DIR, so the folder can be copied to a cluster's shared file system.
import fs from 'node:fs';
import path from 'node:path';
import { applySweepPoint, type SweepPoint, type SweepRecord } from '#shared/sweeps.ts';
import { DEFAULT_HYPERPARAMETERS, HYPERPARAMETER_NAMES, type Hyperparameters } from '#shared/hyperparameters.ts';
import type { ModelSpec } from '#shared/model/spec.ts';
import type { Store } from '../store/index.ts';

export const EXPORT_FORMATS = ['commands', 'slurm', 'k8s'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What run-point.sh copies next to each exported run: how `runs import` attaches it to its sweep. */
export interface SweepPointFile {
  format: 'layerlab-sweep-point';
  version: 1;
  sweep: { uid: string; id: number; name: string };
  point: number;
  values: SweepPoint['values'];
}

export const SWEEP_POINT_FILE = 'sweep-point.json';

/** Quotes a word for sh: as it is when it is plainly safe, else in single quotes. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const flagOf = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * The `layerlab train` arguments of a point's hyperparameters: every one that differs from the default, and
 * every one the sweep varies (so the command says what the point is even where it is the default).
 */
export function hyperparameterArguments(h: Hyperparameters, varied: ReadonlySet<string>): string[] {
  const args: string[] = [];
  for (const name of HYPERPARAMETER_NAMES) {
    const value = h[name];
    if (value === null || (value === DEFAULT_HYPERPARAMETERS[name] && !varied.has(name))) continue;
    if (typeof value === 'boolean') args.push(value ? flagOf(name) : `--no-${flagOf(name).slice(2)}`);
    else args.push(flagOf(name), String(value));
  }
  return args;
}

/** The dataset as `--dataset` takes it: a built-in id, or the folder of an IDX dataset (as on this machine). */
function datasetArgument(id: string): string {
  return id.startsWith('idx:') ? id.slice(4) : id;
}

const pad = (point: number) => String(point).padStart(3, '0');

export interface SweepExport {
  dir: string;
  files: string[];
  /** The points written, in job order (job N is points[N]). */
  points: number[];
}

/**
 * Writes the sweep's jobs to `dir`: the points not yet completed here (all of them with `all`), in point order.
 * Removed and cancelled points are left out.
 */
export function exportSweepJobs(
  store: Store,
  sweepId: number,
  dir: string,
  format: ExportFormat,
  options: { all?: boolean } = {},
): SweepExport {
  const { sweep, points } = store.sweeps.detail(sweepId);
  const chosen = points.filter(
    (p) => p.status !== 'removed' && p.status !== 'cancelled' && (options.all || p.status !== 'completed'),
  );
  if (chosen.length === 0)
    throw new Error(
      `sweep ${sweepId} has no point left to export (every point completed here; --all exports them too)`,
    );
  const varied = new Set(sweep.parameters.map((p) => p.name));
  const perPointSpec = sweep.parameters.some((p) => p.name.startsWith('layers.'));
  fs.mkdirSync(path.join(dir, 'results'), { recursive: true });
  const files: string[] = [];
  const write = (name: string, text: string, mode?: number) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, mode === undefined ? undefined : { mode });
    files.push(name);
  };
  const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

  if (!perPointSpec) write('spec.json', json(sweep.spec));
  const commands = chosen.map((p) => {
    const { spec, hyperparameters } = pointSettings(sweep, p);
    const folder = `points/point-${pad(p.point)}`;
    if (perPointSpec) write(`${folder}/spec.json`, json(spec));
    const pointFile: SweepPointFile = {
      format: 'layerlab-sweep-point',
      version: 1,
      sweep: { uid: sweep.uid, id: sweep.id, name: sweep.name },
      point: p.point,
      values: p.values,
    };
    write(`${folder}/${SWEEP_POINT_FILE}`, json(pointFile));
    return [
      'train',
      '--spec',
      perPointSpec ? `${folder}/spec.json` : 'spec.json',
      '--dataset',
      datasetArgument(sweep.dataset.id),
      ...hyperparameterArguments(hyperparameters, varied),
      '--name',
      p.run?.name ?? `${sweep.name} #${p.point + 1}`,
      '--tag',
      `sweep-${sweep.id}`,
    ];
  });
  const line = (args: string[]) => args.map(shellQuote).join(' ');
  // Line N is job N: independent commands, to run from this folder in any order (each prints one JSON line).
  write('commands.txt', commands.map((args) => `${line(['layerlab', ...args, '--json'])}\n`).join(''));
  write('run-point.sh', runPointScript(sweep, chosen, commands.map(line)), 0o755);
  write(
    'sweep.json',
    json({
      format: 'layerlab-sweep-export',
      version: 1,
      sweep: { ...sweep, drivenBy: null, waiting: null },
      jobs: chosen.map((p, job) => ({
        job,
        point: p.point,
        values: p.values,
        results: `results/point-${pad(p.point)}`,
      })),
    }),
  );
  if (format === 'slurm') write('slurm.sh', slurmScript(sweep, chosen.length), 0o755);
  if (format === 'k8s') write('jobs.yaml', kubernetesJobs(sweep, chosen));
  return { dir, files, points: chosen.map((p) => p.point) };
}

/** A point's spec and hyperparameters: its run's, or (its run deleted) the sweep's base with its values set. */
function pointSettings(sweep: SweepRecord, point: SweepPoint): { spec: ModelSpec; hyperparameters: Hyperparameters } {
  if (point.run) return { spec: point.run.spec, hyperparameters: point.run.hyperparameters };
  const applied = applySweepPoint(sweep.spec, sweep.hyperparameters, point.values);
  return { spec: applied.spec, hyperparameters: applied.hyperparameters as unknown as Hyperparameters };
}

function runPointScript(sweep: SweepRecord, points: SweepPoint[], commands: string[]): string {
  const cases = points.map((p, job) => `  ${job}) point=${pad(p.point)}; set -- ${commands[job]} ;;`).join('\n');
  return `#!/bin/sh
# Sweep ${sweep.id} “${sweep.name.replace(/\n/g, ' ')}”: trains job N (0-${points.length - 1}, one per point) against its own
# database in results/point-NNN/ and exports the run to results/point-NNN/export, with sweep-point.json naming its
# sweep and point. Merge the results back with:  layerlab runs import results/point-*/export
# Usage: sh run-point.sh N   (a SLURM array task passes SLURM_ARRAY_TASK_ID, an indexed Kubernetes Job
# JOB_COMPLETION_INDEX). LAYERLAB is the command that runs Layerlab (default: layerlab); RESULTS the folder for
# the results (default: results/ beside this script).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
job=\${1:-\${SLURM_ARRAY_TASK_ID:-\${JOB_COMPLETION_INDEX:-}}}
LAYERLAB=\${LAYERLAB:-layerlab}
results=\${RESULTS:-$here/results}
case "$job" in
${cases}
  *) echo "run-point.sh: no job '$job' (0-${points.length - 1})" >&2; exit 2 ;;
esac
out="$results/point-$point"
mkdir -p "$out"
# The train command's last line on stdout is its --json summary, which begins with the run's id.
$LAYERLAB --db "$out/layerlab.db" "$@" --json > "$out/train.json"
run_id=$(tail -n 1 "$out/train.json" | sed -n 's/^{"runId":\\([0-9][0-9]*\\),.*/\\1/p')
if [ -z "$run_id" ]; then echo "run-point.sh: no run id in $out/train.json" >&2; exit 1; fi
rm -rf "$out/export"
$LAYERLAB --db "$out/layerlab.db" export "$run_id" "$out/export"
cp "points/point-$point/${SWEEP_POINT_FILE}" "$out/export/${SWEEP_POINT_FILE}"
`;
}

function slurmScript(sweep: SweepRecord, jobs: number): string {
  return `#!/bin/sh
# Sweep ${sweep.id} “${sweep.name.replace(/\n/g, ' ')}” as a SLURM job array: one task per point, each running run-point.sh.
# Submit from this folder (on a file system the nodes share):  sbatch slurm.sh
# Then, back on the machine with the sweep:  layerlab runs import results/point-*/export
#SBATCH --job-name=layerlab-sweep-${sweep.id}
#SBATCH --array=0-${jobs - 1}
#SBATCH --output=results/slurm-%A_%a.out
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
cd "\${SLURM_SUBMIT_DIR:-$(dirname "$0")}"
exec sh run-point.sh "$SLURM_ARRAY_TASK_ID"
`;
}

/** YAML scalars written as JSON strings, which YAML reads as the same strings. */
const q = (text: string) => JSON.stringify(text);

function kubernetesJobs(sweep: SweepRecord, points: SweepPoint[]): string {
  const header = `# Sweep ${sweep.id} “${sweep.name.replace(/\n/g, ' ')}” as Kubernetes Jobs, one per point. Each runs run-point.sh in an image with
# Layerlab (\`layerlab\` on PATH, or set LAYERLAB), on a volume holding this folder (the PersistentVolumeClaim
# layerlab-sweep, mounted at /sweep), and leaves its exported run in /sweep/results/point-NNN/export.
#   kubectl apply -f jobs.yaml      then, with the results copied back:  layerlab runs import results/point-*/export
`;
  const jobs = points.map(
    (p, job) => `apiVersion: batch/v1
kind: Job
metadata:
  name: ${q(`layerlab-sweep-${sweep.id}-point-${pad(p.point)}`)}
  labels:
    app: layerlab
    layerlab-sweep: ${q(String(sweep.id))}
spec:
  backoffLimit: 1
  template:
    metadata:
      labels:
        app: layerlab
        layerlab-sweep: ${q(String(sweep.id))}
    spec:
      restartPolicy: Never
      containers:
        - name: layerlab
          image: ${q('layerlab:latest')}
          workingDir: /sweep
          command: [${q('sh')}, ${q('run-point.sh')}, ${q(String(job))}]
          env:
            - name: RESULTS
              value: ${q('/sweep/results')}
          volumeMounts:
            - name: sweep
              mountPath: /sweep
      volumes:
        - name: sweep
          persistentVolumeClaim:
            claimName: layerlab-sweep
`,
  );
  return header + jobs.join('---\n');
}
