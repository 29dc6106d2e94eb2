// Where the run database lives by default: the platform's per-user data folder.
import os from 'node:os';
import path from 'node:path';

export function defaultDatabasePath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  if (env.LAYERLAB_DB) return env.LAYERLAB_DB;
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Layerlab', 'layerlab.db');
  if (platform === 'win32') {
    const appData = env.APPDATA || path.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, 'Layerlab', 'layerlab.db');
  }
  // XDG says a relative XDG_DATA_HOME is invalid and must be ignored.
  const dataHome =
    env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(home, '.local', 'share');
  return path.join(dataHome, 'layerlab', 'layerlab.db');
}
