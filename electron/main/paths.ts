// Where the built pieces live. Main is bundled to out/main/index.cjs (CommonJS), so __dirname is out/main.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const MAIN_DIR = __dirname;
export const PRELOAD_PATH = path.join(MAIN_DIR, '../preload/index.cjs');
export const RENDERER_INDEX = path.join(MAIN_DIR, '../renderer/index.html');
export const ENGINE_ENTRY = path.join(MAIN_DIR, 'engine.cjs');
export const ICON_PATH = path.join(MAIN_DIR, '../../resources/icon.png');

/** The dev server's URL under `electron-vite dev`; null when running the built renderer. */
export function devServerUrl(): string | null {
  const url = process.env.ELECTRON_RENDERER_URL;
  return url && /^https?:\/\//.test(url) ? url : null;
}

/** What the window loads: the dev server, or the built index.html. */
export function rendererEntry(): { kind: 'url'; url: string } | { kind: 'file'; file: string } {
  const dev = devServerUrl();
  return dev ? { kind: 'url', url: dev } : { kind: 'file', file: RENDERER_INDEX };
}

/** True for the app's own page: the built index.html (any hash/query), or any page of the dev server's origin. */
export function isAppUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  const dev = devServerUrl();
  if (dev) return url.origin === new URL(dev).origin;
  if (url.protocol !== 'file:') return false;
  // (a file: URL's origin is "null", so compare the URL itself without its hash and query)
  url.hash = '';
  url.search = '';
  return url.href === pathToFileURL(RENDERER_INDEX).href;
}
