// The MCP server at /mcp end to end, with the official TypeScript SDK client from npm
// (@modelcontextprotocol/sdk), in demo mode: Dana signs in in the real dashboard, gets an MCP
// token the way the dashboard does (POST /api/mcp/token), connects a Streamable HTTP client
// with it as a desktop client would, lists the tools and their annotations, calls every read
// tool and a write tool, and sees the write in the dashboard. A missing token and her PWA
// session token both get 401 with the RFC 9728 metadata pointer. Finally the SDK's own OAuth
// flow (401 → RFC 9728 → RFC 8414 → authorization code + PKCE with a loopback redirect and
// resource=<mcp url>) against the demo authorization server's public desktop client.
//
// Needs the backend binary (PMT_BIN) and the built PWA (PMT_DIST); skipped with a reason otherwise.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { appBuilt, startBackend } from './lib/backend.mjs';
import { launchChromium } from './lib/chromium.mjs';
import { api, card, ensurePlan, revealCard, signIn, snapshot, tokenOf } from './lib/dashboard.mjs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import {
  DESKTOP_CLIENT_ID, DesktopOAuthProvider, approveOnDemoConsent, connectMcp, mcpToken, rawInitialize,
  resourceMetadataOf, resultJson,
} from './lib/mcp.mjs';
import { waitFor } from './lib/ports.mjs';

const notBuilt = appBuilt();
const T = { timeout: 240_000 };

const PROVIDERS = ['google_calendar', 'gmail', 'google_drive', 'linear', 'github', 'slack', 'granola'];
const READS = ['get_todays_tasks', 'refresh_all_sources', ...PROVIDERS.map((p) => `read_${p}`), 'plan_my_day'];
const WRITES = ['dismiss_task', 'restore_task', 'set_task_priority'];

