#!/usr/bin/env node
// Dashboard benchmark (a command, not a test): `npm run bench:dashboard`.
//
// Build first: `cargo build -p pmt-server` and `trunk build --release` (the figures are about
// the release bundle in dist/). In headless Chromium, signed in through the demo backend, the
// app is given a generated snapshot of N tasks (GET /api/tasks is answered by `page.route`:
// a fake network is fine for a benchmark) and two interactions are timed, in the page:
//
//   search   a keystroke in #search (keydown + value + input event) → the list updated
//   view     a click on #view-source / #view-priority → the other view rendered
//
// Each run records three moments after the action (t0 = just before dispatching it):
//   dom      the last DOM mutation of the update (MutationObserver; the update is over
//            when a whole task turn passes with no mutation)
//   layout   style and layout forced right after that (getBoundingClientRect)
//   painted  the end of the first frame that shows the update: a requestAnimationFrame loop
//            runs through each run, and the figure is when the message posted from the first
//            rAF callback after the last mutation arrives (after that frame's paint). This
//            includes waiting for the frame boundary (0–16.7 ms at 60 Hz), so it is the
//            user-visible figure, not the CPU cost.
// Medians of ≥ 30 runs (after warm-up) for 1,000 and 10,000 tasks, and the growth ratio.
// It also prints the release bundle sizes in dist/ (raw and brotli) against 150 KB.
//
// Options: --sizes 1000,10000  --runs 40  --warmup 5  --dist dist  --json (machine-readable too)
//          --cpu-profile FILE: a V8 CPU profile (.cpuprofile, for DevTools) of the timed runs at
//          the largest size; build with names kept to read it (see e2e/README.md)
//          --trace FILE: a Chromium performance trace (for DevTools) of the timed runs at the
//          largest size, and the renderer main thread's time per phase (script, style,
//          layout, paint) printed per run
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

import { appBuilt, startBackend, STATIC_DIR } from '../lib/backend.mjs';
import { launchChromium } from '../lib/chromium.mjs';
import { signIn } from '../lib/dashboard.mjs';

// ---------------------------------------------------------------------------------------------
// Options

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  return v === undefined || v.startsWith('--') ? true : v;
}
const SIZES = String(option('sizes', '1000,10000')).split(',').map(Number).filter((n) => n > 0);
const RUNS = Math.max(30, Number(option('runs', 40)));
const WARMUP = Number(option('warmup', 5));
const DIST = path.resolve(String(option('dist', STATIC_DIR)));
const JSON_OUT = option('json', false) === true;
const CPU_PROFILE = option('cpu-profile', false);
const TRACE = option('trace', false);
const TARGET_BROTLI = 150 * 1024;

// ---------------------------------------------------------------------------------------------
// A generated snapshot (wire/src/task.rs: Snapshot { generated_at, tasks: [Task], sources }).

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'budget review deploy rollout sync webhook billing onboarding metrics runbook incident postmortem '
  + 'design draft contract renewal invoice expense planning retro standup hiring interview candidate '
  + 'roadmap launch pricing migration database index cache latency outage alert dashboard report '
  + 'security audit compliance privacy policy legal vendor partner customer escalation ticket support '
  + 'release changelog feature flag experiment analytics funnel churn revenue forecast quarter goals '
  + 'okrs offsite travel laptop access permissions certificate rotation staging production cluster '
  + 'kubernetes terraform docker pipeline flaky tests coverage refactor cleanup typo docs readme api '
  + 'schema graphql mobile android ios safari chrome accessibility contrast theme tokens icons copy '
  + 'translation locale timezone calendar invite agenda notes summary followup decision blocker risk'
).split(/\s+/);
const NAMES = ['Grace Hopper', 'Alan Turing', 'Ada Lovelace', 'Linus Torvalds', 'Margaret Hamilton', 'Ken Thompson',
  'Barbara Liskov', 'Donald Knuth', 'Frances Allen', 'Edsger Dijkstra', 'Radia Perlman', 'Dennis Ritchie',
  'Katherine Johnson', 'Guido van Rossum', 'Hedy Lamarr', 'John Backus', 'Shafi Goldwasser', 'Tim Berners-Lee'];
