// Proves the interop fixture (oidc-provider) is configured as claimed, without a browser or
// the backend: discovery, PKCE S256 required (plain and missing rejected), exact redirect URI,
// `iss` in the authorization response, client_secret_basic, and an RFC 9068 JWT access token
// (ES256, typ at+jwt, aud urn:pmt:api) for the resource.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

import { startOidcProvider, RESOURCE, RESOURCE_SCOPE, CLIENT_ID } from './lib/oidc-provider.mjs';
import {
  authorizeViaDevInteractions, decodeJwt, pkcePair, tokenRequest, Browserless,
} from './lib/oauth-client.mjs';

const REDIRECT = 'http://127.0.0.1:9/callback'; // never fetched
let op;
let meta;

before(async () => {
  op = await startOidcProvider({ redirectUri: REDIRECT });
  const res = await fetch(`${op.issuer}/.well-known/openid-configuration`);
  assert.equal(res.status, 200);
  meta = await res.json();
});

after(async () => {
  await op?.close();
});

function state() {
  return crypto.randomBytes(16).toString('base64url');
}

async function codeFlow({ login = 'e2e-alice', resource = RESOURCE, scope = op.scope } = {}) {
  const { verifier, challenge } = pkcePair();
  const st = state();
  const r = await authorizeViaDevInteractions({
    authorizationEndpoint: meta.authorization_endpoint,
    clientId: CLIENT_ID,
    redirectUri: REDIRECT,
    scope,
    resource,
    state: st,
    challenge,
    login,
  });
  assert.ok(r.url, `expected a redirect to the client, got ${r.status}: ${r.body?.slice(0, 300)}`);
  const cb = new URL(r.url);
  return { cb, verifier, state: st };
}

