// The browser's view of a real deploy: the local server sends the security headers CloudFront sends
// (terraform/security-headers.json), and scripts/test-e2e.sh puts the WebSocket on an origin of its own
// (127.0.0.1 while the page is on localhost), as the WebSocket API has in AWS. Signed in, the realtime socket
// must open and nothing may be refused by the Content-Security-Policy: a policy whose connect-src forgot the
// socket fails here, where in AWS the SPA would silently poll for ever.
// Run through scripts/test-e2e.sh, which builds and starts everything.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { ARGS, BASE_URL, CHROMIUM, shot, signIn } from './people.mjs';

const WAIT = 15_000;

describe('Parley under the deployed security headers', { timeout: 2 * 60_000 }, () => {
  let browser;

  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  after(async () => {
    await browser?.close();
  });

  it('opens the realtime socket on its own origin with nothing refused by the CSP', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 720 }, locale: 'en-GB', serviceWorkers: 'block' });
    context.setDefaultTimeout(WAIT);
    // Every page of the context reports what the policy refused, from its first script on.
    await context.addInitScript(() => {
      window.__refused = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__refused.push(`${e.effectiveDirective} refused ${e.blockedURI}`);
      });
    });
    const page = await context.newPage();
    const refusals = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) refusals.push(m.text());
    });
    const document = await page.goto(BASE_URL, { waitUntil: 'domcontentloaded' });
    const csp = (await document.headerValue('content-security-policy')) ?? '';
    assert.match(csp, /connect-src [^;]*ws:\/\/127\.0\.0\.1:/, 'the page is served under a policy that names the socket');

    await signIn(page, 'csp-ana@example.com');
    const config = await page.evaluate(async () => (await fetch('/config.json')).json());
    assert.notEqual(new URL(config.wsURL).host, new URL(BASE_URL).host, 'the socket is on an origin of its own, as in AWS');
    try {
      await page.locator('.shell[data-connection="open"]').waitFor();
    } catch (err) {
      await shot(page, 'csp-socket-not-open');
      throw new Error(`the realtime socket did not open (refused: ${JSON.stringify(refusals)}): ${err.message}`);
    }
    const refusedInPage = await page.evaluate(() => window.__refused);
    assert.deepEqual([...refusedInPage, ...refusals], [], 'nothing refused by the Content-Security-Policy');
    await context.close();
  });
});
