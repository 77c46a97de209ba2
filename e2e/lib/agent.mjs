// The DOM contract of Todaygent's chat, the Activity view, the per-source switch, the day
// plan and the MCP dialog, and the steps their suites share.
//
//   #chat-toggle (aria-expanded)   #chat-panel (aside)  #chat-close  #chat-input (textarea)
//   #chat-send / #chat-stop  #chat-plan ("Plan my day")  #chat-no-llm (no LLM configured)
//   #chat-log > .msg.user | .msg.agent | .tool-chip[data-tool][data-state=running|ok|failed]
//             | .confirm-card[data-confirmation] (.confirm-allow .confirm-deny .confirm-outcome)
//             | .chat-notice | .chat-error
//   #chat-announcer (role=status: a finished reply, a confirmation waiting, a failure)
//   #view-activity  #activity  .activity-group[data-group-kind=refresh|chat_turn|mcp|action][data-group-id]
//       .activity-group-title  .activity-entry[data-kind=exchange|tool_call][data-outcome][data-source]
//       .chain-text ("client → user → resource")  #activity-reload  #activity-more
//   #switch-<source> (checkbox, role=switch, label "Fetch <Source>")
//   .timeline .slot.block[data-block=focus|prep|break]  .not-today
//   #mcp-connect  #mcp-dialog  #mcp-url  #mcp-token  #mcp-expiry  #mcp-config  #mcp-command  #mcp-close
import assert from 'node:assert/strict';

import { APP_TIMEOUT, waitForText } from './app.mjs';
import { waitFor } from './ports.mjs';

export const AGENT = {
  toggle: '#chat-toggle',
  panel: '#chat-panel',
  close: '#chat-close',
  input: '#chat-input',
  send: '#chat-send',
  stop: '#chat-stop',
  plan: '#chat-plan',
  noLlm: '#chat-no-llm',
  log: '#chat-log',
  agentMsg: '#chat-log .msg.agent',
  announcer: '#chat-announcer',
  viewActivity: '#view-activity',
  activity: '#activity',
  group: '.activity-group',
  reload: '#activity-reload',
  mcpConnect: '#mcp-connect',
  mcpDialog: '#mcp-dialog',
  mcpToken: '#mcp-token',
  mcpUrl: '#mcp-url',
  mcpClose: '#mcp-close',
};

/** Opens the chat drawer (if closed) and waits for the message box. */
export async function openChat(page) {
  if ((await page.locator(AGENT.panel).count()) === 0) await page.click(AGENT.toggle);
  await page.locator(AGENT.input).waitFor({ timeout: APP_TIMEOUT });
}

/** Closes the chat drawer. */
export async function closeChat(page) {
  if ((await page.locator(AGENT.panel).count()) === 0) return;
  await page.click(AGENT.close);
  await page.locator(AGENT.panel).waitFor({ state: 'detached', timeout: APP_TIMEOUT });
}

/** Whether no turn runs: Send is shown, Stop hidden. */
async function idle(page) {
  return (await page.locator(AGENT.send).isVisible()) && !(await page.locator(AGENT.stop).isVisible());
}

/**
 * Sends a message (typed, Enter) and waits until the chat shows it. (Waiting for Stop
 * would wait out the timeout when the turn ends at once, as without an LLM.)
 */
export async function sendChat(page, message) {
  const mine = page.locator('#chat-log .msg.user');
  const before = await mine.count();
  await page.fill(AGENT.input, message);
  await page.press(AGENT.input, 'Enter');
  await waitFor(async () => (await mine.count()) > before, {
    timeout: APP_TIMEOUT,
    message: 'the message to appear in the chat',
  });
}

/** Waits until no turn runs (Send is back). */
export async function waitForTurnEnd(page, timeout = 120_000) {
  await waitFor(() => idle(page), { timeout, message: 'the chat turn to end' });
}

/** The text of the last agent bubble. */
export async function lastReply(page) {
  const replies = page.locator(AGENT.agentMsg);
  const n = await replies.count();
  return n ? (await replies.nth(n - 1).textContent()) ?? '' : '';
}

/**
 * Shows the Activity view and waits for it to load (it loads each time it opens; when it
 * is already open, it is reloaded).
 */
export async function showActivity(page) {
  if ((await page.locator(`${AGENT.viewActivity}[aria-pressed="true"]`).count()) > 0) {
    await reloadActivity(page);
    return;
  }
  const loaded = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/activity', { timeout: APP_TIMEOUT });
  await page.click(AGENT.viewActivity);
  await page.locator(`${AGENT.viewActivity}[aria-pressed="true"]`).waitFor({ timeout: APP_TIMEOUT });
  const res = await loaded;
  assert.equal(res.status(), 200, `GET /api/activity answered ${res.status()}`);
  await page.locator(`${AGENT.activity} [aria-busy="false"]`).waitFor({ timeout: APP_TIMEOUT });
}

/** Reloads the Activity view with its button and waits for the answer. */
export async function reloadActivity(page) {
  const loaded = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/activity', { timeout: APP_TIMEOUT });
  await page.click(AGENT.reload);
  await loaded;
  await page.locator(`${AGENT.activity} [aria-busy="false"]`).waitFor({ timeout: APP_TIMEOUT });
}

/** The groups of the Activity view as data, in screen order. */
export async function activityGroups(page) {
  return page.$$eval('.activity-group', (groups) => groups.map((g) => ({
    kind: g.getAttribute('data-group-kind'),
    id: g.getAttribute('data-group-id'),
    title: g.querySelector('.activity-group-title')?.textContent ?? '',
    summary: g.querySelector('.group-summary')?.textContent ?? '',
    entries: [...g.querySelectorAll('.activity-entry')].map((e) => ({
      kind: e.getAttribute('data-kind'),
      outcome: e.getAttribute('data-outcome'),
      source: e.getAttribute('data-source'),
      chain: e.querySelector('.chain-text')?.textContent ?? '',
      text: e.textContent ?? '',
    })),
  })));
}

/** Sets a source's switch (source view) and waits for the server's answer. */
export async function setSource(page, source, on) {
  const sel = `#switch-${source}`;
  await page.locator(sel).waitFor({ timeout: APP_TIMEOUT });
  if ((await page.locator(sel).isChecked()) === on) return;
  const answered = page.waitForResponse(
    (r) => r.request().method() === 'PUT' && new URL(r.url()).pathname === `/api/sources/${source}`,
    { timeout: APP_TIMEOUT },
  );
  await page.click(sel);
  const res = await answered;
  assert.equal(res.status(), 200, `PUT /api/sources/${source} answered ${res.status()}`);
  await waitFor(async () => (await page.locator(sel).isChecked()) === on, { timeout: APP_TIMEOUT, message: `${sel} ${on}` });
}

/** Waits for a source's status line in the source view to match `re`. */
export async function waitForSourceStatus(page, source, re) {
  return waitForText(page, `[data-source-status="${source}"]`, re);
}
