// App-wide hardening: no navigation away from the app, no new windows, no webviews, no permissions,
// no remote requests (the CSP in index.html says the same; this is the second lock).
import { app, session, type Session } from 'electron';
import { devServerUrl, isAppUrl } from './paths.ts';

export function hardenSession(ses: Session = session.defaultSession): void {
  ses.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);

  const dev = devServerUrl();
  const devOrigin = dev ? new URL(dev).origin : null;
  ses.webRequest.onBeforeRequest(
    { urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*'] },
    (details, callback) => {
      let allowed = false;
      if (devOrigin) {
        try {
          const url = new URL(details.url);
          // the dev server (http) and its hot-reload socket (ws) share the host and port
          allowed = url.host === new URL(devOrigin).host;
        } catch {
          allowed = false;
        }
      }
      if (!allowed) console.warn(`layerlab: blocked a request to ${details.url}`);
      callback({ cancel: !allowed });
    },
  );
}

/** Applies to every webContents the app ever creates (windows, devtools excluded by their own URL scheme). */
export function installNavigationGuards(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) {
        event.preventDefault();
        console.warn(`layerlab: blocked navigation to ${url}`);
      }
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.setWindowOpenHandler(({ url }) => {
      console.warn(`layerlab: blocked a new window for ${url}`);
      return { action: 'deny' };
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}
