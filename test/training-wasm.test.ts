import { trainingSuite } from './helpers/training-suite.ts';

trainingSuite('wasm', null);
