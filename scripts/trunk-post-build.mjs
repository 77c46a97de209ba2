// Trunk post_build hook: runs in the staging directory before it replaces dist/.
//
// Trunk inlines a small <script type="module"> that imports the wasm-bindgen JS and
// starts the app. Our CSP allows no inline script, so this moves that loader into a
// content-hashed file and references it with src= and an SRI integrity attribute.
import { createHash } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { SW_FILE, compressDir, injectManifest } from "./pwa-build.mjs";

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error("trunk-post-build: TRUNK_STAGING_DIR is not set (run through trunk)");
  process.exit(1);
}
const indexPath = join(staging, "index.html");
let html = readFileSync(indexPath, "utf8");

const inline = /<script type="module"(?![^>]*\bsrc=)([^>]*)>([\s\S]*?)<\/script>/g;
let count = 0;
html = html.replace(inline, (_whole, attrs, body) => {
  count += 1;
  const hash = createHash("sha256").update(body).digest();
  const name = `boot-${hash.toString("hex").slice(0, 16)}.js`;
  writeFileSync(join(staging, name), body);
  const integrity = `sha384-${createHash("sha384").update(body).digest("base64")}`;
  const kept = attrs.replace(/\s*nonce="[^"]*"/, "");
  return `<script type="module"${kept} src="/${name}" integrity="${integrity}" crossorigin="anonymous"></script>`;
});
if (/<script(?![^>]*\bsrc=)[^>]*>/.test(html)) {
  console.error("trunk-post-build: an inline script is left in index.html; the CSP would block it");
  process.exit(1);
}
writeFileSync(indexPath, html);
console.log(`trunk-post-build: moved ${count} inline loader script(s) to files`);

// The service worker's precache manifest (Workbox injectManifest style), generated from
// the staged files now that index.html is final, then the precompressed copies (made last,
// so sw.js and index.html are compressed as they will be served).
const manifest = injectManifest(staging);
const bytes = manifest.reduce((n, { url }) => n + statSync(join(staging, url.slice(1))).size, 0);
console.log(`trunk-post-build: precache manifest of ${manifest.length} file(s), ${(bytes / 1024).toFixed(0)} KiB, injected into ${SW_FILE}`);

const compressed = compressDir(staging);
console.log(`trunk-post-build: wrote brotli and gzip copies of ${compressed} file(s)`);
