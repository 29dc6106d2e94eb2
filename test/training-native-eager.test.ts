import { nativeUnavailable, trainingSuite } from './helpers/training-suite.ts';

// The native backend's eager loop (--trainer eager), kept for comparison and as the fallback.
trainingSuite('native', nativeUnavailable(), 'eager');
