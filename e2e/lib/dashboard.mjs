// The dashboard's DOM contract and the steps the dashboard suites share.
//
//   #search #view-priority #view-source #refresh #show-dismissed #theme (select: system/light/dark)
//   #filters (details) > summary, chips #filter-source-<source>, #filter-priority-<level>, #clear-filters
//   cards [data-task-id="<source>:<id>"] inside groups [data-group="critical"|…|"source:linear"]
//   card buttons .task-dismiss .task-restore .task-boost .task-demote .task-clear-override
//                .task-edit .task-delete (ad-hoc; "Confirm delete" on the second press) .adhoc-save
//   ad-hoc quick add #adhoc-title #adhoc-due #adhoc-priority #adhoc-add
//   #snapshot-age ("loading…", "not fetched yet", "as of 09:12"), #announcer (role=status)
//   [data-source-status="gmail"] (source view: "OK · 6 fetched · 2m ago" / "Failed 1m ago: <reason>")
//   .source-retry, #shortcuts-dialog (the `?` list), #shortcuts-close
//   .show-more: a group shows its first cards only ("Show more (N not shown)"); the helpers
//   that compare what is on screen with the plan press it until every card is there
//   <html data-theme="light|dark">, localStorage pmt.theme
import assert from 'node:assert/strict';

import { APP_TIMEOUT, SEL, openApp, screenshot, sessionOf, visible, waitForText } from './app.mjs';
import { waitFor } from './ports.mjs';

export const DASH = {
  search: '#search',
  viewPriority: '#view-priority',
  viewSource: '#view-source',
  refresh: '#refresh',
  showDismissed: '#show-dismissed',
  theme: '#theme',
  filters: '#filters',
  filtersSummary: '#filters > summary',
  clearFilters: '#clear-filters',
  adhocTitle: '#adhoc-title',
  adhocDue: '#adhoc-due',
  adhocPriority: '#adhoc-priority',
  adhocAdd: '#adhoc-add',
  snapshotAge: '#snapshot-age',
  announcer: '#announcer',
  shortcutsDialog: '#shortcuts-dialog',
  shortcutsClose: '#shortcuts-close',
  card: '[data-task-id]',
  showMore: '.show-more',
};

export const THEME_KEY = 'pmt.theme';

/** The seven providers, in display order. */
export const PROVIDERS = ['google_calendar', 'gmail', 'google_drive', 'linear', 'github', 'slack', 'granola'];
export const PRIORITIES = ['critical', 'high', 'medium', 'low'];
/** `Source::label()` of the wire crate: search looks at it too. */
export const SOURCE_LABELS = {
  google_calendar: 'Calendar',
  gmail: 'Gmail',
  google_drive: 'Drive',
  linear: 'Linear',
  github: 'GitHub',
  slack: 'Slack',
  granola: 'Granola',
  ad_hoc: 'My tasks',
};

/** The selector of one task's card. */
export function card(id) {
  return `[data-task-id="${String(id).replace(/["\\]/g, '\\$&')}"]`;
}

/** The selector of one group. */
export function group(key) {
  return `[data-group="${key}"]`;
}

/** Signs in through the demo authorization server's consent page. */
export async function signIn(page, base, pathname = '/') {
  await openApp(page, base, pathname);
  if (await page.locator(SEL.identity).count()) return;
  await page.click(SEL.signIn);
  await visible(page, SEL.consentAllow);
  await page.click(SEL.consentAllow);
  await waitForText(page, SEL.identity, /Dana Demo/);
}

/** Whether a refresh is running (the refresh button is aria-busy). */
export async function refreshing(page) {
  return (await page.locator(DASH.refresh).getAttribute('aria-busy')) === 'true';
}

export async function waitForRefreshIdle(page, timeout = 120_000) {
  await page.locator(`${DASH.refresh}[aria-busy="false"]`).waitFor({ state: 'visible', timeout });
}

/**
 * Clicks #refresh (or `trigger`, e.g. a source's Retry) and waits for the refresh to end:
 * the POST to /api/refresh[/stream] must have finished and the button must be idle again.
 */
export async function refreshAndWait(page, { trigger = DASH.refresh, timeout = 120_000 } = {}) {
  await waitForRefreshIdle(page, timeout);
  const answered = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname.startsWith('/api/refresh'),
    { timeout },
  );
  await page.click(trigger);
  const res = await answered;
  await res.finished().catch(() => {});
  assert.ok(res.status() < 400, `refresh answered ${res.status()}`);
  await waitForRefreshIdle(page, timeout);
}

