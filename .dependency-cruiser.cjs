// dependency-cruiser: no import cycles anywhere (`npm run lint`). Type-only imports count: a cycle of types is still
// a cycle between modules. The layer rules are ESLint's (eslint.config.js), which also sees the type imports of
// .svelte files; dependency-cruiser sees a .svelte file's value imports only (it reads the compiled component).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules must not import each other, directly or through others.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|out|dist|\\.native)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.mjs', '.js', '.svelte', '.json'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
