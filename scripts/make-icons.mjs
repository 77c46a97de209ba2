// Draws the app icon (a calendar day with a check mark) as SVG and rasterizes it with
// Debian's headless Chromium through playwright-core. Not part of the build: the PNGs in
// public/icons/ are committed; run this again after changing the artwork:
//
//   node scripts/make-icons.mjs          (PMT_CHROMIUM overrides /usr/bin/chromium)
//
// Writes public/icons/:
//   icon.svg                      the artwork itself (favicon for browsers that take SVG)
//   icon-192.png, icon-512.png    purpose "any": rounded tile, transparent corners
//   maskable-192.png, maskable-512.png
//                                 purpose "maskable": full-bleed tile, the glyph inside the
//                                 80 % safe zone so any mask shape keeps it whole
//   apple-touch-icon.png          180 px, opaque (iOS adds its own rounding)
//   favicon-32.png                32 px, for the tab
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const OUT = path.join(ROOT, 'public', 'icons');

// Colours from style/main.css (light theme accent, the danger red for the calendar band).
const ACCENT = '#1f5fbf';
const ACCENT_DARK = '#164a96';
const BAND = '#c8352d';
const PAGE = '#ffffff';
const CHECK = '#1e6b34';

/** The calendar-day glyph on a 512×512 canvas, centred on (256, 262). */
function glyph() {
  return `
    <g>
      <!-- page shadow -->
      <rect x="116" y="150" width="288" height="264" rx="34" fill="#0b1a33" opacity="0.22"/>
      <!-- page -->
      <rect x="112" y="140" width="288" height="264" rx="34" fill="${PAGE}"/>
      <!-- header band (top corners rounded with the page) -->
      <path d="M112 174 a34 34 0 0 1 34 -34 h220 a34 34 0 0 1 34 34 v44 h-288 z" fill="${BAND}"/>
      <!-- binder rings -->
      <rect x="172" y="108" width="28" height="70" rx="14" fill="${PAGE}" stroke="${ACCENT_DARK}" stroke-width="10"/>
      <rect x="312" y="108" width="28" height="70" rx="14" fill="${PAGE}" stroke="${ACCENT_DARK}" stroke-width="10"/>
      <!-- check mark -->
      <path d="M176 312 L232 364 L340 258" fill="none" stroke="${CHECK}" stroke-width="38"
        stroke-linecap="round" stroke-linejoin="round"/>
    </g>`;
}

/** `any`: a rounded tile with transparent corners. */
function anySvg() {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="${ACCENT}"/>
      <stop offset="1" stop-color="${ACCENT_DARK}"/>
    </linearGradient>
  </defs>
  <rect x="16" y="16" width="480" height="480" rx="108" fill="url(#bg)"/>
  ${glyph()}
</svg>`;
}

/** `maskable`: full bleed; the glyph scaled into the safe zone (a circle of radius 40 %). */
function maskableSvg() {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="${ACCENT}"/>
      <stop offset="1" stop-color="${ACCENT_DARK}"/>
    </linearGradient>
  </defs>
  <rect width="512" height="512" fill="url(#bg)"/>
  <g transform="translate(256 256) scale(0.86) translate(-256 -256)">${glyph()}</g>
</svg>`;
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const any = anySvg();
  const maskable = maskableSvg();
  fs.writeFileSync(path.join(OUT, 'icon.svg'), `${any}\n`);

  const browser = await chromium.launch({
    executablePath: process.env.PMT_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const render = async (svg, size, file, { opaque = false } = {}) => {
      const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
      const bg = opaque ? ACCENT : 'transparent';
      const sized = svg.replace('width="512" height="512"', `width="${size}" height="${size}"`);
      await page.setContent(
        `<!doctype html><html><body style="margin:0;background:${bg}">${sized}</body></html>`,
      );
      await page.locator('svg').screenshot({ path: path.join(OUT, file), omitBackground: !opaque });
      await page.close();
      console.log(`make-icons: ${file} (${size}×${size})`);
    };
    await render(any, 192, 'icon-192.png');
    await render(any, 512, 'icon-512.png');
    await render(maskable, 192, 'maskable-192.png');
    await render(maskable, 512, 'maskable-512.png');
    await render(maskable, 180, 'apple-touch-icon.png', { opaque: true });
    await render(any, 32, 'favicon-32.png');
  } finally {
    await browser.close();
  }
}

await main();
