// The dashboard end to end, in demo mode (real backend, provider simulators, Debian Chromium):
// both views, search, filters, dismiss/restore, boost, ad-hoc tasks, theme, a failed source,
// keyboard, and no CSP violation. The tests run in order and share one signed-in tab.
//
// Needs the backend binary (PMT_BIN) and the built PWA (PMT_DIST); skipped with a reason otherwise.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { appBuilt, startBackend } from './lib/backend.mjs';
import { launchChromium, webStorage } from './lib/chromium.mjs';
import { APP_TIMEOUT, SEL, waitForText } from './lib/app.mjs';
import {
  DASH, PRIORITIES, PROVIDERS, THEME_KEY, blur, card, cardIds, chooseTheme, ensurePlan, expandAll,
  focused, group, groupOf, matches, refreshAndWait, revealCard, screenshotDashboard, showView, signIn,
  simClear, simFault, snapshot, themeOf, tokenOf, waitForCardSet, waitForGroup,
} from './lib/dashboard.mjs';
import { waitFor } from './lib/ports.mjs';

const notBuilt = appBuilt();
const T = { timeout: 240_000 };

const sourceOf = (id) => id.slice(0, id.indexOf(':'));
const open = (snap) => snap.tasks.filter((t) => !t.dismissed);
const ids = (tasks) => tasks.map((t) => t.id);

