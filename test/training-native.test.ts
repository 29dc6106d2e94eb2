import { nativeUnavailable, trainingSuite } from './helpers/training-suite.ts';

trainingSuite('native', nativeUnavailable());
