// Types for scripts/electron-builder-hooks.mjs (used by test/packaging.test.ts).
export const REBUILT_MODULES: string[];
export function beforePack(context: unknown): Promise<void>;
export function afterPack(context: unknown): Promise<void>;
