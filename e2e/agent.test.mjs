// Todaygent, the day plan and "Connect an MCP client" end to end, in demo mode (real
// backend, provider simulators, Debian Chromium):
// - without an LLM: the chat says so and "Plan my day" is answered with the day plan,
//   which the timeline shows too (focus/prep/break blocks, "Not today");
// - "Connect an MCP client" shows an MCP-audience token (refused by /api, never stored);
// - with a scripted LLM speaking the Anthropic streaming format (lib/llm.mjs): a proposed
//   dismiss waits for the user; Deny leaves the task, Allow dismisses it, and the Activity
//   view records both answers in the chat turns.
//
// Needs the backend binary (PMT_BIN) and the built PWA (PMT_DIST); skipped with a reason otherwise.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { appBuilt, startBackend } from './lib/backend.mjs';
import { launchChromium, webStorage } from './lib/chromium.mjs';
import { APP_TIMEOUT, waitForText } from './lib/app.mjs';
import {
  api, card, ensurePlan, revealCard, screenshotDashboard, showView, signIn, snapshot, tokenOf,
} from './lib/dashboard.mjs';
import {
  AGENT, activityGroups, closeChat, lastReply, openChat, sendChat, showActivity, waitForTurnEnd,
} from './lib/agent.mjs';
import { contentText, isToolResult, lastMessage, startScriptedLlm, text, toolUse } from './lib/llm.mjs';

const notBuilt = appBuilt();
const T = { timeout: 240_000 };

describe('Todaygent without an LLM, the day plan, MCP (demo mode)', { skip: notBuilt ?? false, timeout: 1_800_000 }, () => {
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
    await h?.close();
    await backend?.close();
  });

  test('sign in and load the plan', T, async () => {
    await signIn(page, base);
    token = await tokenOf(page);
    await ensurePlan(page);
  });

  test('the timeline shows the day plan: blocks beside the meetings and "Not today"', T, async () => {
    const plan = await api(base, token, 'GET', '/api/plan');
    assert.equal(plan.status, 200, `GET /api/plan: ${plan.text}`);
    await waitForText(page, '#timeline-heading', /Today's plan/);
    const shown = plan.json.blocks.filter((b) => b.kind !== 'meeting');
    const onScreen = await page.locator('.timeline .slot.block').count();
    assert.equal(onScreen, shown.length, 'every focus/prep/break block is on the timeline');
    if (shown.length) {
      const first = page.locator('.timeline .slot.block').first();
      const label = { focus: 'Focus', prep: 'Prep', break: 'Break' }[shown[0].kind];
      assert.match(await first.textContent(), new RegExp(`${label}: `), 'the kind is said in words');
    }
    if (plan.json.not_today.length) {
      const list = await page.locator('.not-today').textContent();
      assert.ok(list.includes(plan.json.not_today[0].title), 'not-today items are listed');
      assert.ok(list.includes(plan.json.not_today[0].reason), 'with their reason');
    }
    await screenshotDashboard(page, 'timeline-day-plan');
  });

  test('without an LLM the chat says so, and "Plan my day" answers with the plan', T, async () => {
    await openChat(page);
    assert.equal(await page.locator(AGENT.toggle).getAttribute('aria-expanded'), 'true');
    await page.locator(AGENT.noLlm).waitFor({ timeout: APP_TIMEOUT });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'chat-input', 'focus in the message box');
    await page.click(AGENT.plan);
    await waitForTurnEnd(page);
    const reply = await lastReply(page);
    const plan = await api(base, token, 'GET', '/api/plan');
    const focus = plan.json.blocks.find((b) => b.kind === 'focus');
    if (focus) assert.ok(reply.includes(focus.title), `the reply names the first focus block "${focus.title}": ${reply}`);
    assert.match(reply, /\d{2}:\d{2}/, 'with times');
    assert.equal(await page.locator('.tool-chip[data-tool="plan_my_day"]').getAttribute('data-state'), 'ok');
    await waitForText(page, AGENT.announcer, /^Todaygent replied: /);
    // Model output is never HTML.
    assert.equal(await page.locator(`${AGENT.log} script, ${AGENT.log} img, ${AGENT.log} iframe`).count(), 0);
    await screenshotDashboard(page, 'chat-plan-my-day');
    // Any other message gets the plain "what works" answer.
    await sendChat(page, 'Dismiss everything from Slack');
    await waitForTurnEnd(page);
    assert.match(await lastReply(page), /plan my day/i);
    await page.keyboard.press('Escape');
    await page.locator(AGENT.panel).waitFor({ state: 'detached', timeout: APP_TIMEOUT });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'chat-toggle', 'focus back on the button');
  });

  test('"Connect an MCP client" shows an MCP token that /api refuses and the page does not keep', T, async () => {
    await showActivity(page);
    await page.click(AGENT.mcpConnect);
    await page.locator(`${AGENT.mcpDialog}[open]`).waitFor({ timeout: APP_TIMEOUT });
    const mcpToken = await page.inputValue(AGENT.mcpToken);
    assert.match(mcpToken, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT');
    assert.notEqual(mcpToken, token);
    const url = await page.inputValue(AGENT.mcpUrl);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/, url);
    assert.match(await page.locator('#mcp-expiry').textContent(), /^Expires in \d+ min/);
    const config = JSON.parse(await page.inputValue('#mcp-config'));
    assert.deepEqual(config.mcpServers['plan-my-today'].args, ['mcp-remote', url, '--header', `Authorization: Bearer ${mcpToken}`]);
    const refused = await api(base, mcpToken, 'GET', '/api/tasks');
    assert.equal(refused.status, 401, 'an MCP-audience token is refused by the dashboard API');
    await screenshotDashboard(page, 'mcp-dialog');
    await page.click(AGENT.mcpClose);
    await page.locator(`${AGENT.mcpDialog}[open]`).waitFor({ state: 'detached', timeout: APP_TIMEOUT });
    // The dialog's `close` event (which forgets the token) is a task queued after `open`
    // goes away: wait for it instead of racing it.
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.value === '',
      AGENT.mcpToken,
      { timeout: APP_TIMEOUT },
    ).catch(() => {});
    assert.equal(await page.inputValue(AGENT.mcpToken), '', 'forgotten on close');
    const { session, local } = await webStorage(page);
    for (const v of [...Object.values(session), ...Object.values(local)]) {
      assert.ok(!v.includes(mcpToken), 'the MCP token is not in web storage');
    }
    await showView(page, 'priority');
  });

  test('no CSP violation on the way', T, async () => {
    await h.assertNoCspViolations();
  });
});

