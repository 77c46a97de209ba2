// A tiny OAuth client for driving an authorization server from node (fetch + cookie jar),
// used to check the oidc-provider fixture itself without a browser.
import crypto from 'node:crypto';

export function b64url(buf) {
  return Buffer.from(buf).toString('base64url');
}

/** RFC 7636: 32 random octets → 43-char verifier; S256 challenge. */
export function pkcePair() {
  const verifier = b64url(crypto.randomBytes(32));
  const challenge = b64url(crypto.createHash('sha256').update(verifier).digest());
  return { verifier, challenge };
}

export function decodeJwt(jwt) {
  const [h, p] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()),
  };
}

/** A fetch wrapper with a per-host cookie jar and manual redirects. */
export class Browserless {
  constructor() {
    this.jar = new Map(); // host -> Map(name -> value)
  }

  cookieHeader(url) {
    const jar = this.jar.get(new URL(url).host);
    if (!jar || jar.size === 0) return undefined;
    return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  store(url, res) {
    const host = new URL(url).host;
    const jar = this.jar.get(host) ?? new Map();
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0\b/i.test(a));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    this.jar.set(host, jar);
  }

  async request(url, { method = 'GET', headers = {}, body } = {}) {
    const h = { ...headers };
    const cookie = this.cookieHeader(url);
    if (cookie) h.cookie = cookie;
    const res = await fetch(url, { method, headers: h, body, redirect: 'manual' });
    this.store(url, res);
    return res;
  }

  /**
   * Follows redirects (GET) from `url` until `stop(url)` is true or a non-redirect answer.
   * Returns { url, res } where url is the last URL (the stopping URL is not fetched).
   */
  async follow(url, stop = () => false, init) {
    let current = url;
    let res;
    for (let i = 0; i < 20; i++) {
      if (stop(current)) return { url: current, res: undefined };
      res = await this.request(current, i === 0 ? init : undefined);
      const loc = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && loc) {
        await res.arrayBuffer();
        current = new URL(loc, current).href;
        continue;
      }
      return { url: current, res };
    }
    throw new Error('too many redirects');
  }
}

/** The `action` of the first form on a devInteractions page. */
export function formAction(html, baseUrl) {
  const m = html.match(/<form[^>]*action="([^"]+)"/i);
  if (!m) throw new Error(`no form on the page:\n${html.slice(0, 500)}`);
  return new URL(m[1].replaceAll('&amp;', '&'), baseUrl).href;
}

/**
 * Runs authorization code + PKCE through oidc-provider's devInteractions (login, consent)
 * and returns the redirect URL that carries `code`, `state`, `iss` (not fetched).
 */
export async function authorizeViaDevInteractions({
  authorizationEndpoint, clientId, redirectUri, scope, resource, state, challenge,
  method = 'S256', login = 'e2e-alice', extra = {}, client = new Browserless(),
}) {
  const params = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope,
    state,
    ...(challenge !== undefined ? { code_challenge: challenge, code_challenge_method: method } : {}),
    ...(resource !== undefined ? { resource } : {}),
    ...extra,
  });
  const atRedirect = (u) => u.startsWith(redirectUri);
  let step = await client.follow(`${authorizationEndpoint}?${params}`, atRedirect);
  for (let i = 0; i < 4 && step.res; i++) {
    const html = await step.res.text();
    if (step.res.status !== 200) {
      return { url: undefined, status: step.res.status, body: html };
    }
    const action = formAction(html, step.url);
    const body = /name="login"/.test(html)
      ? new URLSearchParams({ prompt: 'login', login, password: 'any-password' })
      : new URLSearchParams({ prompt: 'consent' });
    step = await client.follow(action, atRedirect, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
  }
  if (step.res) throw new Error(`authorization did not come back to the redirect URI (at ${step.url})`);
  return { url: step.url, status: 303, client };
}

/** Token request with client_secret_basic. */
export async function tokenRequest({ tokenEndpoint, clientId, clientSecret, params, auth = true }) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth) {
    const enc = (s) => encodeURIComponent(s); // RFC 6749 §2.3.1: form-urlencode id and secret
    headers.authorization = `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`;
  }
  const res = await fetch(tokenEndpoint, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = { raw: text }; }
  return { status: res.status, json, headers: res.headers };
}
