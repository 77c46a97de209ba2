// Debian Chromium, headless, through playwright-core (no downloaded browsers).
//
// `launchChromium()` uses `chromium.launchPersistentContext` with a fresh temporary profile:
// it behaves like a normal (non-incognito) profile, which installability checks need, and
// still gives a BrowserContext for pages, cookies, storage and routing.
//
// Every page of the context is watched for Content-Security-Policy violations:
// - console messages that mention "Content Security Policy";
// - a `securitypolicyviolation` listener injected with `context.addInitScript` that records
//   into `window.__cspViolations` and reports to node at once (so navigations lose nothing).
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

import { removeDir, tempDir } from './ports.mjs';

export const CHROMIUM_PATH = process.env.PMT_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // The machine has no internet: fail every non-loopback host name at once instead of
  // waiting on DNS (e.g. the web font that oidc-provider's dev pages import).
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
];

const CSP_INIT_SCRIPT = `(() => {
  if (window.__cspViolations) return;
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    const v = {
      documentURI: e.documentURI,
      blockedURI: e.blockedURI,
      violatedDirective: e.violatedDirective,
      effectiveDirective: e.effectiveDirective,
      sourceFile: e.sourceFile,
      lineNumber: e.lineNumber,
      sample: e.sample,
      disposition: e.disposition,
    };
    window.__cspViolations.push(v);
    try { if (typeof window.__pmtReportCsp === 'function') window.__pmtReportCsp(v); } catch (_) {}
  }, true);
})();`;

/**
 * Launches Chromium with a fresh profile.
 * @returns {Promise<{context, page, cspViolations: object[], consoleErrors: object[], pageErrors: object[],
 *   navigations: string[], requests: {url: string, method: string}[], assertNoCspViolations: Function,
 *   collectCspFromPages: Function, close: Function}>}
 */
export async function launchChromium({ viewport = { width: 1280, height: 900 }, extraArgs = [] } = {}) {
  const userDataDir = tempDir('chromium');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    viewport,
    timeout: 60_000,
  });
  context.setDefaultTimeout(30_000);
  context.setDefaultNavigationTimeout(60_000);

  const cspViolations = [];
  const consoleErrors = [];
  const pageErrors = [];
  const navigations = [];
  const requests = [];

  await context.exposeBinding('__pmtReportCsp', ({ page }, v) => {
    cspViolations.push({ source: 'event', pageUrl: page?.url(), ...v });
  });
  await context.addInitScript({ content: CSP_INIT_SCRIPT });

  const watch = (page) => {
    page.on('console', (msg) => {
      const text = msg.text();
      if (/Content[- ]Security[- ]Policy/i.test(text)) {
        cspViolations.push({ source: 'console', pageUrl: page.url(), text, location: msg.location() });
      }
      if (msg.type() === 'error') consoleErrors.push({ pageUrl: page.url(), text });
    });
    page.on('pageerror', (err) => pageErrors.push({ pageUrl: page.url(), message: err.message }));
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  context.on('request', (req) => requests.push({ url: req.url(), method: req.method() }));

  const page = context.pages()[0] ?? (await context.newPage());

  /** Pulls `window.__cspViolations` from the open pages (in case a report raced a navigation). */
  async function collectCspFromPages() {
    const found = [];
    for (const p of context.pages()) {
      try {
        const vs = await p.evaluate(() => window.__cspViolations ?? []);
        for (const v of vs) found.push({ source: 'window', pageUrl: p.url(), ...v });
      } catch {
        // page closed or navigating
      }
    }
    return found;
  }

  /**
   * Asserts that no CSP violation was seen, optionally only for documents on `origin`.
   */
  async function assertNoCspViolations({ origin } = {}) {
    const seen = new Set();
    const all = [...cspViolations, ...(await collectCspFromPages())].filter((v) => {
      const key = v.source === 'console'
        ? `console|${v.pageUrl}|${v.text}`
        : `event|${v.documentURI}|${v.blockedURI}|${v.effectiveDirective}|${v.lineNumber}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const relevant = origin
      ? all.filter((v) => [v.documentURI, v.pageUrl, v.location?.url].some((u) => u?.startsWith(origin)))
      : all;
    assert.deepEqual(relevant, [], `CSP violations:\n${JSON.stringify(relevant, null, 2)}`);
  }

  async function close() {
    try {
      await context.close();
    } finally {
      removeDir(userDataDir);
    }
  }

  return {
    context,
    page,
    userDataDir,
    cspViolations,
    consoleErrors,
    pageErrors,
    navigations,
    requests,
    collectCspFromPages,
    assertNoCspViolations,
    close,
  };
}

/** sessionStorage / localStorage of a page as plain objects. */
export async function webStorage(page) {
  return page.evaluate(() => {
    const dump = (s) => Object.fromEntries(Array.from({ length: s.length }, (_, i) => s.key(i)).map((k) => [k, s.getItem(k)]));
    return { session: dump(sessionStorage), local: dump(localStorage) };
  });
}

/**
 * Everything in IndexedDB and Cache Storage of the page's origin, as text, for "is the token
 * stored anywhere?" checks. Cache bodies are read only for text-like responses under 2 MB.
 */
export async function persistentStores(page) {
  return page.evaluate(async () => {
    const out = { indexedDB: [], caches: [] };
    const dbs = indexedDB.databases ? await indexedDB.databases() : [];
    for (const info of dbs) {
      const db = await new Promise((res, rej) => {
        const r = indexedDB.open(info.name);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const entry = { name: info.name, stores: {} };
      for (const storeName of Array.from(db.objectStoreNames)) {
        const values = await new Promise((res, rej) => {
          const tx = db.transaction(storeName, 'readonly');
          const store = tx.objectStore(storeName);
          const all = store.getAll();
          const keys = store.getAllKeys();
          tx.oncomplete = () => res({ keys: keys.result, values: all.result });
          tx.onerror = () => rej(tx.error);
        });
        let text;
        try { text = JSON.stringify(values); } catch { text = String(values); }
        entry.stores[storeName] = text;
      }
      db.close();
      out.indexedDB.push(entry);
    }
    if (self.caches) {
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const req of await cache.keys()) {
          const res = await cache.match(req);
          const type = res?.headers.get('content-type') ?? '';
          let body = '';
          if (res && /json|text|javascript|html|xml/.test(type)) {
            const t = await res.clone().text();
            body = t.length < 2_000_000 ? t : '';
          }
          out.caches.push({ cache: name, url: req.url, type, body });
        }
      }
    }
    return out;
  });
}
