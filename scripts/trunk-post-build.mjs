// Trunk post_build hook: runs in the staging directory before it replaces dist/.
//
// Trunk inlines a small <script type="module"> that imports the wasm-bindgen JS and
// starts the app. Our CSP allows no inline script, so this moves that loader into a
// content-hashed file and references it with src= and an SRI integrity attribute.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { join } from "node:path";

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

// Precompressed copies for the backend to serve (Content-Encoding br/gzip), made once
// at build time at the highest settings instead of on every request.
let compressed = 0;
for (const name of readdirSync(staging)) {
  if (!/\.(wasm|js|css|html|json|svg|webmanifest)$/.test(name)) continue;
  const path = join(staging, name);
  if (!statSync(path).isFile() || statSync(path).size < 1024) continue;
  const body = readFileSync(path);
  writeFileSync(`${path}.br`, brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  }));
  writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }));
  compressed += 1;
}
console.log(`trunk-post-build: wrote brotli and gzip copies of ${compressed} file(s)`);
