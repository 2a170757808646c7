// Accessibility checks with axe-core (WCAG 2.1 A/AA rules: labels, contrast, roles, names).
// The source is evaluated through the DevTools protocol, which the page's
// Content-Security-Policy does not apply to.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The violations on the page (empty when it passes), as readable lines. */
export async function axeViolations(page) {
  await page.evaluate(source);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${n.failureSummary?.split('\n').join(' ')}`));
}
