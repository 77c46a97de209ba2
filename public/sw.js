// Plan My Today's service worker: precaches the app shell of one release build and serves
// it, so the app opens instantly and offline. Hand-written to match Workbox's
// `injectManifest` + `precacheAndRoute` + `NavigationRoute` + `cleanupOutdatedCaches`
// point for point, with nothing else in it:
//
// - The build (scripts/trunk-post-build.mjs → scripts/precache.mjs) replaces
//   the manifest placeholder below (Workbox's name for it) with the list of every file of the shell and a content
//   revision for each ({url, revision}), exactly where Workbox's injectManifest would.
// - install: fetches every entry that no older cache already holds at the same revision
//   (bypassing the HTTP cache), checks each answer is a 200 whose bytes hash to the
//   revision, and stores it under `url?__WB_REVISION__=<revision>` in one cache per
//   build. Any failure fails the install: a half shell never goes live.
// - It does not take over by itself: a new build waits until the page asks
//   (`{type: 'SKIP_WAITING'}` after the user clicks "Reload to update").
// - activate: deletes every other cache of this origin (old builds' shells; the app
//   keeps nothing else in Cache Storage), then controls the open pages.
// - fetch: only GETs on this origin without an Authorization header; never /api/*, the
//   authorization server (/as/*), the simulators (/sim/*), MCP or the sign-in callback,
//   which always go to the network untouched (in Chromium they skip the worker altogether
//   through static routes). A precached URL is answered from the
//   cache; any other navigation with the cached index.html (the app routes itself).
//   Nothing is ever cached at run time.
// - message `{type: 'PURGE'}` (sign-out): keeps only this build's shell entries.

const MANIFEST = self.__WB_MANIFEST;

const CACHE_PREFIX = 'pmt-shell-';
const REVISION_PARAM = '__WB_REVISION__';
const SHELL_URL = '/index.html';

/** Paths the worker never answers, caches or looks at (prefix match). */
const NETWORK_ONLY = ['/api/', '/as/', '/sim/', '/mcp', '/callback', '/.well-known/'];

function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** One cache per build, named after its manifest. */
const CACHE_NAME = CACHE_PREFIX + fnv1a(JSON.stringify(MANIFEST));

/** pathname → cache key (absolute URL with the revision). */
const KEYS = new Map(
  MANIFEST.map(({ url, revision }) => {
    const key = new URL(url, self.location.origin);
    if (revision) key.searchParams.set(REVISION_PARAM, revision);
    return [new URL(url, self.location.origin).pathname, key.href];
  }),
);

function networkOnly(pathname) {
  return NETWORK_ONLY.some((p) => pathname === p.replace(/\/$/, '') || pathname.startsWith(p));
}

async function sha256Hex(buffer) {
  const digest = await crypto.subtle.digest('SHA-256', buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Fetches one entry and checks it is the build's file (status, no redirect, content hash). */
async function fetchEntry({ url, revision }) {
  const response = await fetch(new Request(url, { cache: 'reload', credentials: 'same-origin', redirect: 'error' }));
  if (!response.ok || response.status !== 200) {
    throw new Error(`precache: ${url} answered ${response.status}`);
  }
  const body = await response.clone().arrayBuffer();
  if (revision && !(await sha256Hex(body)).startsWith(revision)) {
    throw new Error(`precache: ${url} is not the file of this build (revision ${revision})`);
  }
  return response;
}

/**
 * Chromium's static routing (ServiceWorker Static Routing API): the network-only paths skip
 * the worker entirely (no fetch event, no worker start-up on the API's critical path). The
 * fetch handler below gives the same answer where the browser has no such router.
 */
function addNetworkRoutes(event) {
  if (typeof event.addRoutes !== 'function' || typeof URLPattern !== 'function') return;
  const rules = NETWORK_ONLY.flatMap((p) => (p.endsWith('/') ? [`${p}*`] : [p, `${p}/*`]))
    .map((pathname) => ({ condition: { urlPattern: new URLPattern({ pathname }) }, source: 'network' }));
  event.waitUntil(Promise.resolve(event.addRoutes(rules)).catch(() => {}));
}

self.addEventListener('install', (event) => {
  try {
    addNetworkRoutes(event);
  } catch {
    // An older router shape: the fetch handler covers these paths anyway.
  }
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE_NAME);
    await Promise.all(MANIFEST.map(async (entry) => {
      const key = KEYS.get(new URL(entry.url, self.location.origin).pathname);
      if (await cache.match(key)) return;
      // Unchanged since an older build: copy it instead of downloading it again.
      const old = await caches.match(key);
      await cache.put(key, old ?? (await fetchEntry(entry)));
    }));
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE_NAME) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  const type = event.data && event.data.type;
  if (type === 'SKIP_WAITING') {
    self.skipWaiting();
  } else if (type === 'PURGE') {
    event.waitUntil((async () => {
      const wanted = new Set(KEYS.values());
      for (const name of await caches.keys()) {
        if (name !== CACHE_NAME && name.startsWith(CACHE_PREFIX)) continue; // a waiting build's shell
        if (name !== CACHE_NAME) {
          await caches.delete(name);
          continue;
        }
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
          if (!wanted.has(request.url)) await cache.delete(request);
        }
      }
      if (event.ports && event.ports[0]) event.ports[0].postMessage({ type: 'PURGED' });
    })());
  } else if (type === 'GET_VERSION') {
    if (event.ports && event.ports[0]) event.ports[0].postMessage({ type: 'VERSION', cache: CACHE_NAME });
  }
});

async function fromCache(key, request) {
  const cache = await caches.open(CACHE_NAME);
  const hit = await cache.match(key);
  return hit ?? fetch(request);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || request.headers.has('authorization')) return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || networkOnly(url.pathname)) return;

  // Like Workbox's precache route: an exact precached path (`/` is index.html), the query
  // ignored only when it is empty; registered first, so it also answers navigations to a
  // precached file.
  const pathname = url.pathname === '/' ? SHELL_URL : url.pathname;
  const key = url.search === '' ? KEYS.get(pathname) : undefined;
  if (key) {
    event.respondWith(fromCache(key, request));
    return;
  }
  // Like Workbox's NavigationRoute bound to index.html: any other page of the app.
  const shell = KEYS.get(SHELL_URL);
  if (request.mode === 'navigate' && shell) event.respondWith(fromCache(shell, request));
});
