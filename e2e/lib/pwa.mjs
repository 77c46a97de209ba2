// The installable app as the browser tests and the PWA benchmark see it.
//
//   /manifest.webmanifest   the web app manifest (application/manifest+json)
//   /sw.js                  the service worker, scope /, its precache manifest injected by the
//                           build (scripts/pwa-build.mjs); caches named pmt-shell-<hash>
//   #pwa-update             "Reload to update" (a new version is waiting)
//   #pwa-install            "Install app" (the browser offers installation)
//   #offline-banner         "Offline — as of 09:12" (+ ", from yesterday") over the kept plan
//   localStorage pmt.offline.plan   the kept plan {format, user, saved_at, snapshot}
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { compressDir, injectManifest, manifestOfWorker } from '../../scripts/pwa-build.mjs';
import { APP_TIMEOUT, SEL, openApp, visible, waitForText } from './app.mjs';
import { STATIC_DIR } from './backend.mjs';
import { tempDir, waitFor } from './ports.mjs';

export const PWA = {
  update: '#pwa-update',
  install: '#pwa-install',
  offlineBanner: '#offline-banner',
  card: '[data-task-id]',
  refresh: '#refresh',
  adhocAdd: '#adhoc-add',
};

export const PLAN_KEY = 'pmt.offline.plan';
export const SHELL_PREFIX = 'pmt-shell-';
export const REVISION_PARAM = '__WB_REVISION__';

/** The precache manifest injected into `dir/sw.js`. */
export function shellManifest(dir = STATIC_DIR) {
  return manifestOfWorker(fs.readFileSync(path.join(dir, 'sw.js'), 'utf8'));
}

/** The cache keys (absolute URLs) the worker stores the shell under. */
export function shellKeys(manifest, base) {
  return manifest.map(({ url, revision }) => {
    const u = new URL(url, base);
    if (revision) u.searchParams.set(REVISION_PARAM, revision);
    return u.href;
  });
}

/** A private copy of the built PWA, for a backend whose files a test changes. */
export function copyDist(from = STATIC_DIR) {
  const dir = tempDir('dist');
  fs.cpSync(from, dir, { recursive: true });
  return dir;
}

/**
 * Turns a copy of the build into "the next release": a visible change to index.html, the
 * precache manifest generated again and injected into sw.js (new revisions, so the worker's
 * bytes change), the compressed copies remade: what `trunk build --release` does.
 */
export function makeNextBuild(dir, marker = 'next') {
  const index = path.join(dir, 'index.html');
  const html = fs.readFileSync(index, 'utf8');
  fs.writeFileSync(index, html.replace('<head>', `<head>\n    <meta name="pmt-build" content="${marker}" />`));
  const manifest = injectManifest(dir);
  compressDir(dir);
  return manifest;
}

/** Signs in through the demo authorization server's consent page. */
export async function signInDemo(page, base, pathname = '/') {
  await openApp(page, base, pathname);
  if (!(await page.locator(SEL.identity).count())) {
    await page.click(SEL.signIn);
    await visible(page, SEL.consentAllow);
    await page.click(SEL.consentAllow);
  }
  await waitForText(page, SEL.identity, /Dana Demo/);
}

/** Waits until the dashboard shows task cards; returns how many. */
export async function waitForCards(page, timeout = APP_TIMEOUT) {
  await page.locator(PWA.card).first().waitFor({ state: 'visible', timeout });
  return page.locator(PWA.card).count();
}

/** Waits until a service worker is active and controls the page; returns its script URL. */
export async function waitForController(page, timeout = 30_000) {
  return waitFor(
    () => page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      return navigator.serviceWorker.controller && reg?.active?.state === 'activated'
        ? navigator.serviceWorker.controller.scriptURL
        : null;
    }),
    { timeout, message: 'a service worker controlling the page' },
  );
}

/** Cache Storage of the page's origin: `{cacheName: [request URLs]}`. */
export async function cacheContents(page) {
  return page.evaluate(async () => {
    const out = {};
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      out[name] = (await cache.keys()).map((r) => r.url).sort();
    }
    return out;
  });
}

/** Asserts Cache Storage holds exactly one shell cache with exactly `keys` in it. */
export async function assertOnlyShell(page, keys, what = 'Cache Storage') {
  const contents = await cacheContents(page);
  const names = Object.keys(contents);
  assert.equal(names.length, 1, `${what}: one cache expected, found ${JSON.stringify(names)}`);
  assert.ok(names[0].startsWith(SHELL_PREFIX), `${what}: the cache is not a shell cache: ${names[0]}`);
  assert.deepEqual(contents[names[0]], [...keys].sort(), `${what}: the shell cache holds other entries`);
}

/** Every response that came from the service worker, or any Cache Storage entry, under `/api/`. */
export function assertNoApiCached(stores) {
  const api = stores.caches.filter((e) => /^\/(api|as|sim)\//.test(new URL(e.url).pathname));
  assert.deepEqual(api, [], `API or authorization responses in Cache Storage: ${api.map((e) => e.url).join(', ')}`);
}

/** Records, for every response of the context, whether the service worker answered it. */
export function watchResponses(context) {
  const seen = [];
  context.on('response', (res) => {
    let fromSW = false;
    try { fromSW = res.fromServiceWorker(); } catch { /* closed */ }
    seen.push({ url: res.url(), status: res.status(), fromSW, method: res.request().method() });
  });
  return seen;
}
