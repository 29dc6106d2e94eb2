// inspect:model on the native TensorFlow backend, where it is built (CI requires it: LAYERLAB_REQUIRE_NATIVE=1).
import { inspectSuite } from './helpers/inspect-suite.ts';
import { nativeUnavailable } from './helpers/training-suite.ts';

inspectSuite('native', nativeUnavailable());
