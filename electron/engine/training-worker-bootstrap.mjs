// Starts the training worker from TypeScript source (tests and `tsx` runs): Node 20 cannot give a Worker
// `--import tsx` for a .ts entry (ERR_UNKNOWN_FILE_EXTENSION), so register tsx here, then load the entry.
// The built app uses out/main/training-worker.cjs instead.
import { register } from 'tsx/esm/api';

register();
await import('./training-worker.ts');
