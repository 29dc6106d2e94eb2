#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so `npx layerlab` needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('#engine/cli/main.ts');
await main();