describe('oidc-provider fixture', { timeout: 60_000 }, () => {
  test('discovery advertises what the backend relies on', () => {
    assert.equal(meta.issuer, op.issuer);
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    assert.equal(meta.authorization_response_iss_parameter_supported, true);
    assert.ok(meta.token_endpoint_auth_methods_supported.includes('client_secret_basic'));
    assert.ok(meta.jwks_uri.startsWith(op.issuer));
    assert.ok(meta.response_types_supported.includes('code'));
  });

  test('JWKS holds exactly one EC P-256 signing key', async () => {
    const jwks = await (await fetch(meta.jwks_uri)).json();
    assert.equal(jwks.keys.length, 1);
    const [k] = jwks.keys;
    assert.equal(k.kty, 'EC');
    assert.equal(k.crv, 'P-256');
    assert.equal(k.d, undefined, 'private part must not be published');
  });

  test('code + PKCE S256 → code, state, iss; token (Basic + verifier + resource) → at+jwt ES256 for urn:pmt:api', async () => {
    const { cb, verifier, state: st } = await codeFlow({ login: 'e2e-alice' });
    assert.ok(cb.searchParams.get('code'), `no code in ${cb}`);
    assert.equal(cb.searchParams.get('state'), st);
    assert.equal(cb.searchParams.get('iss'), op.issuer);

    const tok = await tokenRequest({
      tokenEndpoint: meta.token_endpoint,
      clientId: CLIENT_ID,
      clientSecret: op.clientSecret,
      params: {
        grant_type: 'authorization_code',
        code: cb.searchParams.get('code'),
        redirect_uri: REDIRECT,
        code_verifier: verifier,
        resource: RESOURCE,
      },
    });
    assert.equal(tok.status, 200, JSON.stringify(tok.json));
    assert.equal(tok.json.token_type, 'Bearer');
    assert.equal(tok.json.refresh_token, undefined, 'no refresh token');
    const { header, payload } = decodeJwt(tok.json.access_token);
    assert.equal(header.alg, 'ES256');
    assert.equal(header.typ, 'at+jwt');
    assert.ok(header.kid);
    assert.equal(payload.aud, RESOURCE);
    assert.equal(payload.iss, op.issuer);
    assert.equal(payload.sub, 'e2e-alice');
    assert.equal(payload.client_id, CLIENT_ID);
    assert.equal(payload.scope, RESOURCE_SCOPE);
    assert.ok(payload.exp - payload.iat <= 600 && payload.exp > Date.now() / 1000);
    // id_token (openid was requested) is ES256 too
    if (tok.json.id_token) assert.equal(decodeJwt(tok.json.id_token).header.alg, 'ES256');
  });

  test('token request without `resource` still yields the JWT for urn:pmt:api (granted resource)', async () => {
    const { cb, verifier } = await codeFlow({ login: 'e2e-bob' });
    const tok = await tokenRequest({
      tokenEndpoint: meta.token_endpoint,
      clientId: CLIENT_ID,
      clientSecret: op.clientSecret,
      params: {
        grant_type: 'authorization_code', code: cb.searchParams.get('code'), redirect_uri: REDIRECT, code_verifier: verifier,
      },
    });
    assert.equal(tok.status, 200, JSON.stringify(tok.json));
    const { header, payload } = decodeJwt(tok.json.access_token);
    assert.equal(header.typ, 'at+jwt');
    assert.equal(payload.aud, RESOURCE);
  });

  test('wrong verifier, replayed code, missing client auth and wrong secret are rejected', async () => {
    const { cb, verifier } = await codeFlow();
    const base = { grant_type: 'authorization_code', code: cb.searchParams.get('code'), redirect_uri: REDIRECT, resource: RESOURCE };
    const noAuth = await tokenRequest({
      tokenEndpoint: meta.token_endpoint, clientId: CLIENT_ID, clientSecret: op.clientSecret, auth: false,
      params: { ...base, client_id: CLIENT_ID, code_verifier: verifier },
    });
    assert.equal(noAuth.json.error, 'invalid_client', JSON.stringify(noAuth.json));
    const badSecret = await tokenRequest({
      tokenEndpoint: meta.token_endpoint, clientId: CLIENT_ID, clientSecret: 'not-the-secret',
      params: { ...base, code_verifier: verifier },
    });
    assert.equal(badSecret.json.error, 'invalid_client', JSON.stringify(badSecret.json));
    const wrong = await tokenRequest({
      tokenEndpoint: meta.token_endpoint, clientId: CLIENT_ID, clientSecret: op.clientSecret,
      params: { ...base, code_verifier: pkcePair().verifier },
    });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.error, 'invalid_grant');

    // A fresh code: redeem once, then replay.
    const second = await codeFlow();
    const p = { grant_type: 'authorization_code', code: second.cb.searchParams.get('code'), redirect_uri: REDIRECT, resource: RESOURCE, code_verifier: second.verifier };
    const ok = await tokenRequest({ tokenEndpoint: meta.token_endpoint, clientId: CLIENT_ID, clientSecret: op.clientSecret, params: p });
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    const replay = await tokenRequest({ tokenEndpoint: meta.token_endpoint, clientId: CLIENT_ID, clientSecret: op.clientSecret, params: p });
    assert.equal(replay.json.error, 'invalid_grant');
  });

  test('PKCE is required: a missing challenge is rejected at the authorization endpoint', async () => {
    const client = new Browserless();
    const q = new URLSearchParams({
      client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT, scope: op.scope, state: state(), resource: RESOURCE,
    });
    const res = await client.request(`${meta.authorization_endpoint}?${q}`);
    const loc = new URL(res.headers.get('location'));
    assert.ok(loc.href.startsWith(REDIRECT), loc.href);
    assert.equal(loc.searchParams.get('error'), 'invalid_request');
    assert.match(loc.searchParams.get('error_description'), /PKCE/);
    assert.equal(loc.searchParams.get('iss'), op.issuer);
  });

  test('PKCE plain is rejected', async () => {
    const client = new Browserless();
    const { verifier } = pkcePair();
    const q = new URLSearchParams({
      client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT, scope: op.scope, state: state(), resource: RESOURCE,
      code_challenge: verifier, code_challenge_method: 'plain',
    });
    const res = await client.request(`${meta.authorization_endpoint}?${q}`);
    const loc = new URL(res.headers.get('location'));
    assert.equal(loc.searchParams.get('error'), 'invalid_request');
    assert.match(loc.searchParams.get('error_description'), /code_challenge_method/);
  });

  test('redirect URI must match exactly', async () => {
    for (const bad of [`${REDIRECT}/`, `${REDIRECT}?x=1`, 'http://127.0.0.1:10/callback', 'http://localhost:9/callback']) {
      const client = new Browserless();
      const q = new URLSearchParams({
        client_id: CLIENT_ID, response_type: 'code', redirect_uri: bad, scope: op.scope, state: state(), resource: RESOURCE,
        code_challenge: pkcePair().challenge, code_challenge_method: 'S256',
      });
      const res = await client.request(`${meta.authorization_endpoint}?${q}`);
      assert.equal(res.status, 400, `${bad} accepted`);
      assert.equal(res.headers.get('location'), null, `${bad} redirected`);
      assert.match(await res.text(), /invalid_redirect_uri/);
    }
  });

  test('implicit (response_type=token) and unknown resources are rejected', async () => {
    const client = new Browserless();
    const q = new URLSearchParams({
      client_id: CLIENT_ID, response_type: 'token', redirect_uri: REDIRECT, scope: op.scope, state: state(),
      code_challenge: pkcePair().challenge, code_challenge_method: 'S256',
    });
    const res = await client.request(`${meta.authorization_endpoint}?${q}`);
    const loc = new URL(res.headers.get('location'), REDIRECT);
    assert.equal(new URLSearchParams(loc.hash.slice(1) || loc.search).get('error') ?? loc.searchParams.get('error'), 'unsupported_response_type');

    const q2 = new URLSearchParams({
      client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT, scope: op.scope, state: state(),
      code_challenge: pkcePair().challenge, code_challenge_method: 'S256', resource: 'urn:pmt:other',
    });
    const res2 = await client.request(`${meta.authorization_endpoint}?${q2}`);
    const loc2 = new URL(res2.headers.get('location'));
    assert.equal(loc2.searchParams.get('error'), 'invalid_target');
  });
});