const SOURCES = ['google_calendar', 'gmail', 'google_drive', 'linear', 'github', 'slack', 'granola', 'ad_hoc'];
const KINDS = {
  google_calendar: ['meeting', 'rsvp'],
  gmail: ['email'],
  google_drive: ['doc_comment'],
  linear: ['issue'],
  github: ['review', 'pull_request', 'issue', 'mention'],
  slack: ['mention', 'marked_message'],
  granola: ['meeting_note_item'],
  ad_hoc: ['ad_hoc'],
};
const DISMISSIBLE = new Set(['meeting_note_item', 'doc_comment', 'mention', 'marked_message', 'ad_hoc']);
const LEVELS = ['critical', 'high', 'medium', 'low'];
const level = (score) => (score >= 80 ? 'critical' : score >= 60 ? 'high' : score >= 35 ? 'medium' : 'low');

export function generateSnapshot(n, seed = 42) {
  const r = rng(seed + n);
  const pick = (list) => list[Math.floor(r() * list.length)];
  const now = Math.floor(Date.now() / 1000);
  const dayStart = now - (now % 86400);
  const tasks = [];
  for (let i = 0; i < n; i += 1) {
    const source = i < SOURCES.length ? SOURCES[i] : pick(SOURCES.slice(0, 7).concat(['ad_hoc']));
    const kind = pick(KINDS[source]);
    const words = Array.from({ length: 3 + Math.floor(r() * 4) }, () => pick(WORDS));
    const key = `ENG-${100 + Math.floor(r() * 900)}`;
    const title = `${words.join(' ')} ${key}`.replace(/^./, (c) => c.toUpperCase());
    const score = Math.floor(r() * 101);
    const computed = level(score);
    const override = r() < 0.03 ? pick(LEVELS) : undefined;
    const dismissible = DISMISSIBLE.has(kind);
    const meeting = kind === 'meeting' || kind === 'rsvp';
    const start = dayStart + 8 * 3600 + Math.floor(r() * 10 * 4) * 900;
    const task = {
      id: `${source}:bench-${i}`,
      source,
      kind,
      title,
      snippet: Array.from({ length: 8 }, () => pick(WORDS)).join(' '),
      url: source === 'ad_hoc' ? undefined : `https://example.invalid/${source}/${i}`,
      people: Array.from({ length: Math.floor(r() * 3) }, () => {
        const name = pick(NAMES);
        return { name, handle: `${name.split(' ')[0].toLowerCase()}@example.com` };
      }),
      signals: {
        ...(meeting ? { starts_at: start, ends_at: start + 1800 } : {}),
        ...(!meeting && r() < 0.4 ? { due: dayStart + Math.floor(r() * 86400) } : {}),
        updated_at: now - Math.floor(r() * 14 * 86400),
        waiting_on_me: r() < 0.3,
        direct_mention: kind === 'mention',
        rsvp_needed: kind === 'rsvp',
        starred: r() < 0.1,
        ...(source === 'linear' ? { source_priority: 1 + Math.floor(r() * 4) } : {}),
      },
      refs: [`linear:${key}`],
      links: [],
      score,
      computed_priority: computed,
      priority: override ?? computed,
      why: [pick(['due today', 'someone is waiting', 'meeting soon', 'mentioned directly', 'starred', 'old'])],
      ...(override ? { priority_override: override } : {}),
      dismissed: dismissible && r() < 0.05,
      dismissible,
    };
    if (!task.url) delete task.url;
    tasks.push(task);
  }
  // Cross-references: a few tasks link to another one.
  for (let i = 0; i < n; i += 17) {
    const j = Math.floor(r() * n);
    if (j !== i) {
      tasks[i].links.push(tasks[j].id);
      tasks[j].links.push(tasks[i].id);
    }
  }
  tasks.sort((a, b) => b.score - a.score);
  const counts = Object.fromEntries(SOURCES.map((s) => [s, 0]));
  for (const t of tasks) counts[t.source] += 1;
  return {
    generated_at: now - 60,
    tasks,
    sources: SOURCES.slice(0, 7).map((source) => ({
      source, state: 'ok', count: counts[source], skipped: 0, duration_ms: 120, fetched_at: now - 60,
    })),
  };
}

/** Search terms: vocabulary words (each in roughly 3–5 % of titles or snippets). */
const TERMS = ['budget', 'deploy', 'webhook', 'runbook', 'incident', 'contract', 'hiring', 'roadmap', 'latency',
  'security', 'release', 'forecast', 'terraform', 'schema', 'calendar', 'decision', 'pricing', 'cluster'];