describe('Todaygent with a scripted LLM: Allow and Deny (demo mode)', { skip: notBuilt ?? false, timeout: 1_800_000 }, () => {
  let llm;
  let backend;
  let h;
  let page;
  let base;
  let token;

  /**
   * The model: "dismiss <task id>" → it proposes dismiss_task for that id; after the tool
   * result it says what happened.
   */
  function script(body) {
    const last = lastMessage(body);
    if (isToolResult(last)) {
      const result = contentText(last);
      return /denied|not run|refused/i.test(result)
        ? text('Understood: I left it where it is.')
        : text('Done: it is dismissed.');
    }
    const asked = contentText(last);
    const id = asked.match(/dismiss (\S+)/i)?.[1];
    if (!id) return text('I can only dismiss, restore or re-prioritize after you confirm.');
    return toolUse([{ name: 'dismiss_task', input: { task_id: id } }], 'I will dismiss it if you allow it.');
  }

  before(async () => {
    llm = await startScriptedLlm(script);
    backend = await startBackend({ env: llm.backendEnv });
    base = backend.url;
    h = await launchChromium();
    page = h.page;
  });

  after(async () => {
    await h?.close();
    await backend?.close();
    await llm?.close();
  });

  let target;

  test('sign in; the chat names the model', T, async () => {
    await signIn(page, base);
    token = await tokenOf(page);
    await ensurePlan(page);
    const snap = await snapshot(base, token);
    target = snap.tasks.find((t) => t.dismissible && !t.dismissed);
    assert.ok(target, 'a dismissible task');
    await openChat(page);
    await waitForText(page, '.chat-sub', /scripted-model/);
    assert.equal(await page.locator(AGENT.noLlm).isVisible(), false, 'an LLM is configured');
  });

  test('Deny: the task stays, and the agent is told', T, async () => {
    await sendChat(page, `Please dismiss ${target.id}`);
    const confirm = page.locator('.confirm-card').first();
    await confirm.waitFor({ timeout: APP_TIMEOUT });
    assert.match(await confirm.textContent(), new RegExp(target.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    await waitForText(page, AGENT.announcer, /Allow or Deny/);
    await screenshotDashboard(page, 'chat-confirmation');
    await confirm.locator('.confirm-deny').click();
    await waitForTurnEnd(page);
    await waitForText(page, '.confirm-card >> nth=0 >> .confirm-outcome', /^Denied/);
    assert.ok(await confirm.locator('.confirm-allow').isDisabled());
    assert.ok(await confirm.locator('.confirm-deny').isDisabled());
    assert.match(await lastReply(page), /left it/);
    const snap = await snapshot(base, token);
    assert.equal(snap.tasks.find((t) => t.id === target.id)?.dismissed, false, 'not dismissed');
    await revealCard(page, target.id);
  });

  test('Allow: the task is dismissed and leaves the list', T, async () => {
    await sendChat(page, `Please dismiss ${target.id}`);
    await page.locator('.confirm-card').nth(1).waitFor({ timeout: APP_TIMEOUT });
    const confirm = page.locator('.confirm-card').nth(1);
    await confirm.locator('.confirm-allow').click();
    await waitForTurnEnd(page);
    await waitForText(page, '.confirm-card >> nth=1 >> .confirm-outcome', /^Allowed/);
    assert.match(await lastReply(page), /dismissed/);
    const snap = await snapshot(base, token);
    assert.equal(snap.tasks.find((t) => t.id === target.id)?.dismissed, true, 'dismissed at the backend');
    await page.locator(card(target.id)).waitFor({ state: 'detached', timeout: APP_TIMEOUT });
    assert.equal(await page.locator('.tool-chip[data-tool="dismiss_task"]').last().getAttribute('data-state'), 'ok');
  });

  test('the Activity view shows both chat turns with the answers given', T, async () => {
    await closeChat(page);
    await showActivity(page);
    const turns = (await activityGroups(page)).filter((g) => g.kind === 'chat_turn');
    assert.ok(turns.length >= 2, `two chat turns: ${JSON.stringify(turns.map((t) => t.title))}`);
    assert.match(turns[0].title, / · Todaygent$/);
    const calls = turns.flatMap((t) => t.entries.filter((e) => e.kind === 'tool_call' && e.chain.endsWith('tool dismiss_task')));
    assert.ok(calls.some((c) => /allowed by you/.test(c.text) && c.outcome === 'ok'), 'the allowed dismiss');
    assert.ok(calls.some((c) => /denied by you/.test(c.text) && c.outcome !== 'ok'), 'the denied dismiss');
    await screenshotDashboard(page, 'activity-chat-turns');
    await showView(page, 'priority');
  });

  test('no CSP violation on the way', T, async () => {
    await h.assertNoCspViolations();
  });
});
