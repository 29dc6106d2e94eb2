// inspect:model on the WebAssembly backend: its forward pass and its gradients (with Layerlab's own gradient
// kernels) against the cpu backend's.
import { inspectSuite } from './helpers/inspect-suite.ts';

inspectSuite('wasm', null);
