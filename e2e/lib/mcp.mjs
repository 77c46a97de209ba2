// What an MCP end-to-end test needs against a demo backend: Dana's PWA session got without a
// browser (authorize → consent → callback → POST /api/session, the PWA's own steps), an MCP
// token from POST /api/mcp/token (what the dashboard's button calls), and a connected client
// of the official TypeScript SDK.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { pkcePair } from './oauth-client.mjs';

/** Signs Dana in on a demo backend as the PWA does, without a browser; the session token. */
export async function demoSessionToken(base) {
  const config = await (await fetch(new URL('/api/auth/config', base))).json();
  const { verifier, challenge } = pkcePair();
  const redirectUri = new URL('/callback', base).href;
  const authorize = new URL(config.authorization_endpoint);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.client_id,
    redirect_uri: redirectUri,
    scope: config.scope,
    state: 'mcp-e2e-state',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    resource: config.resource,
  }).toString();
  const page = await fetch(authorize, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`authorize answered ${page.status}: ${html.slice(0, 300)}`);
  const request = html.match(/name="request" value="([^"]+)"/)?.[1];
  if (!request) throw new Error('no consent form on the authorize page');
  const consent = await fetch(new URL('consent', `${config.issuer}/`), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request, decision: 'allow' }).toString(),
  });
  const location = consent.headers.get('location');
  if (consent.status !== 303 || !location) throw new Error(`consent answered ${consent.status}`);
  const code = new URL(location).searchParams.get('code');
  const session = await fetch(new URL('/api/session', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, code_verifier: verifier, redirect_uri: redirectUri }),
  });
  if (session.status !== 200) throw new Error(`POST /api/session answered ${session.status}: ${await session.text()}`);
  return (await session.json()).token;
}

/** POST /api/mcp/token with the session: { access_token, expires_in, mcp_url }. */
export async function mcpToken(base, sessionToken) {
  const res = await fetch(new URL('/api/mcp/token', base), {
    method: 'POST',
    headers: { authorization: `Bearer ${sessionToken}` },
  });
  if (res.status !== 200) throw new Error(`POST /api/mcp/token answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** An SDK client connected to `url` with a static bearer token, as a desktop client is configured. */
export async function connectMcp(url, token) {
  const client = new Client({ name: 'pmt-e2e', version: '0.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

/** A raw JSON-RPC `initialize` POST to /mcp (for the refusals the SDK would only throw on). */
export async function rawInitialize(url, authorization) {
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  if (authorization) headers.authorization = authorization;
  return fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
    }),
  });
}

/** The `resource_metadata` URL of a `WWW-Authenticate: Bearer …` challenge. */
export function resourceMetadataOf(challenge) {
  return challenge?.match(/resource_metadata="([^"]+)"/)?.[1];
}

/** The text of a tool result's first content block, parsed as JSON when it is JSON. */
export function resultJson(result) {
  const text = result.content?.[0]?.text ?? '';
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The demo authorization server's public client for desktop MCP clients. */
export const DESKTOP_CLIENT_ID = 'pmt-mcp-desktop';

/**
 * An SDK `OAuthClientProvider` for a desktop client pre-registered as `pmt-mcp-desktop` (the
 * demo authorization server has no dynamic registration): it keeps everything in memory and,
 * instead of opening a browser, remembers the authorization URL for the test to approve.
 */
export class DesktopOAuthProvider {
  constructor(redirectUrl = 'http://127.0.0.1:53682/oauth/callback') {
    this.redirect = redirectUrl;
    this.authorizationUrl = undefined;
    this.saved = { client: { client_id: DESKTOP_CLIENT_ID } };
  }

  get redirectUrl() { return this.redirect; }

  get clientMetadata() {
    return {
      client_name: 'Plan My Today e2e',
      redirect_uris: [this.redirect],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  state() { return 'e2e-desktop-state'; }

  clientInformation() { return this.saved.client; }

  saveClientInformation(info) { this.saved.client = info; }

  tokens() { return this.saved.tokens; }

  saveTokens(tokens) { this.saved.tokens = tokens; }

  redirectToAuthorization(url) { this.authorizationUrl = new URL(url); }

  saveCodeVerifier(verifier) { this.saved.verifier = verifier; }

  codeVerifier() { return this.saved.verifier; }
}

/**
 * Plays Dana on the demo consent page for an authorization URL: Allow, then read the code off
 * the redirect to the (loopback) redirect URI. Returns { code, state, iss, redirect }.
 */
export async function approveOnDemoConsent(authorizationUrl) {
  const page = await fetch(authorizationUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`authorize answered ${page.status}: ${html.slice(0, 300)}`);
  const request = html.match(/name="request" value="([^"]+)"/)?.[1];
  const action = html.match(/<form[^>]*action="([^"]+)"/)?.[1];
  if (!request || !action) throw new Error('no consent form on the authorize page');
  const consent = await fetch(new URL(action.replaceAll('&amp;', '&'), authorizationUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request, decision: 'allow' }).toString(),
  });
  const location = consent.headers.get('location');
  if (consent.status !== 303 || !location) throw new Error(`consent answered ${consent.status}`);
  const back = new URL(location);
  return {
    code: back.searchParams.get('code'),
    state: back.searchParams.get('state'),
    iss: back.searchParams.get('iss'),
    redirect: `${back.origin}${back.pathname}`,
  };
}
