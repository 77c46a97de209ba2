// axe-core over every screen and state of the dashboard (the activity view, the chat panel
// and the MCP dialog included), in the light and the dark theme:
// no violation of serious or critical impact (those found are printed with their targets;
// milder ones are printed as notes). Screenshots of both views in both themes go to
// e2e/artifacts/ (dashboard-priority-light.png, dashboard-source-dark.png, …).
//
// axe is put into the page with `page.evaluate(source)` (see lib/axe.mjs): the app's CSP
// forbids inline scripts, and evaluation through the DevTools protocol is not subject to it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { appBuilt, startBackend } from './lib/backend.mjs';
import { launchChromium } from './lib/chromium.mjs';
import { APP_TIMEOUT, SEL, openApp, screenshot } from './lib/app.mjs';
import { blocking, formatViolations, runAxe, runAxeDetailed } from './lib/axe.mjs';
import { AGENT, closeChat, openChat, showActivity, waitForTurnEnd } from './lib/agent.mjs';
import {
  DASH, PROVIDERS, THEME_KEY, blur, card, chooseTheme, ensurePlan, group, refreshAndWait, revealCard,
  screenshotDashboard, settleAnimations, showView, signIn, simClear, simFault, snapshot, themeOf, tokenOf,
  withAllCardsRendered,
} from './lib/dashboard.mjs';

const notBuilt = appBuilt();
const T = { timeout: 240_000 };
const THEMES = ['light', 'dark'];
const FAILING = ['gmail', 'slack'];