describe('dashboard (demo mode)', { skip: notBuilt ?? false, timeout: 1_800_000 }, () => {
  let backend;
  let h;
  let page;
  let base;
  let token;

  /** The plan as the backend has it now. */
  const plan = async () => snapshot(base, token);
  /** The page's query string, read in the page (Playwright's page.url() lags replaceState). */
  const query = async () => new URLSearchParams(await page.evaluate(() => location.search));
  /** Waits until the address bar's `key` is `value` (null: absent). */
  async function expectParam(key, value, what = `URL ${key}`) {
    let got;
    await waitFor(async () => {
      got = (await query()).get(key);
      return got === value;
    }, { timeout: 10_000, message: what }).catch(() => assert.fail(`${what}: expected ${JSON.stringify(value)}, got ${JSON.stringify(got)}`));
  }
  /** A fresh start: the app at / (default view, no search or filter), plan loaded. */
  async function fresh() {
    await page.goto(new URL('/', base).href);
    await ensurePlan(page);
  }

  before(async () => {
    backend = await startBackend();
    base = backend.url;
    h = await launchChromium();
    page = h.page;
  });

  after(async () => {
    if (base) {
      for (const s of PROVIDERS) await simClear(base, s).catch(() => {});
    }
    await h?.close();
    await backend?.close();
  });

  test('sign in; the first refresh brings tasks from all seven sources (priority view)', T, async () => {
    await signIn(page, base);
    token = await tokenOf(page);
    await ensurePlan(page);
    const snap = await plan();
    assert.ok(snap.generated_at > 0, 'the backend has a snapshot after the first refresh');
    for (const s of snap.sources) assert.equal(s.state, 'ok', `${s.source}: ${JSON.stringify(s)}`);

    const expected = ids(open(snap));
    await waitForCardSet(page, expected, { what: 'priority view' });
    const shownSources = new Set((await cardIds(page)).map(sourceOf));
    assert.deepEqual(PROVIDERS.filter((s) => !shownSources.has(s)), [], 'every provider has a card');

    // Every card sits in the group of its priority, and each heading counts its cards.
    for (const p of PRIORITIES) {
      const inGroup = await cardIds(page, group(p));
      const want = open(snap).filter((t) => t.priority === p).map((t) => t.id);
      assert.deepEqual([...inGroup].sort(), [...want].sort(), `group ${p}`);
      const count = (await page.locator(`${group(p)} .count`).first().textContent())?.trim();
      assert.equal(count, String(want.length), `the ${p} heading counts ${want.length}`);
    }
    await waitForText(page, DASH.snapshotAge, /as of .*\d{1,2}:\d{2}/);
    await screenshotDashboard(page, 'dashboard-e2e-priority');
  });

  test('source view: one group per source, its status, the same tasks; kept in the URL', T, async () => {
    await showView(page, 'source');
    await expectParam('view', 'source');
    const snap = await plan();
    for (const s of PROVIDERS) {
      const want = open(snap).filter((t) => t.source === s).map((t) => t.id);
      assert.ok(want.length > 0, `${s} has tasks in the demo`);
      await waitForCardSet(page, want, { scope: group(`source:${s}`), what: `group source:${s}` });
      await waitForText(page, `[data-source-status="${s}"]`, /OK · \d+ fetched/);
    }
    await waitForCardSet(page, ids(open(snap)), { what: 'source view' });
    await page.reload();
    await ensurePlan(page);
    assert.equal(await page.locator(`${DASH.viewSource}[aria-pressed="true"]`).count(), 1, 'the view survives a reload');
    await page.locator(group('source:linear')).waitFor();
    await screenshotDashboard(page, 'dashboard-e2e-source');
    await showView(page, 'priority');
    await expectParam('view', null, 'the default view leaves the URL');
  });

  test('search narrows the list to the matching tasks and is kept in the URL', T, async () => {
    await fresh();
    const snap = await plan();
    const all = ids(open(snap));
    const term = 'budget';
    const want = open(snap).filter((t) => matches(t, term));
    assert.ok(want.length > 0 && want.length < all.length, `"${term}" matches some but not all (${want.length}/${all.length})`);

    await page.click(DASH.search);
    await page.keyboard.type(term);
    const got = await waitForCardSet(page, ids(want), { what: `search "${term}"` });
    assert.ok(got.length < all.length, 'fewer cards than before');
    // What is shown says why it matched: the term is in the card's text for these tasks.
    for (const id of got) {
      const text = (await page.locator(card(id)).first().textContent()).toLowerCase();
      const t = snap.tasks.find((x) => x.id === id);
      if (t.title.toLowerCase().includes(term)) assert.ok(text.includes(term), `card ${id} shows "${term}"`);
    }
    await expectParam('q', term);

    // Two terms narrow further (AND), and a term matching nothing says so.
    await page.fill(DASH.search, `${term} review`);
    await waitForCardSet(page, ids(open(snap).filter((t) => matches(t, `${term} review`))), { what: 'two terms' });
    await page.fill(DASH.search, 'zzqx-nothing-matches');
    await waitForCardSet(page, [], { what: 'no match' });
    await page.fill(DASH.search, '');
    await waitForCardSet(page, all, { what: 'search cleared' });
    await expectParam('q', null);
  });

  test('filters combine: source AND priority, OR within a facet; kept across a reload', T, async () => {
    await fresh();
    const snap = await plan();
    await page.click(DASH.filtersSummary);
    await page.click('#filter-source-github');
    await page.click('#filter-priority-medium');
    const github = (t) => t.source === 'github';
    const medium = (t) => t.priority === 'medium';
    await waitForCardSet(page, ids(open(snap).filter((t) => github(t) && medium(t))), { what: 'github & medium' });
    assert.deepEqual(
      await page.$$eval('[data-group]', (els) => els.map((e) => e.getAttribute('data-group'))),
      ['medium'],
      'with a priority filter only that group is shown',
    );

    await page.click('#filter-source-linear');
    const want = ids(open(snap).filter((t) => (github(t) || t.source === 'linear') && medium(t)));
    assert.ok(want.length > ids(open(snap).filter((t) => github(t) && medium(t))).length, 'the demo has medium Linear issues');
    await waitForCardSet(page, want, { what: '(linear | github) & medium' });
    await expectParam('source', 'linear,github');
    await expectParam('priority', 'medium');

    // A search narrows the filtered list further.
    await page.fill(DASH.search, 'sync');
    await waitForCardSet(page, ids(open(snap).filter((t) => (github(t) || t.source === 'linear') && medium(t) && matches(t, 'sync'))), { what: 'filters + search' });
    await page.fill(DASH.search, '');

    await page.reload();
    await ensurePlan(page);
    await waitForCardSet(page, want, { what: 'filters after a reload' });
    for (const chip of ['#filter-source-github', '#filter-source-linear', '#filter-priority-medium']) {
      assert.equal(await page.locator(chip).getAttribute('aria-pressed'), 'true', `${chip} is on after a reload`);
    }
    await page.click(DASH.filtersSummary);
    await page.click(DASH.clearFilters);
    await waitForCardSet(page, ids(open(snap)), { what: 'filters cleared' });
    await expectParam('source', null);
    await expectParam('priority', null);
    await page.click(DASH.filtersSummary); // close the disclosure again
  });

  test('dismiss hides a Slack mention; "show dismissed" shows it; restore brings it back', T, async () => {
    await fresh();
    const snap = await plan();
    const target = snap.tasks.find((t) => t.source === 'slack' && t.dismissible && !t.dismissed)
      ?? snap.tasks.find((t) => t.source === 'granola' && t.dismissible && !t.dismissed);
    assert.ok(target, 'a dismissible Slack or Granola task');
    // Tasks the source can close have no dismiss button.
    const fixed = snap.tasks.find((t) => t.source === 'linear');
    await revealCard(page, fixed.id);
    assert.equal(await page.locator(`${card(fixed.id)} .task-dismiss`).count(), 0, 'a Linear issue cannot be dismissed here');

    await revealCard(page, target.id);
    await page.click(`${card(target.id)} .task-dismiss`);
    await page.locator(card(target.id)).waitFor({ state: 'detached', timeout: APP_TIMEOUT });
    await waitFor(async () => (await plan()).tasks.find((t) => t.id === target.id)?.dismissed === true, { message: 'dismissed at the backend' });

    await page.check(DASH.showDismissed);
    await revealCard(page, target.id);
    await expectParam('dismissed', '1');
    assert.ok(await page.locator(card(target.id)).evaluate((e) => e.classList.contains('dismissed')), 'marked as dismissed');
    await screenshotDashboard(page, 'dashboard-e2e-dismissed-shown');

    await page.click(`${card(target.id)} .task-restore`);
    await page.locator(`${card(target.id)} .task-dismiss`).waitFor({ timeout: APP_TIMEOUT });
    assert.equal(await page.locator(card(target.id)).evaluate((e) => e.classList.contains('dismissed')), false);
    await waitFor(async () => (await plan()).tasks.find((t) => t.id === target.id)?.dismissed === false, { message: 'restored at the backend' });

    await page.uncheck(DASH.showDismissed);
    await revealCard(page, target.id);
    await expectParam('dismissed', null);
  });

  test('boost moves a task up one group and survives a refresh and a reload; demote and clear', T, async () => {
    await fresh();
    const snap = await plan();
    const target = snap.tasks.find((t) => t.priority === 'medium' && !t.priority_override && !t.dismissed && !t.dismissible)
      ?? snap.tasks.find((t) => t.priority === 'medium' && !t.priority_override && !t.dismissed);
    assert.ok(target, 'a medium task');
    await revealCard(page, target.id);
    assert.equal(await groupOf(page, target.id), 'medium');

    await page.click(`${card(target.id)} .task-boost`);
    await waitForGroup(page, target.id, 'high');
    await waitForText(page, `${card(target.id)} .override`, /boosted from Medium/i);
    const after = (await plan()).tasks.find((t) => t.id === target.id);
    assert.equal(after.priority, 'high');
    assert.equal(after.priority_override, 'high');

    await refreshAndWait(page);
    await waitForGroup(page, target.id, 'high');
    await page.reload();
    await ensurePlan(page);
    await waitForGroup(page, target.id, 'high');
    await waitForText(page, `${card(target.id)} .override`, /boosted/i);

    // Demote twice: high → medium → low (overridden, below the computed level).
    await page.click(`${card(target.id)} .task-demote`);
    await waitForGroup(page, target.id, 'medium');
    await page.click(`${card(target.id)} .task-demote`);
    await waitForGroup(page, target.id, 'low');
    await waitForText(page, `${card(target.id)} .override`, /demoted from Medium/i);

    await page.click(`${card(target.id)} .task-clear-override`);
    await waitForGroup(page, target.id, 'medium');
    assert.equal(await page.locator(`${card(target.id)} .override`).count(), 0, 'no override mark after clearing');
    const cleared = (await plan()).tasks.find((t) => t.id === target.id);
    assert.equal(cleared.priority_override ?? null, null);
  });

  test('ad-hoc task: add, edit, delete', T, async () => {
    await fresh();
    const title = `Write the e2e test plan ${Date.now().toString(36)}`;
    await page.fill(DASH.adhocTitle, title);
    await page.fill(DASH.adhocDue, '23:30');
    await page.selectOption(DASH.adhocPriority, 'high');
    await page.click(DASH.adhocAdd);

    const added = page.locator(`[data-task-id^="ad_hoc:"]`, { hasText: title });
    await waitFor(async () => (await added.count()) > 0 || ((await expandAll(page)) && false), { timeout: APP_TIMEOUT, message: 'the new ad-hoc card' });
    const id = await added.getAttribute('data-task-id');
    assert.equal(await groupOf(page, id), 'high', 'added with the chosen priority');
    await waitForText(page, `${card(id)} .when`, /23:30/);
    assert.equal(await page.inputValue(DASH.adhocTitle), '', 'the quick-add field is emptied');
    let t = (await plan()).tasks.find((x) => x.id === id);
    assert.equal(t?.title, title);
    assert.equal(t.source, 'ad_hoc');
    assert.equal(t.dismissible, true);

    await page.click(`${card(id)} .task-edit`);
    const edited = `${title} (edited)`;
    const titleField = page.locator(`${card(id)} input[id$="-title"]`);
    await titleField.waitFor();
    await titleField.fill(edited);
    await page.click(`${card(id)} .adhoc-save`);
    await waitForText(page, `${card(id)} .card-title`, /\(edited\)/);
    t = (await plan()).tasks.find((x) => x.id === id);
    assert.equal(t?.title, edited);

    await page.click(`${card(id)} .task-delete`);
    await waitForText(page, `${card(id)} .task-delete`, /confirm/i);
    await page.click(`${card(id)} .task-delete`);
    await page.locator(card(id)).waitFor({ state: 'detached', timeout: APP_TIMEOUT });
    await waitFor(async () => !(await plan()).tasks.some((x) => x.id === id), { message: 'deleted at the backend' });
  });

  test('theme: dark is applied, remembered in localStorage and kept across a reload', T, async () => {
    await fresh();
    await chooseTheme(page, 'light');
    const lightBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await chooseTheme(page, 'dark');
    assert.equal(await themeOf(page), 'dark');
    assert.equal((await webStorage(page)).local[THEME_KEY], 'dark');
    const darkBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(darkBg, lightBg, 'the dark theme changes the page colours');

    await page.reload();
    await ensurePlan(page);
    assert.equal(await themeOf(page), 'dark', 'data-theme after a reload');
    assert.equal(await page.inputValue(DASH.theme), 'dark', '#theme shows the choice after a reload');
    await screenshotDashboard(page, 'dashboard-e2e-dark');

    await chooseTheme(page, 'light');
    await page.reload();
    await ensurePlan(page);
    assert.equal(await themeOf(page), 'light');
  });

  test('the plan arriving moves nothing already on screen, at phone and desktop widths (CLS)', T, async () => {
    // Layout shifts the browser itself records from the navigation on (buffered), with what moved.
    const shifts = async () => page.evaluate(() => new Promise((resolve) => {
      const seen = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          if (!e.hadRecentInput) {
            seen.push({ value: e.value, moved: e.sources.map((x) => x.node?.nodeName ?? '?').join(',') });
          }
        }
      }).observe({ type: 'layout-shift', buffered: true });
      setTimeout(() => resolve(seen), 300);
    }));
    for (const viewport of [{ width: 390, height: 800 }, { width: 1280, height: 900 }]) {
      await page.setViewportSize(viewport);
      await fresh();
      await waitFor(async () => (await page.locator('.task-column.waiting').count()) === 0, {
        timeout: 10_000, message: 'the whole plan drawn',
      });
      const got = await shifts();
      const total = got.reduce((sum, e) => sum + e.value, 0);
      assert.ok(total < 0.01, `at ${viewport.width} px the page moved under the user: CLS ${total.toFixed(3)} ${JSON.stringify(got)}`);
      assert.ok((await cardIds(page)).length > 0, 'the plan is on screen');
    }
  });

  test('a source failing in the simulator shows as failed in the source view; the rest stays', T, async () => {
    await fresh();
    const before = await plan();
    const perSource = Object.fromEntries(PROVIDERS.map((s) => [s, open(before).filter((t) => t.source === s).map((t) => t.id)]));

    await simFault(base, 'gmail', { mode: { kind: 'status', status: 500 } });
    try {
      await refreshAndWait(page);
      const snap = await plan();
      const gmail = snap.sources.find((s) => s.source === 'gmail');
      assert.equal(gmail.state, 'failed', `gmail after the fault: ${JSON.stringify(gmail)}`);
      assert.ok(gmail.reason?.trim(), 'the failure has a reason');

      await showView(page, 'source');
      const status = await waitForText(page, '[data-source-status="gmail"]', /failed/i);
      assert.ok(status.includes(gmail.reason), `the status line gives the reason: "${status}" vs "${gmail.reason}"`);
      await page.locator(`${group('source:gmail')} .source-retry`).waitFor();
      // The status bar says a source is missing from the picture.
      await waitForText(page, '.status-bar', /Gmail/);
      // An outage keeps what Gmail gave before, each card marked as not fresh.
      const kept = open(snap).filter((t) => t.source === 'gmail');
      assert.deepEqual(kept.map((t) => t.id).sort(), [...perSource.gmail].sort(), 'gmail keeps its earlier tasks');
      const gmailBefore = before.sources.find((s) => s.source === 'gmail');
      assert.ok(kept.every((t) => t.kept_from === gmailBefore.fetched_at), 'each kept task names the fetch it comes from');
      await waitForCardSet(page, perSource.gmail, { scope: group('source:gmail'), what: 'gmail kept' });
      assert.equal(await page.locator(`${group('source:gmail')} .badge.kept`).count(), perSource.gmail.length,
        'every kept card says it was not refreshed');
      assert.match(status, /Showing what it had at \d\d:\d\d\./, `the status line says how old they are: "${status}"`);

      for (const s of PROVIDERS.filter((x) => x !== 'gmail')) {
        await waitForText(page, `[data-source-status="${s}"]`, /OK/);
        await waitForCardSet(page, perSource[s], { scope: group(`source:${s}`), what: `${s} after gmail failed` });
      }
      await screenshotDashboard(page, 'dashboard-e2e-source-failed');
    } finally {
      await simClear(base, 'gmail');
    }
    // Retry (the source's own button) brings it back.
    await refreshAndWait(page, { trigger: `${group('source:gmail')} .source-retry` });
    await waitForText(page, '[data-source-status="gmail"]', /OK/);
    const after = await plan();
    assert.equal(after.sources.find((s) => s.source === 'gmail').state, 'ok');
    assert.ok(after.tasks.every((t) => t.kept_from === undefined), 'fetched again, nothing is a kept task');
    await waitFor(async () => (await page.locator('.badge.kept').count()) === 0, {
      timeout: 10_000, message: 'no card marked not refreshed',
    });
    await showView(page, 'priority');
  });

  test('keyboard: / focuses search, j/k move between cards, g s / g p switch views, ? lists the keys', T, async () => {
    await fresh();
    await showView(page, 'priority');
    await blur(page);
    await page.keyboard.press('/');
    assert.equal((await focused(page))?.id, 'search', '/ focuses the search field');
    await page.keyboard.type('j');
    assert.equal(await page.inputValue(DASH.search), 'j', 'letters typed in search are text, not shortcuts');
    await page.fill(DASH.search, '');
    await page.keyboard.press('Escape');
    assert.notEqual((await focused(page))?.id, 'search', 'Escape leaves the search field');

    await blur(page);
    const order = await cardIds(page);
    assert.ok(order.length >= 3);
    await page.keyboard.press('j');
    assert.equal((await focused(page))?.taskId, order[0], 'j from nowhere focuses the first card');
    await page.keyboard.press('j');
    assert.equal((await focused(page))?.taskId, order[1], 'j moves to the next card');
    await page.keyboard.press('j');
    assert.equal((await focused(page))?.taskId, order[2]);
    await page.keyboard.press('k');
    assert.equal((await focused(page))?.taskId, order[1], 'k moves back');
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement);
      return { outline: s.outlineStyle, width: s.outlineWidth, shadow: s.boxShadow };
    });
    assert.ok((ring.outline !== 'none' && ring.width !== '0px') || ring.shadow !== 'none', `the focused card shows focus: ${JSON.stringify(ring)}`);

    await page.keyboard.press('g');
    await page.keyboard.press('s');
    await page.locator(`${DASH.viewSource}[aria-pressed="true"]`).waitFor();
    await page.locator('[data-group^="source:"]').first().waitFor();
    await expectParam('view', 'source', 'g s switches to the source view');
    await page.keyboard.press('g');
    await page.keyboard.press('p');
    await page.locator(`${DASH.viewPriority}[aria-pressed="true"]`).waitFor();
    await expectParam('view', null, 'g p goes back to the priority view');

    await blur(page);
    await page.keyboard.press('?');
    await page.locator(`${DASH.shortcutsDialog}[open]`).waitFor();
    await page.keyboard.press('Escape');
    await page.locator(`${DASH.shortcutsDialog}[open]`).waitFor({ state: 'detached' });
  });

  test('no CSP violation and no script error on any page of the run', T, async () => {
    await h.assertNoCspViolations();
    assert.deepEqual(h.pageErrors, [], `uncaught errors: ${JSON.stringify(h.pageErrors, null, 2)}`);
    // Sign-out still works at the end of it all.
    await page.click(SEL.signOut);
    await page.locator(SEL.signIn).waitFor();
  });
});