/**
 * Waits for the dashboard to have a plan: loaded, no refresh running, and a snapshot
 * ("as of …"). The app refreshes by itself when there has never been one; if it still
 * says "not fetched yet" after that, #refresh is clicked.
 */
export async function ensurePlan(page, timeout = 180_000) {
  await visible(page, DASH.refresh, timeout);
  const end = Date.now() + timeout;
  let clicked = false;
  let notFetchedSince = 0;
  for (;;) {
    const age = (await page.locator(DASH.snapshotAge).textContent().catch(() => '')) ?? '';
    const busy = await refreshing(page).catch(() => true);
    if (!busy && /as of/i.test(age) && (await page.locator(DASH.card).count()) > 0) return;
    if (!busy && /not fetched/i.test(age)) {
      notFetchedSince ||= Date.now();
      if (!clicked && Date.now() - notFetchedSince > 1_500) {
        clicked = true;
        await refreshAndWait(page);
        continue;
      }
    } else {
      notFetchedSince = 0;
    }
    if (Date.now() > end) throw new Error(`no plan after ${timeout} ms: #snapshot-age "${age}", busy ${busy}`);
    await page.waitForTimeout(200);
  }
}

/**
 * Presses every "Show more" (inside `scope`) until none is left, so every card of the
 * current view is in the DOM. Returns how many presses it took.
 */
export async function expandAll(page, scope = '') {
  let presses = 0;
  for (let i = 0; i < 200; i += 1) {
    const more = page.locator(`${scope} ${DASH.showMore}`.trim());
    if ((await more.count()) === 0) return presses;
    await more.first().click().catch(() => {}); // it may go away under us (re-render)
    presses += 1;
  }
  return presses;
}

/** Waits for a task's card, pressing "Show more" as needed; returns its locator. */
export async function revealCard(page, id, timeout = APP_TIMEOUT) {
  const loc = page.locator(card(id));
  await waitFor(async () => {
    if ((await loc.count()) > 0) return true;
    await expandAll(page);
    return (await loc.count()) > 0;
  }, { timeout, message: `card ${id}` });
  return loc.first();
}

/** Ids of the cards on screen (in document order), optionally inside `scope`. */
export async function cardIds(page, scope = '') {
  return page.$$eval(`${scope} ${DASH.card}`.trim(), (els) => els
    .filter((e) => e.getClientRects().length > 0)
    .map((e) => e.getAttribute('data-task-id')));
}

/** The `data-group` of the group holding a card (null when the card is not shown). */
export async function groupOf(page, id) {
  const loc = page.locator(card(id));
  if ((await loc.count()) === 0) return null;
  return loc.first().evaluate((e) => e.closest('[data-group]')?.getAttribute('data-group') ?? null);
}

/** Waits until `groupOf(id)` is `key`. */
export async function waitForGroup(page, id, key, timeout = APP_TIMEOUT) {
  let last;
  await waitFor(async () => {
    last = await groupOf(page, id);
    if (last !== key) {
      await expandAll(page);
      last = await groupOf(page, id);
    }
    return last === key;
  }, { timeout, message: `card ${id} in group ${key}` }).catch((e) => {
    throw new Error(`${e.message} (it is in ${last})`);
  });
}

/** Waits until the cards on screen are exactly `expected` (as a set); returns them. */
export async function waitForCardSet(page, expected, { timeout = APP_TIMEOUT, scope = '', what = 'cards' } = {}) {
  const want = [...new Set(expected)].sort();
  let got = [];
  const end = Date.now() + timeout;
  for (;;) {
    await expandAll(page, scope);
    got = [...new Set(await cardIds(page, scope))].sort();
    if (JSON.stringify(got) === JSON.stringify(want)) return got;
    if (Date.now() > end) break;
    await page.waitForTimeout(100);
  }
  const missing = want.filter((x) => !got.includes(x));
  const extra = got.filter((x) => !want.includes(x));
  assert.fail(`${what}: expected ${want.length} cards, got ${got.length}; missing ${JSON.stringify(missing)}; unexpected ${JSON.stringify(extra)}`);
}

/** The session token of the page (sessionStorage pmt.session). */
export async function tokenOf(page) {
  const s = await sessionOf(page);
  assert.ok(s?.token, 'not signed in: no pmt.session');
  return s.token;
}

