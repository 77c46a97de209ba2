// An in-process OpenID Provider (`oidc-provider`) for interop tests.
//
// Loopback only, in-memory, `devInteractions` (test only: any login and password).
// The signing key is an EC P-256 key generated for this run; it is never written to disk.
//
// One confidential client, the backend (`pmt-tmb`, client_secret_basic), with exactly one
// redirect URI, authorization_code only, PKCE required (oidc-provider implements S256 only),
// and one resource server (`urn:pmt:api`) whose access tokens are RFC 9068 JWTs
// (`typ: at+jwt`, ES256, `aud: urn:pmt:api`, 10 minutes).
import crypto from 'node:crypto';
import http from 'node:http';

import Provider, { errors } from 'oidc-provider';

import { freePort } from './ports.mjs';

export const CLIENT_ID = 'pmt-tmb';
export const RESOURCE = 'urn:pmt:api';
/** The resource server's scope. The backend must request it (e.g. `scope = "openid api:read"`). */
export const RESOURCE_SCOPE = 'api:read';
/** The scope the backend is configured with in the interop run. */
export const BACKEND_SCOPE = `openid ${RESOURCE_SCOPE}`;

function signingKey() {
  const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: crypto.randomBytes(8).toString('hex'), alg: 'ES256', use: 'sig' };
}

/**
 * Starts the provider.
 * @param {object} opts
 * @param {string} opts.redirectUri  the backend's exact redirect URI (`<public_url>/callback`)
 * @param {number} [opts.port]       port to listen on (a free one when omitted)
 * @param {string} [opts.clientSecret] the client's secret (random when omitted)
 * @param {boolean} [opts.quiet]     false: also print the provider's error events to stderr
 */
export async function startOidcProvider({ redirectUri, port, clientSecret, quiet = true } = {}) {
  if (!redirectUri) throw new Error('startOidcProvider: redirectUri is required');
  port ??= await freePort();
  clientSecret ??= crypto.randomBytes(32).toString('base64url');
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: clientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    // Only an EC key in `jwks`: ID tokens must then be ES256 too (else invalid_client_metadata).
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    jwks: { keys: [signingKey()] },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    // Accounts: whatever login was typed is the subject (devInteractions accepts any login).
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    // PKCE for every client, not only public ones; oidc-provider only implements S256.
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // No `resource` in the request: use ours. One was requested: keep it (validated below).
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? RESOURCE,
        // The token request may omit `resource` (with `openid` it would otherwise get a
        // userinfo-only opaque token); use the one granted at authorization.
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resourceIndicator) => {
          if (resourceIndicator !== RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: RESOURCE_SCOPE,
            audience: RESOURCE,
            accessTokenTTL: 600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
  });

  const server = http.createServer(provider.callback());
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });

  const events = [];
  provider.on('server_error', (_ctx, err) => events.push({ type: 'server_error', message: err.message }));
  provider.on('grant.error', (_ctx, err) => events.push({ type: 'grant.error', message: `${err.error}: ${err.error_description}` }));
  provider.on('authorization.error', (_ctx, err) => events.push({ type: 'authorization.error', message: `${err.error}: ${err.error_description}` }));
  if (!quiet) {
    for (const name of ['server_error', 'grant.error', 'authorization.error']) {
      provider.on(name, (_ctx, err) => console.error(`[oidc-provider] ${name}:`, err.message, err.error_description ?? ''));
    }
  }

  return {
    issuer,
    port,
    clientId: CLIENT_ID,
    clientSecret,
    redirectUri,
    resource: RESOURCE,
    scope: BACKEND_SCOPE,
    provider,
    /** Errors the provider reported (authorization, grant, server). */
    events,
    async close() {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