// ---------------------------------------------------------------------------------------------
// In-page measurement (one evaluate per run: node ⇄ browser round trips are not timed).

/* eslint-disable no-undef */
async function inPageRun({ action, value, unchanged = false }) {
  const root = document.querySelector('.task-column') ?? document.body;
  const yieldTask = () => new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(0);
  });
  const nextPaint = () => new Promise((resolve) => {
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => resolve(performance.now());
      ch.port2.postMessage(0);
    });
  });
  // Every frame of the run: when its rAF callbacks ran, and when its paint was over.
  const frames = [];
  let looping = true;
  const loop = () => {
    if (!looping) return;
    const rafAt = performance.now();
    const ch = new MessageChannel();
    ch.port1.onmessage = () => frames.push({ rafAt, paintedAt: performance.now() });
    ch.port2.postMessage(0);
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  let mutations = 0;
  let lastMutation = 0;
  const mo = new MutationObserver((records) => {
    mutations += records.length;
    lastMutation = performance.now();
  });
  mo.observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
  const search = document.getElementById('search');
  const t0 = performance.now();
  if (action === 'search') {
    const key = value.slice(-1) || 'Backspace';
    search.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    search.value = value;
    search.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: value ? 'insertText' : 'deleteContentBackward', data: value.slice(-1) || null }));
    search.dispatchEvent(new KeyboardEvent('keyup', { key, bubbles: true }));
  } else {
    document.getElementById(value).click();
  }
  // Settled: two task turns with no new mutation (and at least one seen, or 50 turns). When
  // the list is not expected to change, one turn: the app's effects run as microtasks, so
  // they are all done by then.
  let quiet = 0;
  if (unchanged) await yieldTask();
  for (let turns = 0; !unchanged && turns < 500; turns += 1) {
    const before = mutations;
    // eslint-disable-next-line no-await-in-loop
    await yieldTask();
    if (mutations === before && (mutations > 0 || turns > 50)) {
      quiet += 1;
      if (quiet >= 2) break;
    } else {
      quiet = 0;
    }
  }
  mo.disconnect();
  const tSettled = performance.now();
  const tDom = mutations > 0 ? lastMutation : tSettled;
  root.getBoundingClientRect();
  document.body.offsetHeight; // eslint-disable-line no-unused-expressions
  const tLayout = performance.now();
  const shown = mutations > 0 ? lastMutation : t0;
  let frame = frames.find((f) => f.rafAt >= shown);
  while (!frame) {
    // eslint-disable-next-line no-await-in-loop
    await nextPaint();
    frame = frames.find((f) => f.rafAt >= shown);
  }
  looping = false;
  const tPaint = frame.paintedAt;
  return {
    dom: tDom - t0,
    settled: tSettled - t0,
    layout: tLayout - t0,
    painted: tPaint - t0,
    mutations,
    cards: document.querySelectorAll('[data-task-id]').length,
  };
}
/* eslint-enable no-undef */

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x) => `${x.toFixed(2)} ms`;

async function settle(page) {
  await page.evaluate(() => new Promise((resolve) => {
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 30)));
  }));
}

async function setSearch(page, value) {
  await page.evaluate(inPageRun, { action: 'search', value });
  await settle(page);
}

