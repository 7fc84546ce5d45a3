// Accessibility in the browser tests: axe-core (npm), injected into the page by playwright-core, checks the
// screen as it is against WCAG 2.0 and 2.1, levels A and AA. expectAccessible fails the test with every
// violation named (rule, impact, the elements and why), so a colour or a name that goes wrong shows where.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The rules run: WCAG 2.1 A and AA, which include those of 2.0. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * injectAxe adds axe to page as a script tag. A page whose Content-Security-Policy refuses inline scripts (the
 * development sign-in's `default-src 'none'`, and the SPA's own policy) blocks that tag: there axe's source is
 * evaluated through the DevTools protocol instead, which the page's policy does not govern, so the test never
 * needs the policy weakened.
 */
async function injectAxe(page) {
  try {
    await page.addScriptTag({ path: axePath });
  } catch (err) {
    if (!/Content Security Policy/.test(String(err))) throw err;
    await page.evaluate(readFileSync(axePath, 'utf8'));
  }
}

/** axeViolations runs axe on page (or on the part of it that selector picks) and returns its violations. */
export async function axeViolations(page, selector) {
  // The screen as it settles: a colour still in transition (a theme just switched, a button just pressed) is
  // neither the old nor the new one. Animations that never end (a skeleton's shine, typing dots) are left running.
  await page.waitForFunction(() =>
    document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity),
  );
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await injectAxe(page);
  return page.evaluate(
    async ({ tags, selector }) => {
      const result = await window.axe.run(selector ?? document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ')}`),
      }));
    },
    { tags: WCAG_TAGS, selector },
  );
}

/** expectAccessible asserts that screen (a name for the message) of page has no WCAG 2.1 A or AA violation. */
export async function expectAccessible(page, screen, selector) {
  const violations = await axeViolations(page, selector);
  const report = violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.join('\n    ')}`).join('\n  ');
  assert.equal(violations.length, 0, `axe on ${screen}: ${violations.length} WCAG 2.1 A/AA violations\n  ${report}`);
}
