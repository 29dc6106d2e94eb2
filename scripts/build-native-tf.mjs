#!/usr/bin/env node
// Builds @tensorflow/tfjs-node (or -gpu with --gpu) against the libraries of an existing TensorFlow >= 2.12
// (a Python installation or wheel) instead of the libtensorflow 2.9.1 download its install script wants.
// That download is impossible offline and too old for CUDA 12 (tfjs issues 8362, 8505).
//
// Where the libraries come from, first match wins:
//   --tf-dir DIR     a folder holding libtensorflow_cc.so.2, libtensorflow_framework.so.2 and include/
//                    (e.g. .../site-packages/tensorflow of an installed TensorFlow)
//   --wheel FILE     a TensorFlow wheel (.whl)
//   an importable Python TensorFlow (python3, or $PYTHON)
//   pip download --no-deps tensorflow-cpu==VERSION (tensorflow==VERSION with --gpu), VERSION from --tf-version
// Pip options such as --index-url come from pip's own config or PIP_* environment variables.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = path.join(root, '.native');
const MIN_TF = [2, 12];

function parseArgs(argv) {
  const opts = {
    gpu: false,
    tfDir: null,
    wheel: null,
    tfVersion: '2.21.0',
    python: process.env.PYTHON || 'python3',
    force: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--gpu') opts.gpu = true;
    else if (arg === '--force') opts.force = true;
    else if (arg === '--tf-dir') opts.tfDir = path.resolve(value());
    else if (arg === '--wheel') opts.wheel = path.resolve(value());
    else if (arg === '--tf-version') opts.tfVersion = value();
    else if (arg === '--python') opts.python = value();
    else if (arg === '--help' || arg === '-h') {
      console.log(
        fs
          .readFileSync(fileURLToPath(import.meta.url), 'utf8')
          .split('\n')
          .slice(1, 13)
          .join('\n'),
      );
      process.exit(0);
    } else fail(`unknown option ${arg} (try --help)`);
  }
  return opts;
}

function fail(message) {
  console.error(`build-native-tf: ${message}`);
  process.exit(1);
}

function log(message) {
  console.log(`build-native-tf: ${message}`);
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (result.status !== 0)
    fail(
      `${cmd} ${args.map((a) => (a.length > 80 ? '<script>' : a)).join(' ')} exited with ${result.status ?? result.signal}`,
    );
}

function versionAtLeast(version, [major, minor]) {
  const [a, b] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

function hasTfLibraries(dir) {
  return ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2', 'include/tensorflow/c/c_api.h'].every((f) =>
    fs.existsSync(path.join(dir, f)),
  );
}

/** Finds an installed Python TensorFlow without importing it (importing takes seconds and may need a GPU). */
function findPythonTensorflow(python) {
  const probe = [
    'import importlib.util, importlib.metadata, os, json',
    'spec = importlib.util.find_spec("tensorflow")',
    'ver = None',
    'for dist in ("tensorflow", "tensorflow-cpu", "tensorflow-gpu"):',
    '    try: ver = importlib.metadata.version(dist); break',
    '    except Exception: pass',
    'print(json.dumps({"dir": os.path.dirname(spec.origin) if spec and spec.origin else None, "version": ver}))',
  ].join('\n');
  try {
    const out = execFileSync(python, ['-c', probe], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const found = JSON.parse(out.trim());
    return found.dir && found.version ? found : null;
  } catch {
    return null;
  }
}

/** Extracts just the two shared libraries and the headers from a wheel (the full wheel is ~1 GB unpacked). */
function extractWheel(wheel, python) {
  const version = path.basename(wheel).split('-')[1];
  if (!version || !versionAtLeast(version, MIN_TF))
    fail(`${wheel}: TensorFlow ${version} is older than ${MIN_TF.join('.')}`);
  const dest = path.join(cacheDir, `tensorflow-${version}`);
  if (hasTfLibraries(dest)) return { dir: dest, version };
  log(`extracting libraries and headers from ${path.basename(wheel)}`);
  const script = [
    'import sys, zipfile, os',
    'wheel, dest = sys.argv[1], sys.argv[2]',
    'keep = ("tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2")',
    'with zipfile.ZipFile(wheel) as z:',
    '    for name in z.namelist():',
    '        if name in keep or (name.startswith("tensorflow/include/") and not name.endswith("/")):',
    '            target = os.path.join(dest, name[len("tensorflow/"):])',
    '            os.makedirs(os.path.dirname(target), exist_ok=True)',
    '            with z.open(name) as src, open(target, "wb") as out: out.write(src.read())',
  ].join('\n');
  fs.rmSync(dest, { recursive: true, force: true });
  run(python, ['-c', script, wheel, dest]);
  if (!hasTfLibraries(dest))
    fail(`${wheel} does not contain libtensorflow_cc.so.2, libtensorflow_framework.so.2 and include/`);
  return { dir: dest, version };
}

function locateTensorflow(opts) {
  if (opts.tfDir) {
    if (!hasTfLibraries(opts.tfDir))
      fail(
        `--tf-dir ${opts.tfDir} lacks libtensorflow_cc.so.2, libtensorflow_framework.so.2 or include/tensorflow/c/c_api.h`,
      );
    return { dir: opts.tfDir, version: 'unknown (--tf-dir)' };
  }
  if (opts.wheel) return extractWheel(opts.wheel, opts.python);
  const installed = findPythonTensorflow(opts.python);
  if (installed && versionAtLeast(installed.version, MIN_TF) && hasTfLibraries(installed.dir)) {
    log(`using the installed Python TensorFlow ${installed.version} at ${installed.dir}`);
    return installed;
  }
  const pkg = opts.gpu ? 'tensorflow' : 'tensorflow-cpu';
  const wheelDir = path.join(cacheDir, 'wheels');
  fs.mkdirSync(wheelDir, { recursive: true });
  const wheelName = (f) => f.endsWith('.whl') && f.startsWith(`${pkg.replace('-', '_')}-${opts.tfVersion}-`);
  if (!fs.readdirSync(wheelDir).some(wheelName)) {
    log(`downloading ${pkg}==${opts.tfVersion} with pip`);
    run(opts.python, [
      '-m',
      'pip',
      'download',
      '--no-deps',
      '--only-binary=:all:',
      '-d',
      wheelDir,
      `${pkg}==${opts.tfVersion}`,
    ]);
  }
  const wheel = fs.readdirSync(wheelDir).find(wheelName);
  if (!wheel) fail(`pip did not produce a ${pkg} ${opts.tfVersion} wheel in ${wheelDir}`);
  return extractWheel(path.join(wheelDir, wheel), opts.python);
}

function installPackageWithoutScripts(pkgName, version) {
  const pkgDir = path.join(root, 'node_modules', pkgName);
  if (fs.existsSync(path.join(pkgDir, 'package.json'))) return pkgDir;
  // npm ci dropped it: it is optional and its install script (the download) failed. Reinstall without scripts.
  log(`installing ${pkgName}@${version} without its download script`);
  run('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `${pkgName}@${version}`], {
    cwd: root,
  });
  return pkgDir;
}

