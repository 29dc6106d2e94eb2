// Where the run database lives by default: the platform's per-user data folder. The rule is shared with the
// desktop app (electron/shared/paths.ts), so the CLI and the app open the same file.
import os from 'node:os';
import { databasePath } from '#shared/paths.ts';

export function defaultDatabasePath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  return databasePath(env, platform, home);
}
