// electron-builder: `npm run dist` packages the built app (out/, from `npm run build`) for the current platform:
// Linux AppImage and .deb, macOS dmg, Windows NSIS installer. `npm run dist:dir` stops at the unpacked app.
//
// Native modules. better-sqlite3 is built against one Node ABI, so the packaged copy must be built for the packaged
// Electron's: the beforePack hook (scripts/electron-builder-hooks.mjs) rebuilds it, and only it, with
// @electron/rebuild (a prebuilt binary for that Electron, else from source with Electron's headers; both are
// downloads), and afterPack puts the project's own build back and checks the packaged one against the packaged
// Electron. npmRebuild is off because electron-builder's own rebuild would rebuild every native module, and for
// tfjs-node that means node-pre-gyp re-downloading the stock addon over the one scripts/build-native-tf.mjs built
// against the local TensorFlow. tfjs-node needs no rebuild: it is a Node-API addon (ABI-stable).
// With the addons built for Electron the engine runs in Electron's utility process and needs no system Node.
//
// Run time. The engine (out/main/engine.cjs) and its training worker (out/main/training-worker.cjs) run from inside
// app.asar: Electron's utility process and its worker threads read the archive. Only what the operating system
// loads itself must be real files, so these are unpacked to app.asar.unpacked: every .node addon, and tfjs-node's
// libtensorflow libraries, which its addon finds through RUNPATH $ORIGIN/../../deps/lib.
//
// scripts/package-local.sh packages with a local Electron runtime and no rebuild, where Electron cannot be
// downloaded (it passes electronDist, electronVersion and LAYERLAB_SKIP_NATIVE_REBUILD=1).
/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'org.layerlab.app',
  productName: 'Layerlab',
  copyright: 'Copyright © Layerlab contributors',
  directories: { output: 'dist' },
  // Production node_modules (package.json dependencies and optionalDependencies) are added by electron-builder;
  // the "!" patterns below also apply to them.
  files: [
    'out/**/*',
    'resources/icon.png',
    'package.json',
    '!**/*.map',
    // tfjs-node(-gpu): TensorFlow's C headers, the addon's build folder and C/TypeScript sources (run time needs
    // dist/, lib/ and deps/lib/)
    '!**/node_modules/@tensorflow/tfjs-node{,-gpu}/{deps/include,build-tmp-napi-v*,binding,src}{,/**/*}',
    // better-sqlite3: the SQLite sources and the test extension (run time needs build/Release/better_sqlite3.node)
    '!**/node_modules/better-sqlite3/{deps,src}{,/**/*}',
    '!**/node_modules/better-sqlite3/build/{deps,Release/obj,Release/obj.target,Release/test_extension.node}{,/**/*}',
    // tsx and esbuild run the command line's TypeScript (bin/layerlab.mjs); the app runs the built bundles
    '!**/node_modules/{tsx,esbuild,@esbuild}{,/**/*}',
  ],
  asar: true,
  asarUnpack: [
    '**/*.node',
    'node_modules/better-sqlite3/build/Release/**',
    'node_modules/@tensorflow/tfjs-node/lib/**',
    'node_modules/@tensorflow/tfjs-node/deps/**',
    'node_modules/@tensorflow/tfjs-node-gpu/lib/**',
    'node_modules/@tensorflow/tfjs-node-gpu/deps/**',
  ],
  npmRebuild: false,
  buildDependenciesFromSource: false,
  beforePack: './scripts/electron-builder-hooks.mjs',
  afterPack: './scripts/electron-builder-hooks.mjs',
  linux: {
    target: ['AppImage', 'deb'],
    // the .desktop file's Categories (freedesktop main categories)
    category: 'Science;Education',
    icon: 'resources/icon.png',
    executableName: 'layerlab',
    maintainer: 'Layerlab maintainers <maintainers@users.noreply.r-seed-10ed789a.example>',
    vendor: 'Layerlab',
    synopsis: 'Design, train and compare convolutional networks on MNIST',
  },
  deb: { packageCategory: 'science' },
  mac: {
    target: ['dmg'],
    category: 'public.app-category.education',
    icon: 'resources/icon.png',
  },
  win: {
    target: ['nsis'],
    icon: 'resources/icon.png',
  },
  nsis: { oneClick: false, allowToChangeInstallationDirectory: true },
};