/** A JSON call to the backend with the page's session token. */
export async function api(base, token, method, pathname, body) {
  const res = await fetch(new URL(pathname, base), {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, json, text };
}

/** GET /api/tasks: the stored snapshot with decisions applied. */
export async function snapshot(base, token) {
  const r = await api(base, token, 'GET', '/api/tasks');
  assert.equal(r.status, 200, `GET /api/tasks answered ${r.status}: ${r.text}`);
  return r.json;
}

/** Lower-cased title, snippet, source name and people: what the app's search looks at. */
export function haystack(t) {
  const parts = [t.title];
  if (t.snippet) parts.push(t.snippet);
  parts.push(SOURCE_LABELS[t.source] ?? t.source);
  for (const p of t.people ?? []) parts.push(p.handle ? `${p.name} ${p.handle}` : p.name);
  return parts.join('\n').toLowerCase();
}

/** Whether a task matches a search (every whitespace-separated term, case-insensitive). */
export function matches(t, query) {
  const h = haystack(t);
  return query.toLowerCase().split(/\s+/).filter(Boolean).every((term) => h.includes(term));
}

/** Simulator fault control (demo mode): `PUT /sim/control/{source}`. */
export async function simFault(base, source, fault) {
  const res = await fetch(new URL(`/sim/control/${source}`, base), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  assert.ok(res.status < 300, `PUT /sim/control/${source} answered ${res.status}: ${await res.text()}`);
}

/** Clears a source's fault: `DELETE /sim/control/{source}`. */
export async function simClear(base, source) {
  const res = await fetch(new URL(`/sim/control/${source}`, base), { method: 'DELETE' });
  assert.ok(res.status < 300, `DELETE /sim/control/${source} answered ${res.status}`);
}

/** Marks a source's grant as revoked (or not) at the demo authorization server. */
export async function simGrant(base, source, revoked) {
  const res = await fetch(new URL(`/sim/control/${source}/grant`, base), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ revoked }),
  });
  assert.ok(res.status < 300, `PUT /sim/control/${source}/grant answered ${res.status}`);
}

/** Switches the view with its button and waits for its groups. */
export async function showView(page, view) {
  const button = view === 'source' ? DASH.viewSource : DASH.viewPriority;
  await page.click(button);
  await page.locator(`${button}[aria-pressed="true"]`).waitFor({ timeout: APP_TIMEOUT });
  const first = view === 'source' ? '[data-group^="source:"]' : PRIORITIES.map(group).join(', ');
  await page.locator(first).first().waitFor({ timeout: APP_TIMEOUT });
}

/** Chooses a theme in #theme and waits for `data-theme` (light/dark; system → either). */
export async function chooseTheme(page, theme) {
  await page.selectOption(DASH.theme, theme);
  if (theme !== 'system') {
    await page.locator(`html[data-theme="${theme}"]`).waitFor({ state: 'attached', timeout: APP_TIMEOUT });
  }
  await settleAnimations(page);
}

/** The `data-theme` of <html>. */
export async function themeOf(page) {
  return page.evaluate(() => document.documentElement.getAttribute('data-theme'));
}

/** Waits for running CSS transitions/animations to end (e.g. after a theme switch). */
export async function settleAnimations(page, timeout = 5_000) {
  await page.waitForFunction(
    () => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
    null,
    { timeout, polling: 100 },
  ).catch(() => {});
}

/** Removes focus from whatever has it (so single-key shortcuts are not typing). */
export async function blur(page) {
  await page.evaluate(() => {
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  });
}

/** What has focus: its id, task id and tag. */
export async function focused(page) {
  return page.evaluate(() => {
    const a = document.activeElement;
    return a ? { id: a.id, taskId: a.getAttribute('data-task-id'), tag: a.tagName.toLowerCase() } : null;
  });
}

/**
 * Runs `fn` with every card rendered: cards use `content-visibility: auto`, so the ones
 * outside the viewport are not painted (blank in a full-page screenshot) and axe cannot tell
 * their contrast. Set and restored through the CSSOM (not subject to the CSP).
 */
export async function withAllCardsRendered(page, fn) {
  await page.evaluate(() => document.querySelectorAll('.card').forEach((c) => c.style.setProperty('content-visibility', 'visible')));
  try {
    return await fn();
  } finally {
    await page.evaluate(() => document.querySelectorAll('.card').forEach((c) => c.style.removeProperty('content-visibility'))).catch(() => {});
  }
}

/** A full-page screenshot into e2e/artifacts/ with every card painted. */
export async function screenshotDashboard(page, name) {
  return withAllCardsRendered(page, () => screenshot(page, name));
}