function stageDeps(pkgDir, tf) {
  const deps = path.join(pkgDir, 'deps');
  const lib = path.join(deps, 'lib');
  fs.rmSync(deps, { recursive: true, force: true });
  fs.mkdirSync(lib, { recursive: true });
  for (const name of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']) {
    fs.copyFileSync(path.join(tf.dir, name), path.join(lib, name));
  }
  // The addon links -ltensorflow -ltensorflow_framework; pip wheels ship the C API inside libtensorflow_cc.
  fs.symlinkSync('libtensorflow_cc.so.2', path.join(lib, 'libtensorflow.so'));
  fs.symlinkSync('libtensorflow_framework.so.2', path.join(lib, 'libtensorflow_framework.so'));
  // Its install script skips the download when this file exists.
  fs.writeFileSync(
    path.join(lib, 'libtensorflow.so.2.9.1'),
    `placeholder: real library is libtensorflow_cc.so.2 from TensorFlow ${tf.version}\n`,
  );
  fs.cpSync(path.join(tf.dir, 'include'), path.join(deps, 'include'), { recursive: true });
  fs.writeFileSync(
    path.join(deps, 'LAYERLAB_TENSORFLOW'),
    JSON.stringify({ version: tf.version, source: tf.dir }) + '\n',
  );
}

function verify(pkgName) {
  const probe = `
    const tf = require(${JSON.stringify(pkgName)});
    const backend = tf.backend();
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const sum = tf.matMul(x, x).sum().dataSync()[0];
    console.log(JSON.stringify({ backend: tf.getBackend(), tfVersion: tf.version['tfjs-node'] || null, tensorflow: backend.binding.TF_Version, check: sum }));
  `;
  const out = execFileSync(process.execPath, ['-e', probe], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  const result = JSON.parse(out.trim().split('\n').pop());
  if (result.check !== 54) fail(`binding loaded but computed ${result.check} instead of 54`);
  return result;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (process.platform !== 'linux')
    fail('this recipe is for Linux; on macOS and Windows use the prebuilt tfjs-node (npm install)');
  const pkgName = opts.gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).optionalDependencies[pkgName];
  const pkgDir = installPackageWithoutScripts(pkgName, version);
  const marker = path.join(pkgDir, 'deps', 'LAYERLAB_TENSORFLOW');
  if (!opts.force && fs.existsSync(marker)) {
    try {
      const result = verify(pkgName);
      log(`already built: ${pkgName} on TensorFlow ${result.tensorflow} (use --force to rebuild)`);
      return;
    } catch {
      log('existing build does not load; rebuilding');
    }
  }
  const tf = locateTensorflow(opts);
  log(`staging TensorFlow ${tf.version} from ${tf.dir}`);
  stageDeps(pkgDir, tf);
  log(`compiling the ${pkgName} addon (a few minutes)`);
  // Through npm so node-gyp uses the Node headers npm is configured with (offline machines have them locally).
  run('npm', ['run', 'build-addon-from-source'], { cwd: pkgDir });
  const result = verify(pkgName);
  log(`ok: ${pkgName} backend '${result.backend}' on TensorFlow ${result.tensorflow}`);
}

main();
