// The app's DOM and storage contract, as the browser tests see it.
//
//   #sign-in        sign-in button ("Sign in"; "Sign in again" after an auth failure)
//   #identity       the signed-in user's name or sub
//   #sign-out       sign-out button
//   #auth-error     role=alert, plain words, after a failed sign-in
//   #consent-allow / #consent-deny   the demo authorization server's consent page
//   sessionStorage: pmt.session ({token, expires_at, user}), pmt.pkce, pmt.return_to
import assert from 'node:assert/strict';
import path from 'node:path';

import { artifactsDir } from './ports.mjs';
import { persistentStores, webStorage } from './chromium.mjs';

export const SEL = {
  signIn: '#sign-in',
  signOut: '#sign-out',
  identity: '#identity',
  authError: '#auth-error',
  consentAllow: '#consent-allow',
  consentDeny: '#consent-deny',
};

export const KEYS = { session: 'pmt.session', pkce: 'pmt.pkce', returnTo: 'pmt.return_to' };

export const APP_TIMEOUT = 45_000;

/** Waits until `selector` is visible and its text matches `re`; returns the text. */
export async function waitForText(page, selector, re, timeout = APP_TIMEOUT) {
  const loc = page.locator(selector);
  await loc.first().waitFor({ state: 'visible', timeout });
  const end = Date.now() + timeout;
  let text = '';
  while (Date.now() < end) {
    text = (await loc.first().textContent()) ?? '';
    if (re.test(text)) return text;
    await page.waitForTimeout(100);
  }
  throw new Error(`${selector} text ${JSON.stringify(text)} does not match ${re} on ${page.url()}`);
}

export async function visible(page, selector, timeout = APP_TIMEOUT) {
  await page.locator(selector).first().waitFor({ state: 'visible', timeout });
}

/** Opens the app and waits for it to render either the sign-in button or a signed-in identity. */
export async function openApp(page, base, pathname = '/') {
  await page.goto(new URL(pathname, base).href);
  await page.locator(`${SEL.signIn}, ${SEL.identity}`).first().waitFor({ state: 'visible', timeout: APP_TIMEOUT });
}

export async function sessionOf(page) {
  const { session } = await webStorage(page);
  const raw = session[KEYS.session];
  return raw ? JSON.parse(raw) : null;
}

/** The URL has no authorization-response parameters (polls: the app cleans it after load). */
export async function waitForCleanUrl(page, timeout = 10_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const u = new URL(page.url());
    const leftover = ['code', 'state', 'iss', 'error', 'session_state'].filter((k) => u.searchParams.has(k));
    if (leftover.length === 0 && !u.hash.includes('code=')) return u;
    if (Date.now() > end) assert.fail(`the URL still carries ${leftover.join(', ')}: ${u.pathname}?…`);
    await page.waitForTimeout(100);
  }
}

/** The issuer the app checks `iss` against, from the backend. */
export async function authConfig(base) {
  const res = await fetch(new URL('/api/auth/config', base));
  assert.equal(res.status, 200, `/api/auth/config answered ${res.status}`);
  return res.json();
}

/** The last authorization request the browser made (to read its `state`). */
export function lastAuthorizationRequest(requests, authorizationEndpoint) {
  const hits = requests.filter((r) => r.url.startsWith(authorizationEndpoint) && new URL(r.url).searchParams.has('state'));
  assert.ok(hits.length, `no authorization request to ${authorizationEndpoint} was seen`);
  return new URL(hits.at(-1).url);
}

/** Counts requests to a path on `base` (e.g. /api/session) from index `from` of the list. */
export function requestsTo(requests, base, pathname, from = 0) {
  return requests.slice(from).filter((r) => {
    const u = new URL(r.url);
    return u.origin === new URL(base).origin && u.pathname === pathname;
  });
}