async function benchSize(page, base, n, state) {
  state.body = JSON.stringify(generateSnapshot(n));
  const t0 = Date.now();
  await page.goto(`${base}/`);
  await page.waitForFunction(() => document.querySelectorAll('[data-task-id]').length > 0
    && /as of/.test(document.getElementById('snapshot-age')?.textContent ?? ''), null, { timeout: 180_000, polling: 50 });
  const firstRender = Date.now() - t0;
  const first = await page.locator('[data-task-id]').first().getAttribute('data-task-id');
  if (!first?.includes(':bench-')) {
    throw new Error(`the app shows ${first}, not the generated snapshot: GET /api/tasks was not intercepted`);
  }
  const cardsShown = await page.locator('[data-task-id]').count();
  await settle(page);

  const results = { search: [], clear: [], same: [], view: [] };
  const totalRuns = RUNS + WARMUP;
  let profiler = null;
  if (typeof CPU_PROFILE === 'string' && n === Math.max(...SIZES)) {
    profiler = await page.context().newCDPSession(page);
    await profiler.send('Profiler.enable');
    await profiler.send('Profiler.setSamplingInterval', { interval: 100 });
    await profiler.send('Profiler.start');
  }
  let tracer = null;
  const traceEvents = [];
  if (typeof TRACE === 'string' && n === Math.max(...SIZES)) {
    tracer = await page.context().newCDPSession(page);
    tracer.on('Tracing.dataCollected', ({ value }) => traceEvents.push(...value));
    await tracer.send('Tracing.start', {
      transferMode: 'ReportEvents',
      traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'v8.execute'] },
    });
  }
  for (let i = 0; i < totalRuns; i += 1) {
    const term = TERMS[i % TERMS.length];
    // A keystroke that completes a search term (from an empty field) …
    const s = await page.evaluate(inPageRun, { action: 'search', value: term });
    await settle(page);
    // … and one that clears it again (Backspace over a selection).
    const c = await page.evaluate(inPageRun, { action: 'search', value: '' });
    await settle(page);
    // A keystroke that does not change the result (a trailing space): search, filter, sort
    // and group over all N tasks, but no card to change (the model's own cost).
    await setSearch(page, term);
    const same = await page.evaluate(inPageRun, { action: 'search', value: `${term} `, unchanged: true });
    await setSearch(page, '');
    if (i >= WARMUP) {
      results.search.push(s);
      results.clear.push(c);
      results.same.push(same);
    }
  }
  for (let i = 0; i < totalRuns; i += 1) {
    const target = i % 2 === 0 ? 'view-source' : 'view-priority';
    const v = await page.evaluate(inPageRun, { action: 'view', value: target });
    await settle(page);
    if (i >= WARMUP) results.view.push(v);
  }
  if (tracer) {
    const done = new Promise((resolve) => tracer.once('Tracing.tracingComplete', resolve));
    await tracer.send('Tracing.end');
    await done;
    fs.writeFileSync(TRACE, JSON.stringify({ traceEvents }));
    // Per loop turn: search, clear, set, same, set (five actions); then one view switch.
    printPhases(traceEvents, 6 * totalRuns);
    process.stderr.write(`bench: trace of the ${n}-task runs in ${TRACE}\n`);
    await tracer.detach();
  }
  if (profiler) {
    const { profile } = await profiler.send('Profiler.stop');
    fs.writeFileSync(CPU_PROFILE, JSON.stringify(profile));
    process.stderr.write(`bench: CPU profile of the ${n}-task runs in ${CPU_PROFILE}\n`);
    await profiler.detach();
  }
  // End in the priority view with an empty search.
  if (await page.locator('#view-priority[aria-pressed="true"]').count() === 0) {
    await page.evaluate(inPageRun, { action: 'view', value: 'view-priority' });
  }
  await setSearch(page, '');
  const noMutation = Object.entries(results)
    .filter(([k]) => k !== 'same')
    .flatMap(([k, rs]) => rs.filter((r) => r.mutations === 0).map(() => k));
  return { n, firstRender, cardsShown, results, noMutation, bytes: state.body.length };
}

/** The renderer main thread's time per phase over a trace (complete events, self-nested
 * ones counted once: a phase inside a task is that task's, not the task's twice). */
function printPhases(events, interactions) {
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const phases = {
    script: ['FunctionCall', 'EventDispatch', 'TimerFire', 'FireAnimationFrame', 'v8.callFunction', 'RunMicrotasks'],
    style: ['UpdateLayoutTree', 'RecalculateStyles'],
    layout: ['Layout'],
    paint: ['PrePaint', 'Paint', 'Layerize', 'UpdateLayer', 'CompositeLayers', 'Commit'],
  };
  const totals = {};
  for (const [phase, names] of Object.entries(phases)) {
    const spans = events
      .filter((e) => e.ph === 'X' && e.pid === main?.pid && e.tid === main?.tid && names.includes(e.name))
      .map((e) => [e.ts, e.ts + (e.dur ?? 0)])
      .sort((a, b) => a[0] - b[0]);
    let total = 0;
    let end = -Infinity;
    for (const [a, b] of spans) {
      if (a >= end) { total += b - a; end = b; } else if (b > end) { total += b - end; end = b; }
    }
    totals[phase] = total / 1000;
  }
  console.log(`  trace: renderer main thread per action (${interactions} timed, warm-up and set-up actions; a phase forced inside script counts in both):`);
  for (const [phase, t] of Object.entries(totals)) console.log(`    ${phase.padEnd(8)} ${(t / interactions).toFixed(2)} ms`);
}

