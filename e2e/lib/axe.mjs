// axe-core in the page under test.
//
// The app's CSP allows no inline script, so `page.addScriptTag({content})` would be blocked
// (and reported as a CSP violation). `page.evaluate(source)` runs through the DevTools
// protocol, which the page's CSP does not govern: axe lands as `window.axe` without
// touching the page's policy.
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let source;

/** The text of node_modules/axe-core/axe.min.js. */
export function axeSource() {
  source ??= fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  return source;
}

/** Puts `window.axe` into the page (once per document). */
export async function injectAxe(page) {
  const present = await page.evaluate(() => typeof window.axe === 'object' && typeof window.axe.run === 'function');
  if (!present) await page.evaluate(axeSource());
  const version = await page.evaluate(() => window.axe?.version);
  if (!version) throw new Error('axe-core did not load into the page');
  return version;
}

/**
 * Runs axe over the document (or `context`): the violations, reduced to what a report needs
 * (rule, impact, help and the failing nodes' targets), and the "incomplete" results (checks
 * axe could not decide, e.g. contrast over an image), by rule with their node counts.
 */
export async function runAxeDetailed(page, { context = null, options = {} } = {}) {
  await injectAxe(page);
  return page.evaluate(async ({ context, options }) => {
    const results = await window.axe.run(context ?? document, { resultTypes: ['violations', 'incomplete'], ...options });
    const nodes = (list) => list.map((n) => ({
      target: n.target,
      impact: n.impact,
      html: n.html.length > 160 ? `${n.html.slice(0, 160)}…` : n.html,
      summary: n.failureSummary,
    }));
    return {
      violations: results.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, nodes: nodes(v.nodes),
      })),
      incomplete: results.incomplete.map((v) => ({ id: v.id, impact: v.impact, count: v.nodes.length, nodes: nodes(v.nodes.slice(0, 3)) })),
      passes: results.passes.length,
    };
  }, { context, options });
}

/** The violations of {@link runAxeDetailed}. */
export async function runAxe(page, opts = {}) {
  return (await runAxeDetailed(page, opts)).violations;
}

export const BLOCKING_IMPACTS = ['serious', 'critical'];

/** Violations of serious or critical impact. */
export function blocking(violations) {
  return violations.filter((v) => BLOCKING_IMPACTS.includes(v.impact));
}

/** Readable lines for a list of violations (rule, impact, targets). */
export function formatViolations(violations) {
  return violations.map((v) => {
    const nodes = v.nodes.slice(0, 8).map((n) => `    - ${n.target.join(' ')}  ${n.html}\n      ${String(n.summary ?? '').replace(/\n/g, '\n      ')}`);
    const more = v.nodes.length > 8 ? [`    … ${v.nodes.length - 8} more`] : [];
    return [`  [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} node(s)) ${v.helpUrl}`, ...nodes, ...more].join('\n');
  }).join('\n');
}
