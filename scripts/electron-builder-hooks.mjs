// electron-builder hooks (electron-builder.cjs names this file for beforePack and afterPack).
//
// beforePack: rebuilds better-sqlite3, the one addon that is not Node-API, for the Electron being packaged, with
// @electron/rebuild (a prebuilt binary for that Electron when one can be downloaded, else from source with
// Electron's headers, downloaded too). It rebuilds in place, in the project's node_modules, because that is what
// electron-builder packages, after saving the project's own build (made for the system Node, which the CLI, the
// tests and the development app's engine fallback use).
// afterPack: puts the project's build back, then checks the packaged addon against the packaged Electron when this
// machine can run it, and fails the build if they differ although the rebuild ran.
//
// LAYERLAB_SKIP_NATIVE_REBUILD=1 skips the rebuild (scripts/package-local.sh: machines that cannot download
// Electron's headers); the package then keeps the system Node's build and afterPack only warns.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { nativeAbiReport } from './verify-package.mjs';

/** Native modules built against a Node ABI (not Node-API): rebuilt for the packaged Electron. */
export const REBUILT_MODULES = ['better-sqlite3'];
const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal']; // electron-builder's Arch enum, by value

const skipRebuild = () => process.env.LAYERLAB_SKIP_NATIVE_REBUILD === '1';
const log = (message) => console.log(`  • layerlab: ${message}`);

function paths(appDir, name) {
  const build = path.join(appDir, 'node_modules', name, 'build');
  return { build, saved: path.join(appDir, 'node_modules', '.cache', 'layerlab-dist', `${name}-build`) };
}

/** Puts the project's own build of each rebuilt module back (safe to call more than once). */
function restore(appDir) {
  for (const name of REBUILT_MODULES) {
    const { build, saved } = paths(appDir, name);
    if (!fs.existsSync(saved)) continue;
    fs.rmSync(build, { recursive: true, force: true });
    fs.renameSync(saved, build);
    log(`restored the project's own build of ${name}`);
  }
  fs.rmSync(path.join(appDir, 'node_modules', '.cache', 'layerlab-dist'), { recursive: true, force: true });
}

let restoreOnExit = null;

export async function beforePack(context) {
  const { packager, electronPlatformName } = context;
  const appDir = packager.info.appDir;
  const electronVersion = packager.info.framework.version;
  if (skipRebuild()) {
    log(`LAYERLAB_SKIP_NATIVE_REBUILD=1: ${REBUILT_MODULES.join(', ')} not rebuilt for Electron ${electronVersion}`);
    return;
  }
  const arch = ARCH_NAMES[context.arch] ?? String(context.arch);
  const platform = electronPlatformName === 'mas' ? 'darwin' : electronPlatformName;
  for (const name of REBUILT_MODULES) {
    const { build, saved } = paths(appDir, name);
    // A saved build left by an interrupted run is the project's own: keep it, the current one is a rebuild.
    if (fs.existsSync(build) && !fs.existsSync(saved)) {
      fs.mkdirSync(path.dirname(saved), { recursive: true });
      fs.cpSync(build, saved, { recursive: true, verbatimSymlinks: true });
    }
  }
  if (!restoreOnExit) {
    restoreOnExit = () => restore(appDir);
    process.once('exit', restoreOnExit);
  }
  log(`rebuilding ${REBUILT_MODULES.join(', ')} for Electron ${electronVersion} (${platform}-${arch})`);
  // electron-builder's own @electron/rebuild (it asks projects not to depend on a second copy)
  const fromBuilder = createRequire(createRequire(import.meta.url).resolve('app-builder-lib/package.json'));
  const { rebuild } = await import(pathToFileURL(fromBuilder.resolve('@electron/rebuild')).href);
  // npm's `nodedir` (set on offline machines that keep Node's headers locally; npx passes it on as
  // npm_config_nodedir) would make node-gyp build against the system Node's headers instead of Electron's.
  const nodedir = Object.keys(process.env).filter((k) => k.toLowerCase() === 'npm_config_nodedir');
  const saved = Object.fromEntries(nodedir.map((k) => [k, process.env[k]]));
  for (const k of nodedir) delete process.env[k];
  try {
    await rebuild({
      buildPath: appDir,
      electronVersion,
      arch,
      platform,
      onlyModules: REBUILT_MODULES,
      force: true,
      buildFromSource: packager.config.buildDependenciesFromSource === true,
      mode: 'sequential',
    });
  } finally {
    Object.assign(process.env, saved);
  }
}

export async function afterPack(context) {
  const { packager, appOutDir, electronPlatformName } = context;
  restore(packager.info.appDir);
  const arch = ARCH_NAMES[context.arch];
  const platform = electronPlatformName === 'mas' ? 'darwin' : electronPlatformName;
  if (platform !== process.platform || arch !== process.arch) {
    log(`not checking the packaged addons: a ${platform}-${arch} Electron does not run here`);
    return;
  }
  const report = nativeAbiReport(appOutDir);
  if (report.matches === true) {
    log(
      `better-sqlite3 is built for ABI ${report.addon}, Electron ${report.electron.electron}'s: the engine runs in the utility process`,
    );
  } else if (report.matches === false) {
    const message = `the packaged better-sqlite3 is built for ABI ${report.addon} but Electron ${report.electron.electron} needs ${report.electron.abi}`;
    if (!skipRebuild()) throw new Error(`${message}: the native rebuild did not take effect`);
    log(`${message} (rebuild skipped): the utility process cannot load it, so the engine needs a system Node`);
  } else {
    log(`could not compare the packaged better-sqlite3 with the packaged Electron (${report.file})`);
  }
}
