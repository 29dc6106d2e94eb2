// Types for scripts/verify-package.mjs (used by e2e/packaged-app.spec.ts and test/packaging.test.ts).
export interface AppLocation {
  resources: string;
  executable: string | null;
  kind: 'asar' | 'dir' | null;
  asar: string;
  unpacked: string;
  plain: string;
}
export interface AppFile {
  size: number;
  unpacked: boolean;
  link: string | null;
}
export interface NativeAbiReport {
  file: string;
  addon: number | null;
  electron: { abi: number; electron: string; node: string } | null;
  matches: boolean | null;
}
export function locateApp(appDir: string): AppLocation;
export function listAppFiles(app: AppLocation): Promise<Map<string, AppFile>>;
export function addonAbi(file: string): number | null;
export function electronAbi(executable: string | null): NativeAbiReport['electron'];
export function nativeAbiReport(appDir: string): NativeAbiReport;
export function verifyPackage(appDir: string): Promise<{
  ok: boolean;
  failures: string[];
  notes: string[];
  files: Map<string, AppFile>;
  summary?: Record<string, unknown>;
}>;
