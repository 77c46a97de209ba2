// The Activity view and the per-source switch end to end, in demo mode (real backend,
// demo authorization server, provider simulators, Debian Chromium): a refresh shows one
// token exchange per enabled source as app → user → resource with its scopes; turning
// Gmail off stops its exchange and hides its tasks while the other sources keep working;
// turning it on brings it back. No token value appears in the view.
//
// Needs the backend binary (PMT_BIN) and the built PWA (PMT_DIST); skipped with a reason otherwise.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { appBuilt, startBackend } from './lib/backend.mjs';
import { launchChromium } from './lib/chromium.mjs';
import { APP_TIMEOUT } from './lib/app.mjs';
import {
  DASH, PROVIDERS, api, card, ensurePlan, refreshAndWait, screenshotDashboard, showView, signIn, snapshot,
  tokenOf,
} from './lib/dashboard.mjs';
import {
  AGENT, activityGroups, reloadActivity, setSource, showActivity, waitForSourceStatus,
} from './lib/agent.mjs';

const notBuilt = appBuilt();
const T = { timeout: 240_000 };

describe('activity and the source switch (demo mode)', { skip: notBuilt ?? false, timeout: 1_800_000 }, () => {
  let backend;
  let h;
  let page;
  let base;
  let token;

  before(async () => {
    backend = await startBackend();
    base = backend.url;
    h = await launchChromium();
    page = h.page;
  });

  after(async () => {
    if (page && base && token) {
      await api(base, token, 'PUT', '/api/sources/gmail', { enabled: true }).catch(() => {});
    }
    await h?.close();
    await backend?.close();
  });

  /** The newest refresh group on screen. */
  async function newestRefresh() {
    const groups = await activityGroups(page);
    const refresh = groups.find((g) => g.kind === 'refresh');
    assert.ok(refresh, `a refresh group is shown; groups: ${JSON.stringify(groups.map((g) => g.kind))}`);
    return refresh;
  }

  test('sign in and refresh once', T, async () => {
    await signIn(page, base);
    token = await tokenOf(page);
    await ensurePlan(page);
    await refreshAndWait(page);
  });

  test('the Activity view shows the refresh: one exchange per source, app → user → resource', T, async () => {
    await showActivity(page);
    const refresh = await newestRefresh();
    assert.match(refresh.title, /^Refresh · .+ · You$/, refresh.title);
    const exchanges = refresh.entries.filter((e) => e.kind === 'exchange');
    assert.deepEqual(exchanges.map((e) => e.source).sort(), [...PROVIDERS].sort(), 'one exchange per enabled source');
    for (const e of exchanges) {
      assert.equal(e.outcome, 'ok', `${e.source}: ${e.text}`);
      const parts = e.chain.split(' → ');
      assert.equal(parts.length, 3, `app → user → resource: ${e.chain}`);
      assert.ok(parts.every((p) => p.trim().length > 0), e.chain);
      assert.match(e.text, /scopes asked: \S+.*; granted: \S+/, `${e.source} shows its scopes: ${e.text}`);
      assert.match(e.text, /\d+(\.\d)? (ms|s)/, `${e.source} shows its duration`);
    }
    // What the server recorded is what is shown.
    const trail = await api(base, token, 'GET', '/api/activity?limit=50');
    assert.equal(trail.status, 200);
    const recorded = trail.json.entries.filter((e) => e.group_id === refresh.id && e.type === 'exchange');
    assert.deepEqual(
      recorded.map((e) => `${e.client} → ${e.user} → ${e.resource}`).sort(),
      exchanges.map((e) => e.chain).sort(),
    );
    // No token value on the page.
    const text = await page.locator(AGENT.activity).textContent();
    assert.ok(!text.includes(token), 'the session token is not shown');
    assert.doesNotMatch(text, /eyJ[\w-]{10,}\.[\w-]{10,}/, 'no JWT is shown');
    await screenshotDashboard(page, 'activity-after-refresh');
  });

  test('Gmail turned off: its tasks go, the next refresh has no Gmail exchange, the rest is fine', T, async () => {
    await showView(page, 'source');
    const before = await snapshot(base, token);
    const gmailTask = before.tasks.find((t) => t.source === 'gmail' && !t.dismissed);
    assert.ok(gmailTask, 'the demo has Gmail tasks');
    assert.equal(await page.locator('#switch-gmail').getAttribute('role'), 'switch');
    assert.equal((await page.locator('label[for="switch-gmail"]').textContent()).trim(), 'Fetch Gmail');
    await setSource(page, 'gmail', false);
    await waitForSourceStatus(page, 'gmail', /^Turned off by you$/);
    await page.locator(card(gmailTask.id)).waitFor({ state: 'detached', timeout: APP_TIMEOUT });

    await refreshAndWait(page);
    await waitForSourceStatus(page, 'gmail', /^Turned off by you$/);
    const snap = await snapshot(base, token);
    for (const s of snap.sources) {
      if (s.source === 'gmail') assert.equal(s.state, 'off', 'gmail is off');
      else assert.equal(s.state, 'ok', `${s.source} still fetched: ${JSON.stringify(s.state)}`);
    }
    assert.ok(!snap.tasks.some((t) => t.source === 'gmail'), 'no Gmail task in the plan');
    for (const s of PROVIDERS.filter((p) => p !== 'gmail')) {
      await waitForSourceStatus(page, s, /^OK · /);
    }
    await screenshotDashboard(page, 'source-view-gmail-off');

    await showActivity(page);
    const refresh = await newestRefresh();
    const sources = refresh.entries.filter((e) => e.kind === 'exchange').map((e) => e.source).sort();
    assert.deepEqual(sources, PROVIDERS.filter((p) => p !== 'gmail').sort(), 'no Gmail exchange was attempted');
  });

  test('Gmail turned back on: fetched again on the next refresh', T, async () => {
    await showView(page, 'source');
    await setSource(page, 'gmail', true);
    await waitForSourceStatus(page, 'gmail', /press Refresh/);
    await refreshAndWait(page);
    await waitForSourceStatus(page, 'gmail', /^OK · /);
    await showActivity(page);
    await reloadActivity(page);
    const refresh = await newestRefresh();
    assert.ok(refresh.entries.some((e) => e.source === 'gmail' && e.outcome === 'ok'), 'Gmail is exchanged again');
    await showView(page, 'priority');
    await page.locator(DASH.card).first().waitFor({ timeout: APP_TIMEOUT });
  });

  test('no CSP violation on the way', T, async () => {
    await h.assertNoCspViolations();
  });
});
