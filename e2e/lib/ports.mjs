// Small helpers shared by the e2e harness: free loopback ports and temp dirs.
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Asks the OS for a free loopback port (listen on 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh temporary directory (removed by `removeDir`). */
export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `pmt-e2e-${prefix}-`));
}

export function removeDir(dir) {
  if (dir) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Polls `fn` until it returns a truthy value or the timeout passes. */
export async function waitFor(fn, { timeout = 10_000, interval = 100, message = 'condition' } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeout} ms waiting for ${message}` + (last instanceof Error ? `: ${last.message}` : ''));
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** e2e/artifacts/, created on demand (gitignored). */
export function artifactsDir() {
  const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'artifacts');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
