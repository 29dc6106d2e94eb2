// Public surface of the model-spec module.
export * from './spec.ts';
export * from './templates.ts';
export { buildModel, type BuildOptions } from './build.ts';
export { formatShape, windowOutputLength } from './shapes.ts';