describe('accessibility (axe-core), light and dark', { skip: notBuilt ?? false, timeout: 1_800_000 }, () => {
  let backend;
  let h;
  let page;
  let base;
  let dismissedId;
  const report = [];

  before(async () => {
    backend = await startBackend();
    base = backend.url;
    h = await launchChromium();
    page = h.page;
  });

  after(async () => {
    if (base) for (const s of PROVIDERS) await simClear(base, s).catch(() => {});
    if (report.length) {
      console.log(`axe summary per state (rules passed; serious/critical violations; milder ones; checks axe could not decide):\n${
        report.map((r) => `  ${r.state}: ${r.passes} rules passed, ${r.blocking} serious/critical, ${r.other} other, undecided: ${r.undecided || 'none'}`).join('\n')}`);
    }
    await h?.close();
    await backend?.close();
  });

  /** Runs axe on the page as it is; fails on serious/critical violations. */
  async function axe(state, theme) {
    assert.equal(await themeOf(page), theme, `the page is in the ${theme} theme`);
    await settleAnimations(page);
    // Cards use `content-visibility: auto`: off-screen ones are not rendered, and axe cannot
    // tell their contrast ("undecided"). Render them all while axe looks.
    const result = await withAllCardsRendered(page, () => runAxeDetailed(page));
    const { violations, incomplete, passes } = result;
    const bad = blocking(violations);
    const other = violations.filter((v) => !bad.includes(v));
    const undecided = incomplete.map((v) => `${v.id}×${v.count}`).join(', ');
    report.push({ state: `${state} (${theme})`, blocking: bad.length, other: other.length, passes, undecided });
    if (other.length) console.log(`axe notes, ${state} (${theme}), moderate/minor:\n${formatViolations(other)}`);
    if (bad.length) console.log(`axe VIOLATIONS, ${state} (${theme}):\n${formatViolations(bad)}`);
    assert.equal(bad.length, 0, `${state} (${theme}): serious/critical axe violations:\n${formatViolations(bad)}`);
  }

  for (const theme of THEMES) {
    test(`signed-out screen (${theme})`, T, async () => {
      await openApp(page, base);
      await page.evaluate(([k, v]) => localStorage.setItem(k, v), [THEME_KEY, theme]);
      await page.reload();
      await page.locator(SEL.signIn).waitFor({ timeout: APP_TIMEOUT });
      await page.locator(`html[data-theme="${theme}"]`).waitFor({ state: 'attached', timeout: APP_TIMEOUT });
      await screenshot(page, `signed-out-${theme}`);
      await axe('signed-out screen', theme);
    });
  }

  test('sign in and load the plan', T, async () => {
    await signIn(page, base);
    await ensurePlan(page);
  });

  for (const theme of THEMES) {
    test(`priority view (${theme})`, T, async () => {
      await chooseTheme(page, theme);
      await showView(page, 'priority');
      await page.locator(`${group('critical')} ${DASH.card}`).first().waitFor();
      await screenshotDashboard(page, `dashboard-priority-${theme}`);
      await axe('priority view', theme);
    });
  }

  for (const theme of THEMES) {
    test(`priority view at a phone width, 390 px (${theme})`, T, async () => {
      await chooseTheme(page, theme);
      await page.setViewportSize({ width: 390, height: 844 });
      try {
        await showView(page, 'priority');
        await settleAnimations(page);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 1, `no horizontal scrolling at 390 px (overflow ${overflow} px)`);
        await screenshotDashboard(page, `dashboard-priority-phone-${theme}`);
        await axe('priority view, 390 px', theme);
      } finally {
        await page.setViewportSize({ width: 1280, height: 900 });
      }
    });
  }

  for (const theme of THEMES) {
    test(`source view (${theme})`, T, async () => {
      await chooseTheme(page, theme);
      await showView(page, 'source');
      await page.locator('[data-source-status]').first().waitFor();
      await screenshotDashboard(page, `dashboard-source-${theme}`);
      await axe('source view', theme);
    });
  }

  for (const theme of THEMES) {
    test(`dismissed tasks shown (${theme})`, T, async () => {
      await chooseTheme(page, theme);
      await showView(page, 'priority');
      if (!dismissedId) {
        const snap = await snapshot(base, await tokenOf(page));
        const target = snap.tasks.find((t) => t.source === 'slack' && t.dismissible && !t.dismissed)
          ?? snap.tasks.find((t) => t.dismissible && !t.dismissed);
        dismissedId = target.id;
        await revealCard(page, dismissedId);
        await page.click(`${card(dismissedId)} .task-dismiss`);
        await page.locator(card(dismissedId)).waitFor({ state: 'detached', timeout: APP_TIMEOUT });
      }
      await page.check(DASH.showDismissed);
      await revealCard(page, dismissedId);
      await page.locator(`${card(dismissedId)}.dismissed`).waitFor({ timeout: APP_TIMEOUT });
      await screenshotDashboard(page, `dashboard-dismissed-${theme}`);
      await axe('dismissed shown', theme);
      await page.uncheck(DASH.showDismissed);
    });
  }

  for (const theme of THEMES) {
    test(`shortcut help dialog (${theme})`, T, async () => {
      await chooseTheme(page, theme);
      await blur(page);
      await page.keyboard.press('?');
      await page.locator(`${DASH.shortcutsDialog}[open]`).waitFor({ timeout: APP_TIMEOUT });
      await settleAnimations(page);
      await screenshotDashboard(page, `dashboard-shortcuts-${theme}`);
      await axe('shortcut help dialog', theme);
      await page.keyboard.press('Escape');
      await page.locator(`${DASH.shortcutsDialog}[open]`).waitFor({ state: 'detached', timeout: APP_TIMEOUT });
    });
  }

  for (const theme of THEMES) {
    test(`activity view (${theme})`, T, async () => {
      await chooseTheme(page, theme);
      await showActivity(page);
      await page.locator(`${AGENT.group} .activity-entry`).first().waitFor({ timeout: APP_TIMEOUT });
      await screenshotDashboard(page, `activity-${theme}`);
      await axe('activity view', theme);
    });
  }

  for (const theme of THEMES) {
    test(`"Connect an MCP client" dialog (${theme})`, T, async () => {
      await chooseTheme(page, theme);
      await showActivity(page);
      await page.click(AGENT.mcpConnect);
      await page.locator(`${AGENT.mcpDialog}[open]`).waitFor({ timeout: APP_TIMEOUT });
      await settleAnimations(page);
      await screenshotDashboard(page, `mcp-dialog-${theme}`);
      await axe('MCP dialog', theme);
      await page.click(AGENT.mcpClose);
      await page.locator(`${AGENT.mcpDialog}[open]`).waitFor({ state: 'detached', timeout: APP_TIMEOUT });
    });
  }

  for (const theme of THEMES) {
    test(`chat panel open with a conversation (${theme})`, T, async () => {
      await chooseTheme(page, theme);
      await showView(page, 'priority');
      await openChat(page);
      if ((await page.locator(AGENT.agentMsg).count()) === 0) {
        // No LLM in this run: "Plan my day" still answers, with a notice and a tool chip.
        await page.click(AGENT.plan);
        await waitForTurnEnd(page);
      }
      await page.locator(AGENT.agentMsg).first().waitFor({ timeout: APP_TIMEOUT });
      await settleAnimations(page);
      await screenshotDashboard(page, `chat-${theme}`);
      await axe('chat panel open', theme);
      await closeChat(page);
    });
  }

  test('inject failures: gmail 500, slack garbage', T, async () => {
    await simFault(base, FAILING[0], { mode: { kind: 'status', status: 500 } });
    await simFault(base, FAILING[1], { mode: { kind: 'garbage' } });
    await refreshAndWait(page);
    const snap = await snapshot(base, await tokenOf(page));
    for (const s of FAILING) {
      assert.equal(snap.sources.find((x) => x.source === s)?.state, 'failed', `${s} failed`);
    }
  });

  for (const theme of THEMES) {
    test(`some sources failed, source view (${theme})`, T, async () => {
      await chooseTheme(page, theme);
      await showView(page, 'source');
      await page.locator(`[data-source-status="${FAILING[0]}"] .failed`).waitFor({ timeout: APP_TIMEOUT });
      await screenshotDashboard(page, `dashboard-failed-${theme}`);
      await axe('some sources failed (source view)', theme);
      await showView(page, 'priority');
      await axe('some sources failed (priority view)', theme);
    });
  }

  test('clear the faults', T, async () => {
    for (const s of FAILING) await simClear(base, s);
    await refreshAndWait(page);
    await chooseTheme(page, 'light');
  });

  test('the harness itself: axe finds a planted low-contrast text and an image without alt', T, async () => {
    // Guards against a silently empty axe run (e.g. axe not loaded, or run on nothing).
    await page.evaluate(() => {
      const main = document.querySelector('main') ?? document.body;
      const p = document.createElement('p');
      p.id = 'axe-planted-text';
      p.textContent = 'planted low-contrast text';
      p.style.color = '#eeeeee';
      p.style.background = '#ffffff';
      const img = document.createElement('img');
      img.id = 'axe-planted-img';
      img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
      main.append(p, img);
    });
    try {
      const found = blocking(await runAxe(page));
      const ids = found.map((v) => v.id);
      assert.ok(ids.includes('color-contrast'), `color-contrast found: ${ids}`);
      assert.ok(ids.includes('image-alt'), `image-alt found: ${ids}`);
    } finally {
      await page.evaluate(() => {
        document.getElementById('axe-planted-text')?.remove();
        document.getElementById('axe-planted-img')?.remove();
      });
    }
  });
});
