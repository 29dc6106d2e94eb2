// Screenshots of the dev bridge in headless Chromium: node scripts/screenshot.mjs URL OUT.png [screen] [dark]
import { chromium } from '@playwright/test';

const [url = 'http://127.0.0.1:5199/', out = '/tmp/shot.png', screen, dark] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
  ],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: dark ? 'dark' : 'light' });
page.on('console', (m) => m.type() === 'error' && console.error('console:', m.text()));
page.on('pageerror', (e) => console.error('pageerror:', e.message));
await page.goto(url);
if (screen) await page.click(`[data-screen="${screen}"]`);
await page.waitForTimeout(1500);
await page.screenshot({ path: out });
await browser.close();
console.log(out);
