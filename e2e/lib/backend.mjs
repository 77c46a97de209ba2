// Starts the Plan My Today backend binary for a test run.
//
//   PMT_BIN   the binary (default target/debug/plan-my-today)
//   PMT_DIST  the built PWA to serve (default dist)
//
// `startBackend()` runs demo mode on a free port (`--port 0`); `startConfiguredBackend()`
// writes a TOML config (issuer, client id, resource, scope) and passes the client secret
// through `PMT_CLIENT_SECRET`. Both use a fresh data directory and parse the URL from the line
// `Plan My Today is running at http://127.0.0.1:PORT/ (...)`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { freePort, removeDir, tempDir } from './ports.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

export const BACKEND_BIN = path.resolve(ROOT, process.env.PMT_BIN ?? 'target/debug/plan-my-today');
export const STATIC_DIR = path.resolve(ROOT, process.env.PMT_DIST ?? 'dist');

const READY = /Plan My Today is running at (http:\/\/[^\s/]+)\/? /;

/** Whether the binary and the built PWA are there (tests skip with a reason otherwise). */
export function appBuilt() {
  const missing = [];
  if (!fs.existsSync(BACKEND_BIN)) missing.push(`backend binary ${BACKEND_BIN} (PMT_BIN)`);
  if (!fs.existsSync(path.join(STATIC_DIR, 'index.html'))) missing.push(`built PWA ${STATIC_DIR}/index.html (PMT_DIST)`);
  if (missing.length && process.env.PMT_E2E_REQUIRE_BUILD === '1') {
    // The README's test command builds both first: a missing build there is a failure, not a skip.
    throw new Error(`e2e: not built: ${missing.join(', ')}`);
  }
  return missing.length ? `not built: ${missing.join(', ')}` : null;
}

/** The parent's environment without the backend's own variables (never inherit a config). */
function inheritedEnv() {
  const env = { ...process.env };
  for (const k of ['PMT_CONFIG', 'PMT_LISTEN', 'PMT_PORT', 'PMT_DATA_DIR', 'PMT_STATIC_DIR', 'PMT_CLIENT_SECRET']) delete env[k];
  return env;
}

function launch(args, env, { startTimeout = 60_000 } = {}) {
  const child = spawn(BACKEND_BIN, args, {
    cwd: ROOT,
    env: {
      ...inheritedEnv(),
      RUST_LOG: process.env.RUST_LOG ?? 'info,tower_http=warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const onData = (chunk) => {
    output += chunk.toString();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`backend did not announce its URL within ${startTimeout} ms; output:\n${output}`));
    }, startTimeout);
    const check = () => {
      const m = output.match(READY);
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`backend exited early (code ${code}, signal ${signal}); output:\n${output}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });

  async function stop() {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  return { child, ready, stop, output: () => output };
}

function handle(url, proc, dataDir, extraDirs = []) {
  return {
    url,
    origin: url,
    dataDir,
    /** Everything the process printed (stdout + stderr), e.g. to check no token is logged. */
    output: proc.output,
    pid: proc.child.pid,
    async close() {
      try {
        await proc.stop();
      } finally {
        removeDir(dataDir);
        extraDirs.forEach(removeDir);
      }
    },
  };
}

/** Demo mode on a free loopback port (`staticDir`: another built PWA than PMT_DIST). */
export async function startBackend({ env = {}, args = [], staticDir = STATIC_DIR } = {}) {
  const dataDir = tempDir('data');
  const proc = launch(['--port', '0', '--data-dir', dataDir, '--static-dir', staticDir, ...args], env);
  try {
    const url = await proc.ready;
    return handle(url, proc, dataDir);
  } catch (e) {
    await proc.stop();
    removeDir(dataDir);
    throw e;
  }
}

/** Picks the backend's port up front (the OP must know the exact redirect URI first). */
export async function reserveBackendUrl() {
  const port = await freePort();
  return { port, url: `http://127.0.0.1:${port}` };
}

/**
 * Configured mode: a TOML file pointing at an external authorization server.
 * @param {object} o
 * @param {number} o.port         the port chosen with `reserveBackendUrl()`
 * @param {string} o.issuer
 * @param {string} o.clientSecret passed as PMT_CLIENT_SECRET, never written to the file
 * @param {string} [o.clientId]
 * @param {string} [o.resource]
 * @param {string} [o.scope]
 */
export async function startConfiguredBackend({
  port, issuer, clientSecret, clientId = 'pmt-tmb', resource = 'urn:pmt:api', scope = 'openid api:read', env = {}, args = [],
}) {
  const dataDir = tempDir('data');
  const confDir = tempDir('conf');
  const configFile = path.join(confDir, 'plan-my-today.toml');
  const q = (s) => JSON.stringify(String(s)); // TOML basic strings accept JSON string escapes
  fs.writeFileSync(configFile, [
    `listen = ${q(`127.0.0.1:${port}`)}`,
    `public_url = ${q(`http://127.0.0.1:${port}`)}`,
    '',
    '[auth]',
    `issuer = ${q(issuer)}`,
    `client_id = ${q(clientId)}`,
    `resource = ${q(resource)}`,
    `scope = ${q(scope)}`,
    '',
  ].join('\n'));
  const proc = launch(
    ['--config', configFile, '--data-dir', dataDir, '--static-dir', STATIC_DIR, ...args],
    { PMT_CLIENT_SECRET: clientSecret, ...env },
  );
  try {
    const url = await proc.ready;
    return { ...handle(url, proc, dataDir, [confDir]), configFile };
  } catch (e) {
    await proc.stop();
    removeDir(dataDir);
    removeDir(confDir);
    throw e;
  }
}
