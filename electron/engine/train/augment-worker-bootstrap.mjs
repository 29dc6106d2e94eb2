// Starts the augmentation worker from TypeScript source (tests, tsx, the command line), as
// electron/engine/training-worker-bootstrap.mjs does for the training worker: a Worker cannot be given
// `--import tsx` for a .ts entry, so register tsx here, then load the entry. The built app uses
// out/main/augment-worker.cjs instead.
import { register } from 'tsx/esm/api';

register();
await import('./augment-worker.ts');