function summarize(results) {
  const out = {};
  for (const [k, rs] of Object.entries(results)) {
    out[k] = {
      runs: rs.length,
      dom: median(rs.map((r) => r.dom)),
      settled: median(rs.map((r) => r.settled)),
      layout: median(rs.map((r) => r.layout)),
      painted: median(rs.map((r) => r.painted)),
      painted_p90: pct(rs.map((r) => r.painted), 90),
      cards: median(rs.map((r) => r.cards)),
      mutations: median(rs.map((r) => r.mutations)),
    };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Bundle sizes

function bundleSizes(dir) {
  // What index.html loads (script src, stylesheet, module preload, wasm preload) is the app's
  // bundle; other JS/CSS in dist/ (e.g. the service worker, fetched by the browser on its
  // own) is listed apart.
  const html = fs.existsSync(path.join(dir, 'index.html')) ? fs.readFileSync(path.join(dir, 'index.html'), 'utf8') : '';
  const loaded = new Set([...html.matchAll(/(?:src|href)="\/?([^"?#]+\.(?:wasm|js|css))"/g)].map((m) => m[1]));
  const files = fs.readdirSync(dir)
    .filter((f) => /\.(wasm|js|css)$/.test(f))
    .map((f) => {
      const raw = fs.readFileSync(path.join(dir, f));
      const br = zlib.brotliCompressSync(raw, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
          [zlib.constants.BROTLI_PARAM_MODE]: f.endsWith('.wasm') ? zlib.constants.BROTLI_MODE_GENERIC : zlib.constants.BROTLI_MODE_TEXT,
        },
      }).length;
      return { file: f, kind: path.extname(f).slice(1), raw: raw.length, br, app: loaded.size === 0 || loaded.has(f) };
    })
    .sort((a, b) => Number(b.app) - Number(a.app) || a.kind.localeCompare(b.kind) || b.raw - a.raw);
  const byKind = {};
  for (const f of files.filter((x) => x.app)) {
    byKind[f.kind] ??= { raw: 0, br: 0 };
    byKind[f.kind].raw += f.raw;
    byKind[f.kind].br += f.br;
  }
  const sum = (list) => list.reduce((a, f) => ({ raw: a.raw + f.raw, br: a.br + f.br }), { raw: 0, br: 0 });
  return { files, byKind, total: sum(files.filter((f) => f.app)), everything: sum(files) };
}

const kb = (b) => `${(b / 1024).toFixed(1)} KiB`;

function printBundle(b) {
  console.log(`\nRelease bundle in ${path.relative(process.cwd(), DIST) || '.'} (brotli: node zlib, quality 11)`);
  const row = (label, v, note = '') => console.log(`  ${label.padEnd(44)} ${kb(v.raw).padStart(11)} raw  ${kb(v.br).padStart(10)} br${note}`);
  for (const f of b.files) row(f.file, f, f.app ? '' : '   (not loaded by index.html)');
  for (const [k, v] of Object.entries(b.byKind)) row(`app .${k}`, v);
  const verdict = b.total.br <= TARGET_BROTLI ? 'within' : 'OVER';
  row('app total (wasm + JS + CSS)', b.total,
    `  → ${verdict} the 150 KiB brotli target (${((100 * b.total.br) / TARGET_BROTLI).toFixed(0)} %)`);
  if (b.everything.br !== b.total.br) row('all .wasm/.js/.css in dist/', b.everything);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const missing = appBuilt();
  if (missing) {
    console.error(`bench:dashboard: ${missing}. Build first: cargo build -p pmt-server && trunk build --release`);
    process.exit(2);
  }
  const wasm = fs.readdirSync(DIST).find((f) => f.endsWith('.wasm'));
  if (wasm && fs.statSync(path.join(DIST, wasm)).size > 3 * 1024 * 1024) {
    console.warn(`warning: ${wasm} is ${kb(fs.statSync(path.join(DIST, wasm)).size)}: this looks like a debug build; use trunk build --release`);
  }
  const bundle = bundleSizes(DIST);
  const loadBefore = os.loadavg().map((x) => x.toFixed(2)).join(' ');

  const backend = await startBackend({ staticDir: DIST });
  const h = await launchChromium({ viewport: { width: 1280, height: 900 } });
  const { page } = h;
  const state = { body: null };
  const report = { sizes: [], bundle };
  try {
    // The generated plan replaces the backend's; a refresh must not replace it in turn.
    await page.route((url) => url.pathname === '/api/tasks', (route) => {
      if (route.request().method() !== 'GET' || !state.body) return route.fallback();
      return route.fulfill({ status: 200, contentType: 'application/json', body: state.body });
    });
    await page.route((url) => url.pathname.startsWith('/api/refresh'), (route) => route.abort());
    state.body = JSON.stringify(generateSnapshot(SIZES[0]));
    await signIn(page, backend.url);

    for (const n of SIZES) {
      process.stderr.write(`bench: ${n} tasks…\n`);
      const r = await benchSize(page, backend.url, n, state);
      report.sizes.push({ ...r, summary: summarize(r.results) });
    }
  } finally {
    await h.close();
    await backend.close();
  }

  console.log(`\nDashboard benchmark: headless Chromium (${process.env.PMT_CHROMIUM ?? '/usr/bin/chromium'}), `
    + `${RUNS} timed runs after ${WARMUP} warm-up, medians (p90 of painted in brackets)`);
  console.log('  t0 = just before the action; dom = last DOM mutation; settled = two quiet task turns seen; '
    + 'layout = forced style+layout after that; painted = end of the first frame after the last mutation (rAF loop + post-frame task)');
  console.log(`  machine: ${os.cpus().length} CPU(s), load average ${loadBefore} before, ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} after `
    + '(other work on the machine inflates every figure)');
  for (const s of report.sizes) {
    const { summary: m } = s;
    console.log(`\n  ${s.n.toLocaleString('en')} tasks (snapshot ${kb(s.bytes)} JSON; load → first cards ${s.firstRender} ms; ${s.cardsShown} cards on screen)`);
    const line = (label, x) => console.log(`    ${label.padEnd(34)} dom ${ms(x.dom).padStart(10)}  settled ${ms(x.settled).padStart(10)}  layout ${ms(x.layout).padStart(10)}  painted ${ms(x.painted).padStart(10)} [${ms(x.painted_p90)}]  (${x.cards} cards after, ${x.mutations} DOM mutation records)`);
    line('search keystroke (narrow)', m.search);
    line('search keystroke (clear)', m.clear);
    line('search keystroke (same result)', m.same);
    line('view switch (priority ⇄ source)', m.view);
    if (s.noMutation.length) console.log(`    note: ${s.noMutation.length} run(s) changed nothing in the DOM (${[...new Set(s.noMutation)].join(', ')})`);
  }
  if (report.sizes.length >= 2) {
    const [a, b] = [report.sizes[0], report.sizes.at(-1)];
    const factor = b.n / a.n;
    console.log(`\n  growth ${a.n.toLocaleString('en')} → ${b.n.toLocaleString('en')} tasks (×${factor}; linear would be ×${factor}):`);
    for (const k of ['search', 'clear', 'same', 'view']) {
      const [x, y] = [a.summary[k], b.summary[k]];
      console.log(`    ${k.padEnd(8)} painted ×${(y.painted / x.painted).toFixed(2)}   dom ×${(y.dom / x.dom).toFixed(2)}   layout ×${(y.layout / x.layout).toFixed(2)}`);
    }
    const at10k = b.summary;
    const worst = Math.max(at10k.search.painted, at10k.clear.painted, at10k.view.painted);
    const worstLayout = Math.max(at10k.search.layout, at10k.clear.layout, at10k.view.layout);
    console.log(`  target: ≤ 16 ms at ${b.n.toLocaleString('en')} tasks: painted worst median ${ms(worst)}, `
      + `work before the frame (layout) worst median ${ms(worstLayout)} → ${worstLayout <= 16 ? 'work fits in one frame' : 'work exceeds one frame'}`);
  }
  printBundle(bundle);
  if (JSON_OUT) {
    const slim = { ...report, sizes: report.sizes.map(({ results, ...rest }) => rest) };
    console.log(`\n${JSON.stringify(slim, null, 2)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