describe('MCP server (demo mode, official TypeScript SDK)', { skip: notBuilt ?? false, timeout: 900_000 }, () => {
  let backend;
  let base;
  let h;
  let page;
  let session;
  let issued;
  let client;

  before(async () => {
    backend = await startBackend();
    base = backend.url;
    h = await launchChromium();
    page = h.page;
    await signIn(page, base);
    await ensurePlan(page);
    session = await tokenOf(page);
    issued = await mcpToken(base, session);
  });

  after(async () => {
    await client?.close().catch(() => {});
    await h?.close();
    await backend?.close();
  });

  test('the dashboard session gets an MCP token for the MCP resource, valid for an hour', T, async () => {
    assert.equal(issued.mcp_url, `${base}/mcp`);
    assert.equal(issued.expires_in, 3600);
    const claims = JSON.parse(Buffer.from(issued.access_token.split('.')[1], 'base64url').toString());
    assert.equal(claims.aud, issued.mcp_url);
    assert.equal(claims.sub, 'demo-user');
    // It is not a session token: the API refuses it.
    const r = await api(base, issued.access_token, 'GET', '/api/tasks');
    assert.equal(r.status, 401);
  });

  test('a missing token and a PWA session token both get 401 with the metadata pointer', T, async () => {
    const metadataUrl = `${base}/.well-known/oauth-protected-resource/mcp`;
    for (const [what, authorization, error] of [
      ['no token', undefined, null],
      ['the PWA session token', `Bearer ${session}`, 'invalid_token'],
    ]) {
      const res = await rawInitialize(issued.mcp_url, authorization);
      assert.equal(res.status, 401, what);
      const challenge = res.headers.get('www-authenticate');
      assert.match(challenge, /^Bearer /, what);
      assert.equal(resourceMetadataOf(challenge), metadataUrl, `${what}: ${challenge}`);
      assert.match(challenge, /scope="plan\.read plan\.write"/, what);
      if (error) assert.match(challenge, new RegExp(`error="${error}"`), what);
      else assert.doesNotMatch(challenge, /error=/, what);
      await res.arrayBuffer();
    }
    // The pointer leads to the RFC 9728 document for exactly this resource.
    const doc = await (await fetch(metadataUrl)).json();
    assert.equal(doc.resource, issued.mcp_url);
    assert.deepEqual(doc.authorization_servers, [`${base}/as`]);
    assert.deepEqual(doc.bearer_methods_supported, ['header']);
    // The SDK client with the PWA token cannot connect.
    await assert.rejects(connectMcp(issued.mcp_url, session), (e) => e.code === 401 && /invalid_token/.test(e.message));
  });

  test('the SDK client connects with the MCP token and lists every tool with its annotations', T, async () => {
    client = await connectMcp(issued.mcp_url, issued.access_token);
    assert.equal(client.getServerVersion()?.name, 'plan-my-today');
    assert.match(client.getInstructions() ?? '', /get_todays_tasks/);
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [...READS, ...WRITES].sort());
    for (const tool of tools) {
      const a = tool.annotations ?? {};
      assert.equal(tool.inputSchema.type, 'object', tool.name);
      assert.ok(tool.description.length > 50, tool.name);
      if (WRITES.includes(tool.name)) {
        assert.equal(a.readOnlyHint, false, tool.name);
        assert.equal(a.destructiveHint, true, tool.name);
        assert.equal(a.idempotentHint, true, tool.name);
        assert.equal(a.openWorldHint, false, tool.name);
      } else {
        assert.equal(a.readOnlyHint, true, tool.name);
        if (tool.name.startsWith('read_')) assert.equal(a.openWorldHint, true, tool.name);
      }
    }
  });

  test('every read tool answers, and the activity trail says an MCP client asked', T, async () => {
    for (const name of READS) {
      const result = await client.callTool({ name, arguments: {} });
      assert.notEqual(result.isError, true, `${name}: ${JSON.stringify(result.content)}`);
      assert.ok(result.content?.[0]?.text, name);
    }
    const linear = resultJson(await client.callTool({ name: 'read_linear', arguments: {} }));
    assert.equal(typeof linear, 'object');
    const tasks = resultJson(await client.callTool({ name: 'get_todays_tasks', arguments: {} }));
    assert.ok(Array.isArray(tasks.tasks) && tasks.tasks.length > 0, 'get_todays_tasks lists tasks');

    const r = await api(base, session, 'GET', '/api/activity?limit=500');
    assert.equal(r.status, 200);
    const byMcp = r.json.entries.filter((e) => e.actor === 'mcp');
    const calls = byMcp.filter((e) => e.type === 'tool_call');
    for (const name of READS) assert.ok(calls.some((c) => c.tool === name), `${name} recorded`);
    assert.ok(byMcp.every((e) => e.client === 'pmt-mcp-local' && e.group_kind === 'mcp'));
    const linearExchanges = byMcp.filter((e) => e.type === 'exchange' && e.resource === 'urn:pmt:linear');
    assert.ok(linearExchanges.length >= 1, 'read_linear exchanged the MCP token for a Linear token');
    assert.ok(!r.text.includes(issued.access_token.split('.')[2]), 'no token value in the trail');
    assert.doesNotMatch(r.text, /eyJ/);
  });

  test("a write tool's decision shows in the dashboard", T, async () => {
    const before = await snapshot(base, session);
    const target = before.tasks.find((t) => t.dismissible && !t.dismissed);
    assert.ok(target, 'a dismissible task');
    const result = await client.callTool({ name: 'dismiss_task', arguments: { task_id: target.id } });
    assert.notEqual(result.isError, true, JSON.stringify(result.content));

    const now = await snapshot(base, session);
    assert.equal(now.tasks.find((t) => t.id === target.id)?.dismissed, true, 'dismissed at the backend');
    // In the browser: gone from the list, and marked dismissed when dismissed tasks are shown.
    await page.goto(new URL('/', base).href);
    await ensurePlan(page);
    assert.equal(await page.locator(card(target.id)).count(), 0, 'the dismissed card is hidden');
    await page.goto(new URL('/?dismissed=1', base).href);
    await ensurePlan(page);
    const shown = await revealCard(page, target.id);
    await waitFor(async () => shown.evaluate((e) => e.classList.contains('dismissed')), {
      message: 'the card is marked dismissed',
    });

    const r = await api(base, session, 'GET', '/api/activity?limit=500');
    const call = r.json.entries.find((e) => e.type === 'tool_call' && e.tool === 'dismiss_task');
    assert.equal(call?.actor, 'mcp');
    assert.equal(call?.outcome, 'ok');
  });

  test('an unknown tool is a protocol error; bad arguments are an error result', T, async () => {
    await assert.rejects(client.callTool({ name: 'send_email', arguments: {} }), /send_email|-32602|nvalid/);
    const bad = await client.callTool({ name: 'set_task_priority', arguments: { task_id: 'x' } });
    assert.equal(bad.isError, true);
  });

  test("the SDK's own OAuth flow gets an MCP token for a desktop client", T, async () => {
    const provider = new DesktopOAuthProvider();
    const url = new URL(issued.mcp_url);
    const first = new Client({ name: 'pmt-e2e-desktop', version: '0.0.0' });
    const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
    await assert.rejects(first.connect(transport), UnauthorizedError);
    // The SDK found the authorization server through the metadata and built the request.
    const authUrl = provider.authorizationUrl;
    assert.ok(authUrl, 'the SDK asked to open the authorization URL');
    assert.equal(`${authUrl.origin}${authUrl.pathname}`, `${base}/as/authorize`);
    assert.equal(authUrl.searchParams.get('client_id'), DESKTOP_CLIENT_ID);
    assert.equal(authUrl.searchParams.get('resource'), issued.mcp_url);
    assert.equal(authUrl.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authUrl.searchParams.get('scope'), 'plan.read plan.write');

    const back = await approveOnDemoConsent(authUrl);
    assert.equal(back.redirect, provider.redirectUrl);
    assert.equal(back.state, 'e2e-desktop-state');
    assert.equal(back.iss, `${base}/as`);
    await transport.finishAuth(back.code);
    const token = provider.tokens().access_token;
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    assert.equal(claims.aud, issued.mcp_url);
    assert.equal(claims.client_id, DESKTOP_CLIENT_ID);

    const desktop = new Client({ name: 'pmt-e2e-desktop', version: '0.0.0' });
    await desktop.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
    try {
      const result = await desktop.callTool({ name: 'read_slack', arguments: {} });
      assert.notEqual(result.isError, true, JSON.stringify(result.content));
    } finally {
      await desktop.close();
    }
    const r = await api(base, session, 'GET', '/api/activity?limit=500');
    assert.ok(r.json.entries.some((e) => e.client === DESKTOP_CLIENT_ID && e.type === 'exchange'
      && e.resource === 'urn:pmt:slack'), 'the desktop client appears in the activity trail');
  });
});
