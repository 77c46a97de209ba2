// Sign-in through the backend's built-in demo authorization server, in headless Chromium.
//
// Needs the backend binary (PMT_BIN, default target/debug/plan-my-today) and the built PWA
// (PMT_DIST, default dist); skipped with a reason when either is missing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { appBuilt, startBackend } from './lib/backend.mjs';
import { launchChromium, webStorage } from './lib/chromium.mjs';
import {
  KEYS, SEL, assertAuthError, assertNoAppStorage, assertSecurityHeaders,
  assertTokenOnlyInSessionStorage, authConfig, decodeJwtPart, lastAuthorizationRequest, openApp,
  requestsTo, screenshot, sessionOf, visible, waitForCleanUrl, waitForText,
} from './lib/app.mjs';

const notBuilt = appBuilt();
const T = { timeout: 180_000 };

describe('sign-in with the demo authorization server', { skip: notBuilt ?? false, timeout: 900_000 }, () => {
  let backend;
  let h; // browser harness
  let page;
  let base;
  let cfg; // /api/auth/config
  let token;
  let callbackUrl; // the genuine authorization response, for the replay test

  before(async () => {
    backend = await startBackend();
    base = backend.url;
    h = await launchChromium();
    page = h.page;
  });

  after(async () => {
    await h?.close();
    await backend?.close();
  });

  test('security headers on / and /callback', T, async () => {
    for (const p of ['/', '/callback', '/callback?code=x&state=y']) {
      const res = await fetch(new URL(p, base));
      assert.match(res.headers.get('content-type') ?? '', /text\/html/, `${p}: the app's HTML`);
      assertSecurityHeaders(res, p);
    }
  });

  test('client-side routes (/callback, deep links) are served as the app with 200, not 404', T, async () => {
    const statuses = {};
    for (const p of ['/', '/callback', '/callback?code=x&state=y', '/some/deep/link']) {
      statuses[p] = (await fetch(new URL(p, base))).status;
    }
    assert.deepEqual(statuses, { '/': 200, '/callback': 200, '/callback?code=x&state=y': 200, '/some/deep/link': 200 });
  });

  test('auth config names the demo issuer and an S256-capable authorization endpoint', T, async () => {
    cfg = await authConfig(base);
    assert.equal(cfg.issuer, `${base}/as`);
    assert.ok(cfg.authorization_endpoint.startsWith(`${base}/as/`), cfg.authorization_endpoint);
    assert.equal(cfg.client_id, 'pmt-tmb');
    assert.equal(cfg.resource, 'urn:pmt:api');
    assert.equal(cfg.iss_parameter_supported, true);
    assert.equal(JSON.stringify(cfg).includes('secret'), false, 'no secret in the public config');
  });

  test('sign in: #sign-in → consent allow → signed in as Dana Demo, URL cleaned', T, async () => {
    await openApp(page, base);
    await waitForText(page, SEL.signIn, /sign in/i);
    const before = h.requests.length;
    await page.click(SEL.signIn);
    await visible(page, SEL.consentAllow);

    // The authorization request: code + S256 + state + resource + exact redirect URI.
    const authz = lastAuthorizationRequest(h.requests.slice(before), cfg.authorization_endpoint);
    const q = authz.searchParams;
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('client_id'), 'pmt-tmb');
    assert.equal(q.get('redirect_uri'), `${base}/callback`);
    assert.equal(q.get('code_challenge_method'), 'S256');
    assert.match(q.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
    assert.ok((q.get('state') ?? '').length >= 22, 'state must carry ≥128 bits');
    assert.equal(q.get('resource'), 'urn:pmt:api');
    const pending = (await webStorage(page)).session[KEYS.pkce];
    assert.ok(pending, 'pmt.pkce must be in sessionStorage while the sign-in is pending');

    // The consent page itself must not be frameable (it is an AS page on our origin).
    const consent = await fetch(page.url());
    assertSecurityHeaders(consent, 'consent page');

    await page.click(SEL.consentAllow);
    await waitForText(page, SEL.identity, /Dana Demo/);
    await visible(page, SEL.signOut);
    const url = await waitForCleanUrl(page);
    assert.ok(!url.pathname.startsWith('/callback'), `landed on ${url.pathname}, expected the app`);

    const cb = h.navigations.find((u) => u.startsWith(`${base}/callback?`) && u.includes('code='));
    assert.ok(cb, 'the authorization response came back to /callback');
    callbackUrl = new URL(cb);
    assert.equal(callbackUrl.searchParams.get('state'), q.get('state'));
    assert.equal(callbackUrl.searchParams.get('iss'), cfg.issuer);
    assert.equal(requestsTo(h.requests, base, '/api/session', before).length, 1, 'exactly one POST /api/session');

    await screenshot(page, 'demo-signed-in');
  });

  test('the session is in sessionStorage only; pmt.pkce is gone', T, async () => {
    const session = await sessionOf(page);
    assert.ok(session, 'pmt.session missing');
    ({ token } = session);
    assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'token is a JWS');
    assert.ok(session.expires_at > Date.now() / 1000, 'expires_at in the future');
    assert.ok(session.expires_at < Date.now() / 1000 + 24 * 3600, 'short-lived session');
    assert.equal(session.user.name, 'Dana Demo');
    const header = decodeJwtPart(token, 0);
    const claims = decodeJwtPart(token, 1);
    assert.equal(header.typ, 'at+jwt');
    assert.notEqual(header.alg, 'none');
    assert.equal(claims.aud === 'urn:pmt:api' || (Array.isArray(claims.aud) && claims.aud.includes('urn:pmt:api')), true, `aud ${claims.aud}`);
    assert.equal(claims.iss, cfg.issuer);

    const { session: ss } = await webStorage(page);
    assert.equal(ss[KEYS.pkce], undefined, 'pmt.pkce must be removed after the callback');
    await assertTokenOnlyInSessionStorage(h, page, token);
  });

  test('GET /api/me with the bearer token returns the identity', T, async () => {
    const res = await fetch(new URL('/api/me', base), { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const me = await res.json();
    assert.equal(me.user.name, 'Dana Demo');
    assert.equal(me.issuer, cfg.issuer);
  });

  test('reload stays signed in', T, async () => {
    await page.reload();
    await waitForText(page, SEL.identity, /Dana Demo/);
    assert.equal((await sessionOf(page))?.token, token);
  });

  test('a new tab is not signed in (sessionStorage is per tab)', T, async () => {
    const tab = await h.context.newPage();
    try {
      await openApp(tab, base);
      await visible(tab, SEL.signIn);
      assert.equal(await tab.locator(SEL.identity).count(), 0);
      assert.equal((await webStorage(tab)).session[KEYS.session], undefined);
    } finally {
      await tab.close();
    }
  });

  test('replaying the authorization response in a tab with no pending sign-in is refused, without calling /api/session', T, async () => {
    const tab = await h.context.newPage();
    try {
      const mark = h.requests.length;
      await tab.goto(callbackUrl.href);
      await assertAuthError(tab);
      await tab.waitForTimeout(500);
      assert.deepEqual(requestsTo(h.requests, base, '/api/session', mark), [], 'no code redemption');
      assert.equal((await webStorage(tab)).session[KEYS.session], undefined);
      await waitForCleanUrl(tab);
    } finally {
      await tab.close();
    }
  });

  test('the backend never logged the token', T, async () => {
    assert.ok(!backend.output().includes(token), 'the session token appears in the backend output');
  });

  test('sign out → #sign-in, and no pmt.* left in web storage', T, async () => {
    await page.click(SEL.signOut);
    await visible(page, SEL.signIn);
    assert.equal(await page.locator(SEL.identity).count(), 0);
    await assertNoAppStorage(page);
    await page.reload();
    await visible(page, SEL.signIn);
    assert.equal(await page.locator(SEL.identity).count(), 0, 'still signed out after reload');
  });

  test('deny on the consent page → #auth-error saying access was denied, and "Sign in again"', T, async () => {
    await openApp(page, base);
    const mark = h.requests.length;
    await page.click(SEL.signIn);
    await visible(page, SEL.consentDeny);
    await page.click(SEL.consentDeny);
    const text = await assertAuthError(page, /denied/i);
    assert.match(text, /denied/i);
    assert.deepEqual(requestsTo(h.requests, base, '/api/session', mark), [], 'no code redemption after a denial');
    const { session } = await webStorage(page);
    assert.equal(session[KEYS.session], undefined);
    assert.equal(session[KEYS.pkce], undefined, 'the pending sign-in is used up');
    await waitForCleanUrl(page);
    await screenshot(page, 'demo-auth-error');
  });

  async function startSignInAndForge(build) {
    await openApp(page, base);
    const mark = h.requests.length;
    await page.click(SEL.signIn);
    await visible(page, SEL.consentAllow);
    const authz = lastAuthorizationRequest(h.requests.slice(mark), cfg.authorization_endpoint);
    const forged = new URL('/callback', base);
    for (const [k, v] of Object.entries(build(authz.searchParams.get('state')))) forged.searchParams.set(k, v);
    const mark2 = h.requests.length;
    await page.goto(forged.href);
    const text = await assertAuthError(page);
    await page.waitForTimeout(500);
    assert.deepEqual(requestsTo(h.requests, base, '/api/session', mark2), [], 'the forged response must not be redeemed');
    assert.equal((await webStorage(page)).session[KEYS.session], undefined, 'not signed in');
    return text;
  }

  test('a tampered state is refused (no /api/session call)', T, async () => {
    await startSignInAndForge(() => ({ code: 'abc', state: 'forged', iss: cfg.issuer }));
    await screenshot(page, 'demo-state-error');
  });

  test('a tampered state with no pending sign-in is refused (no /api/session call)', T, async () => {
    const tab = await h.context.newPage();
    try {
      const mark = h.requests.length;
      await tab.goto(`${base}/callback?code=abc&state=forged&iss=${encodeURIComponent(cfg.issuer)}`);
      await assertAuthError(tab);
      await tab.waitForTimeout(500);
      assert.deepEqual(requestsTo(h.requests, base, '/api/session', mark), []);
    } finally {
      await tab.close();
    }
  });

  test('a wrong iss is refused (no /api/session call)', T, async () => {
    await startSignInAndForge((state) => ({ code: 'abc', state, iss: 'http://127.0.0.1:1/as' }));
    await startSignInAndForge((state) => ({ code: 'abc', state, iss: `${cfg.issuer}/` }));
  });

  test('a missing iss is refused when the AS always sends it (no /api/session call)', T, async () => {
    await startSignInAndForge((state) => ({ code: 'abc', state }));
  });

  test('/api/me rejects a missing or invalid token with 401, WWW-Authenticate, and JSON that does not echo it', T, async () => {
    const fake = 'eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJkYW5hIiwiYXVkIjoidXJuOnBtdDphcGkifQ.';
    const cases = [
      ['no header', undefined],
      ['garbage', 'Bearer not-a-jwt-e2e-marker'],
      ['alg none', `Bearer ${fake}`],
      ['tampered signature', `Bearer ${token.slice(0, -4)}AAAA`],
    ];
    for (const [what, authorization] of cases) {
      const res = await fetch(new URL('/api/me', base), { headers: authorization ? { authorization } : {} });
      assert.equal(res.status, 401, `${what}: ${res.status}`);
      const www = res.headers.get('www-authenticate');
      assert.ok(www && /^Bearer\b/i.test(www), `${what}: WWW-Authenticate ${www}`);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/, `${what}: JSON body`);
      const body = await res.text();
      JSON.parse(body);
      if (authorization) {
        const presented = authorization.slice('Bearer '.length);
        assert.ok(!body.includes(presented), `${what}: the body echoes the token`);
        assert.ok(!www.includes(presented), `${what}: WWW-Authenticate echoes the token`);
      }
    }
    assert.ok(!backend.output().includes('not-a-jwt-e2e-marker'), 'the backend logged a presented token');
  });

  test('no Content-Security-Policy violation during the whole run', T, async () => {
    await h.assertNoCspViolations();
    assert.deepEqual(h.pageErrors, [], `uncaught page errors: ${JSON.stringify(h.pageErrors)}`);
  });
});