export async function screenshot(page, name) {
  const file = path.join(artifactsDir(), `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The auth error is an alert in plain words, with a way to sign in again. */
export async function assertAuthError(page, re = /\S/) {
  const text = await waitForText(page, SEL.authError, re);
  const role = await page.locator(SEL.authError).first().getAttribute('role');
  assert.equal(role, 'alert', '#auth-error must have role=alert');
  assert.doesNotMatch(text, /[{}]|invalid_|Error\(|panicked|undefined/, `#auth-error should be plain words: ${text}`);
  await waitForText(page, SEL.signIn, /sign in again/i);
  return text;
}

/** Asserts `token` appears nowhere but `sessionStorage['pmt.session']`. */
export async function assertTokenOnlyInSessionStorage(h, page, token) {
  const { session, local } = await webStorage(page);
  for (const [k, v] of Object.entries(session)) {
    if (k !== KEYS.session) assert.ok(!k.includes(token) && !v.includes(token), `token found in sessionStorage[${k}]`);
  }
  for (const [k, v] of Object.entries(local)) {
    assert.ok(!k.includes(token) && !v.includes(token), `token found in localStorage[${k}]`);
  }
  const cookies = await h.context.cookies();
  for (const c of cookies) {
    assert.ok(!c.value.includes(token) && !c.name.includes(token), `token found in cookie ${c.name} (${c.domain})`);
  }
  const stores = await persistentStores(page);
  for (const db of stores.indexedDB) {
    for (const [store, text] of Object.entries(db.stores)) {
      assert.ok(!text.includes(token), `token found in IndexedDB ${db.name}/${store}`);
    }
  }
  for (const entry of stores.caches) {
    assert.ok(!entry.url.includes(token) && !entry.body.includes(token), `token found in Cache Storage ${entry.cache}: ${entry.url}`);
    const p = new URL(entry.url).pathname;
    assert.ok(!p.startsWith('/api/session') && !p.startsWith('/api/me'), `an auth response is cached: ${entry.url}`);
  }
  for (const u of h.navigations) assert.ok(!u.includes(token), 'token found in a navigated URL');
  for (const r of h.requests) assert.ok(!r.url.includes(token), `token found in a request URL (${r.method})`);
  // Also not in an encoded form (e.g. a query parameter).
  const enc = encodeURIComponent(token);
  for (const r of h.requests) assert.ok(!r.url.includes(enc), 'token found (URL-encoded) in a request URL');
}

/** Asserts no pmt.* key is left in either web storage. */
export async function assertNoAppStorage(page) {
  const { session, local } = await webStorage(page);
  const left = [
    ...Object.keys(session).filter((k) => k.startsWith('pmt.')).map((k) => `sessionStorage[${k}]`),
    ...Object.keys(local).filter((k) => k.startsWith('pmt.')).map((k) => `localStorage[${k}]`),
  ];
  assert.deepEqual(left, [], `app storage left after sign-out: ${left.join(', ')}`);
}

export function decodeJwtPart(jwt, i) {
  return JSON.parse(Buffer.from(jwt.split('.')[i], 'base64url').toString());
}

/** Security headers every HTML response of the app must carry. */
export function assertSecurityHeaders(res, what) {
  const csp = res.headers.get('content-security-policy');
  assert.ok(csp, `${what}: no Content-Security-Policy`);
  const directives = Object.fromEntries(
    csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
      const [name, ...values] = d.split(/\s+/);
      return [name.toLowerCase(), values];
    }),
  );
  const scriptSrc = directives['script-src'] ?? directives['default-src'] ?? [];
  assert.ok(scriptSrc.includes("'wasm-unsafe-eval'"), `${what}: script-src lacks 'wasm-unsafe-eval': ${csp}`);
  assert.ok(!csp.includes("'unsafe-inline'"), `${what}: CSP allows 'unsafe-inline': ${csp}`);
  assert.ok(!scriptSrc.includes("'unsafe-eval'"), `${what}: script-src allows 'unsafe-eval': ${csp}`);
  assert.deepEqual(directives['frame-ancestors'], ["'none'"], `${what}: frame-ancestors: ${csp}`);
  assert.deepEqual(directives['object-src'], ["'none'"], `${what}: object-src: ${csp}`);
  assert.deepEqual(directives['base-uri'], ["'none'"], `${what}: base-uri: ${csp}`);
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer', `${what}: Referrer-Policy`);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
}
