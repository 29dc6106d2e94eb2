// Where Layerlab keeps its run database by default: the platform's per-user data folder. One rule for the desktop
// app (electron/main/index.ts) and the CLI (electron/engine/store/paths.ts), so both open the same file.
// Pure: the environment, platform and home folder come in as arguments, and paths are joined by the rules of the
// platform asked about (a test on Linux can ask for Windows' answer), with no Node or Electron API.
//
//   LAYERLAB_DB set   that file, as given (a relative path is taken from the working folder)
//   Linux and others  $XDG_DATA_HOME/layerlab/layerlab.db, or ~/.local/share/layerlab/layerlab.db
//   macOS             ~/Library/Application Support/Layerlab/layerlab.db
//   Windows           %APPDATA%\Layerlab\layerlab.db, or ~\AppData\Roaming\Layerlab\layerlab.db
//
// Checkpoints go to runs/ in the database's folder.

/** The environment variables the rule reads (process.env fits). */
export type PathEnv = Readonly<Record<string, string | undefined>>;

export const DATABASE_FILE_NAME = 'layerlab.db';

/** Joins path parts with the platform's separator, without doubled or trailing separators. */
function join(platform: string, first: string, ...rest: string[]): string {
  const windows = platform === 'win32';
  const sep = windows ? '\\' : '/';
  // Windows takes either slash; a UNC path's leading \\ is kept.
  const parts = [first, ...rest].map((p) => (windows ? p.replace(/\//g, '\\') : p));
  const joined = parts.filter((p) => p !== '').join(sep);
  const lead = windows && joined.startsWith('\\\\') ? '\\' : '';
  const collapsed = lead + joined.replace(windows ? /\\{2,}/g : /\/{2,}/g, sep);
  // No trailing separator, except for a root ("/", "C:\").
  const trimmed = collapsed.replace(windows ? /\\+$/ : /\/+$/, '');
  return trimmed === '' || (windows && /^[A-Za-z]:$/.test(trimmed)) ? trimmed + sep : trimmed;
}

/** XDG says a relative XDG_DATA_HOME is invalid and must be ignored. */
function absoluteXdg(value: string | undefined): string | null {
  return value && value.startsWith('/') ? value : null;
}

/** The folder that holds Layerlab's database by default (LAYERLAB_DB aside). */
export function defaultDataFolder(env: PathEnv, platform: string, home: string): string {
  if (platform === 'darwin') return join(platform, home, 'Library', 'Application Support', 'Layerlab');
  if (platform === 'win32')
    return join(platform, env.APPDATA || join(platform, home, 'AppData', 'Roaming'), 'Layerlab');
  return join(platform, absoluteXdg(env.XDG_DATA_HOME) ?? join(platform, home, '.local', 'share'), 'layerlab');
}

/** The run database the app and the CLI open when not told otherwise (`--db` is the CLI's own override). */
export function databasePath(env: PathEnv, platform: string, home: string): string {
  if (env.LAYERLAB_DB) return env.LAYERLAB_DB;
  return join(platform, defaultDataFolder(env, platform, home), DATABASE_FILE_NAME);
}
