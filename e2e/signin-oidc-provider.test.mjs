// Interop: the same sign-in against a real, strict OpenID Provider (`oidc-provider`, in-process),
// with the backend started from a config file (issuer, client id, resource, scope) and the client
// secret in PMT_CLIENT_SECRET.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { appBuilt, reserveBackendUrl, startConfiguredBackend } from './lib/backend.mjs';
import { launchChromium, webStorage } from './lib/chromium.mjs';
import { startOidcProvider, RESOURCE, RESOURCE_SCOPE } from './lib/oidc-provider.mjs';
import {
  KEYS, SEL, assertNoAppStorage, assertSecurityHeaders, assertTokenOnlyInSessionStorage, authConfig,
  decodeJwtPart, lastAuthorizationRequest, openApp, requestsTo, screenshot, sessionOf, visible,
  waitForCleanUrl, waitForText,
} from './lib/app.mjs';

const notBuilt = appBuilt();
const T = { timeout: 180_000 };
const LOGIN = 'e2e-alice';

describe('sign-in with oidc-provider (configured mode)', { skip: notBuilt ?? false, timeout: 900_000 }, () => {
  let op;
  let backend;
  let h;
  let page;
  let base;
  let cfg;
  let token;

  before(async () => {
    const reserved = await reserveBackendUrl();
    op = await startOidcProvider({ redirectUri: `${reserved.url}/callback` });
    backend = await startConfiguredBackend({
      port: reserved.port,
      issuer: op.issuer,
      clientSecret: op.clientSecret,
      clientId: op.clientId,
      resource: op.resource,
      // PMT_E2E_OIDC_SCOPE: try another configured scope (exploration only).
      scope: process.env.PMT_E2E_OIDC_SCOPE ?? op.scope,
    });
    base = backend.url;
    assert.equal(base, reserved.url);
    h = await launchChromium();
    page = h.page;
  });

  after(async () => {
    await h?.close();
    await backend?.close();
    await op?.close();
  });

  test('auth config comes from the provider\'s discovery', T, async () => {
    cfg = await authConfig(base);
    assert.equal(cfg.issuer, op.issuer);
    assert.equal(cfg.authorization_endpoint, `${op.issuer}/auth`);
    assert.equal(cfg.client_id, 'pmt-tmb');
    assert.equal(cfg.resource, RESOURCE);
    assert.equal(cfg.iss_parameter_supported, true);
    assert.ok(!JSON.stringify(cfg).includes(op.clientSecret), 'the client secret never reaches the browser');
    const res = await fetch(new URL('/', base));
    assertSecurityHeaders(res, '/');
  });

  test('sign in through the provider (login + consent) → signed in as the login, URL cleaned', T, async () => {
    await openApp(page, base);
    const mark = h.requests.length;
    await page.click(SEL.signIn);

    // devInteractions: login form …
    await page.locator('input[name=login]').waitFor({ state: 'visible', timeout: 30_000 });
    assert.ok(page.url().startsWith(op.issuer), `expected the provider, at ${page.url()}`);
    const authz = lastAuthorizationRequest(h.requests.slice(mark), cfg.authorization_endpoint);
    assert.equal(authz.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authz.searchParams.get('resource'), RESOURCE);
    assert.equal(authz.searchParams.get('redirect_uri'), `${base}/callback`);
    await page.fill('input[name=login]', LOGIN);
    await page.fill('input[name=password]', 'any-password');
    await page.click('button[type=submit]');

    // … then the consent form.
    await page.locator('input[name=prompt][value=consent]').waitFor({ state: 'attached', timeout: 30_000 });
    await page.click('button[type=submit]');

    await waitForText(page, SEL.identity, new RegExp(LOGIN));
    await visible(page, SEL.signOut);
    const url = await waitForCleanUrl(page);
    assert.equal(url.origin, base);
    assert.ok(!url.pathname.startsWith('/callback'));
    const cb = h.navigations.find((u) => u.startsWith(`${base}/callback?`) && u.includes('code='));
    assert.ok(cb, 'the authorization response came back to /callback');
    assert.equal(new URL(cb).searchParams.get('iss'), op.issuer);
    assert.equal(requestsTo(h.requests, base, '/api/session', mark).length, 1);
    assert.deepEqual(op.events, [], 'the provider reported no error');
    await screenshot(page, 'oidc-provider-signed-in');
  });

  test('the session token is the provider\'s at+jwt for urn:pmt:api, kept only in sessionStorage', T, async () => {
    const session = await sessionOf(page);
    assert.ok(session, 'pmt.session missing');
    ({ token } = session);
    const header = decodeJwtPart(token, 0);
    const claims = decodeJwtPart(token, 1);
    assert.equal(header.typ, 'at+jwt');
    assert.equal(header.alg, 'ES256');
    assert.equal(claims.iss, op.issuer);
    assert.equal(claims.aud, RESOURCE);
    assert.equal(claims.sub, LOGIN);
    assert.equal(claims.scope, RESOURCE_SCOPE);
    assert.equal(session.user.sub, LOGIN);
    assert.equal((await webStorage(page)).session[KEYS.pkce], undefined, 'pmt.pkce removed after the callback');
    await assertTokenOnlyInSessionStorage(h, page, token);

    const res = await fetch(new URL('/api/me', base), { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const me = await res.json();
    assert.equal(me.user.sub, LOGIN);
    assert.equal(me.issuer, op.issuer);
    assert.ok(!backend.output().includes(token), 'the backend never logs the token');
    assert.ok(!backend.output().includes(op.clientSecret), 'the backend never logs the client secret');
  });

  test('reload stays signed in', T, async () => {
    await page.reload();
    await waitForText(page, SEL.identity, new RegExp(LOGIN));
  });

  test('sign out → #sign-in and no pmt.* left', T, async () => {
    await page.click(SEL.signOut);
    await visible(page, SEL.signIn);
    assert.equal(await page.locator(SEL.identity).count(), 0);
    await assertNoAppStorage(page);
  });

  test('no Content-Security-Policy violation on the app during the run', T, async () => {
    // The provider's own dev pages are not ours; only the app's origin counts here,
    // but nothing is expected anywhere.
    await h.assertNoCspViolations({ origin: base });
    assert.deepEqual(h.pageErrors.filter((e) => e.pageUrl.startsWith(base)), []);
  });
});
