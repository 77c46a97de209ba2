// Session edges in headless Chromium: a 401 from the backend ends the session and keeps
// the user's place; an unreachable authorization server is explained, with a way to retry.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { appBuilt, startBackend, startConfiguredBackend } from './lib/backend.mjs';
import { launchChromium, webStorage } from './lib/chromium.mjs';
import { KEYS, SEL, openApp, visible, waitForText } from './lib/app.mjs';
import { freePort } from './lib/ports.mjs';

const notBuilt = appBuilt();
const T = { timeout: 180_000 };

describe('session edges', { skip: notBuilt ?? false, timeout: 900_000 }, () => {
  let backend;
  let h;
  let page;

  before(async () => {
    backend = await startBackend();
    h = await launchChromium();
    page = h.page;
  });

  after(async () => {
    await h?.close();
    await backend?.close();
  });

  test('a 401 from the backend signs out, says why, and sign-in returns to the same place', T, async () => {
    const place = '/?view=source&q=review';
    await openApp(page, backend.url, place);
    await page.click(SEL.signIn);
    await visible(page, SEL.consentAllow);
    await page.click(SEL.consentAllow);
    await waitForText(page, SEL.identity, /Dana Demo/);
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, place, 'first sign-in lands where it started');

    // Break the token's signature: the backend must refuse it.
    await page.evaluate((key) => {
      const s = JSON.parse(sessionStorage.getItem(key));
      const last = s.token.slice(-1);
      s.token = s.token.slice(0, -1) + (last === 'A' ? 'B' : 'A');
      sessionStorage.setItem(key, JSON.stringify(s));
    }, KEYS.session);
    await page.reload();
    await waitForText(page, '[role=status]', /session has ended/i);
    await visible(page, SEL.signIn);
    const { session } = await webStorage(page);
    assert.equal(session[KEYS.session], undefined, 'the refused session is gone');
    assert.equal(JSON.parse(session[KEYS.returnTo]), place, 'the place is kept');

    await page.click(SEL.signIn);
    await visible(page, SEL.consentAllow);
    await page.click(SEL.consentAllow);
    await waitForText(page, SEL.identity, /Dana Demo/);
    const url = new URL(page.url());
    assert.equal(url.pathname + url.search, place, 'back at the same place after signing in again');
    await h.assertNoCspViolations();
  });

  test('an unreachable authorization server is explained, with "Sign in again"', T, async () => {
    const port = await freePort();
    const deadIssuer = `http://127.0.0.1:${await freePort()}`;
    const configured = await startConfiguredBackend({ port, issuer: deadIssuer, clientSecret: 'unused-secret' });
    try {
      await openApp(page, configured.url);
      await page.click(SEL.signIn);
      const text = await waitForText(page, SEL.authError, /could not be reached|unavailable/i);
      assert.ok(!/secret/i.test(text), 'no secret in the message');
      await waitForText(page, SEL.signIn, /sign in again/i);
      const res = await fetch(`${configured.url}/api/auth/config`);
      assert.equal(res.status, 502);
      const body = await res.json();
      assert.equal(typeof body.error_description, 'string');
    } finally {
      await configured.close();
    }
  });
});
