// Public surface of the model-spec module: the vocabulary, defaults and validation (spec.ts, fields.ts),
// shape/parameter/FLOP inference (infer.ts), the training-memory estimate and check (memory.ts), its text
// (format.ts) and the templates. Pure: the engine builds tfjs models from it (electron/engine/model/build.ts),
// the app's Design screen runs it as it is.
export * from './spec.ts';
export * from './templates.ts';
export { MAX_FILTERS, MAX_UNITS, MAX_WINDOW, MIN_BATCH_NORM_EPSILON, withDefaults } from './fields.ts';
export { formatShape } from './format.ts';
export { inferShapes, windowOutputLength, type ShapeInference } from './infer.ts';
export * from './memory.ts';
