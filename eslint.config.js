// ESLint, flat config. For now: the layer rules (below), the recommended sets, and Svelte's. `npm run lint` runs
// this, then dependency-cruiser for import cycles (.dependency-cruiser.cjs).
//
// The layers, each importing only what is below it:
//   renderer/src      → electron/shared
//   electron/main     → electron/shared
//   electron/preload  → electron/shared
//   electron/engine   → electron/shared
//   electron/shared   → nothing of the project's (pure TypeScript)
// Across layers, imports use the package.json "imports" aliases (#shared/…, #engine/…, #main/…, #renderer/…);
// relative paths stay inside a layer. test/, bench/, scripts/, e2e/ and bin/ may import any layer, by alias.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import svelte from 'eslint-plugin-svelte';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const LAYERS = ['./electron/shared', './electron/engine', './electron/main', './electron/preload', './renderer'];
/** What each layer may import besides itself and packages. */
const ALLOWED = {
  './electron/shared': [],
  './electron/engine': ['./electron/shared'],
  './electron/main': ['./electron/shared'],
  './electron/preload': ['./electron/shared'],
  './renderer': ['./electron/shared'],
};
const layerZones = Object.entries(ALLOWED).flatMap(([target, allowed]) =>
  LAYERS.filter((from) => from !== target && !allowed.includes(from)).map((from) => ({
    target,
    from,
    message: `${target.slice(2)} may import only ${allowed.map((a) => a.slice(2)).join(', ') || 'packages'} (see eslint.config.js)`,
  })),
);

const crossLayerRelative = (folders) => ({
  regex: `^(\\.\\./)+(${folders})/`,
  message: 'Import another layer through its alias (#shared/…, #engine/…, #main/…, #renderer/…), not a relative path.',
});
const tooDeep = {
  regex: '^(\\.\\./){3,}',
  message: 'No ../../../: import through an alias (#shared/…, #engine/…, #renderer/…).',
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', '.native/**', 'test-results/**', 'e2e/.screenshots/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  // Formatting is Prettier's (npm run format); ESLint keeps to correctness and the layers.
  prettier,
  ...svelte.configs['flat/prettier'],
  {
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Recommended rules the existing code does not meet yet; the broader-lint slice takes them up.
      '@typescript-eslint/no-unused-expressions': 'off',
      'svelte/no-useless-mustaches': 'off',
      'svelte/prefer-svelte-reactivity': 'off',
      'svelte/prefer-writable-derived': 'off',
      'svelte/require-each-key': 'off',
    },
  },
  {
    // Playwright fixtures that use no other fixture take `{}`.
    files: ['e2e/**'],
    rules: { 'no-empty-pattern': 'off' },
  },
  // The layer rules.
  {
    files: ['**/*.{ts,mts,js,mjs,svelte}'],
    plugins: { 'import-x': importX },
    settings: {
      // Node's resolution, so the package.json "imports" aliases resolve as they do at run time.
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.svelte', '.json'] })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
    },
  },
  {
    files: ['electron/**', 'renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [crossLayerRelative('electron|renderer|shared|engine|main|preload'), tooDeep] },
      ],
    },
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**', 'e2e/**', 'bin/**', '*.{js,ts}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [crossLayerRelative('electron|renderer'), tooDeep] }],
    },
  },
);
