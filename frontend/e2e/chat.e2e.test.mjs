// End-to-end: two people sign in through the development sign-in, add each other, chat both ways
// without reloading, then one blocks the other and the blocked one's next message is refused.
// Needs BASE_URL (the local server, which serves the SPA, config.json, the API and /dev-oidc).
// Run through scripts/test-e2e.sh, which builds and starts everything.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { expectAccessible } from './axe.mjs';
import { ARGS, BASE_URL, CHROMIUM, SHOTS, addContact as addContactOn, bubble as bubbleOn, send as sendOn, shot as shotAs, signIn as signInOn } from './people.mjs';

const STEP_TIMEOUT = 60_000;
const WAIT = 15_000;

/**
 * A person: a browser context of their own (cookies, storage and service workers apart from the other's), and
 * one page. Pages are made over the DevTools protocol, never taken from a persistent profile's startup window: in
 * three suite runs under load that startup page never reported itself ready and the launch timed out.
 */
async function person(browser, email, name) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 }, locale: 'en-GB' });
  context.setDefaultTimeout(WAIT);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`${email} page error: ${err.message}`));
  // Nothing but Parley's own origin is ever asked for anything (no avatar service, no font CDN).
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.protocol !== 'data:' && url.origin !== new URL(BASE_URL).origin) {
      problems.push(`${email} asked another origin: ${url.origin}`);
    }
  });
  return { email, name, context, page, problems };
}

let step = 0;
async function shot(page, label) {
  step += 1;
  return shotAs(page, `${String(step).padStart(2, '0')}-${label}`);
}

async function signIn(p) {
  const alice = p.email.startsWith('alice');
  await signInOn(p.page, p.email, {
    onLanding: alice ? async () => (await shot(p.page, 'landing'), await expectAccessible(p.page, 'the landing page')) : undefined,
    onProvider: alice ? async () => (await shot(p.page, 'dev-sign-in'), await expectAccessible(p.page, 'the development sign-in')) : undefined,
  });
  // Back in the app, signed in, with code and state gone from the address bar.
  const url = new URL(p.page.url());
  assert.equal(url.searchParams.has('code'), false, 'code is stripped from the URL');
  assert.equal(url.searchParams.has('state'), false, 'state is stripped from the URL');
}

const addContact = (p, email, name) => addContactOn(p.page, email, name);
const send = (p, text) => sendOn(p.page, text);
const bubble = (p, text, side) => bubbleOn(p.page, text, side);

describe('Parley end to end', { timeout: 5 * 60_000 }, () => {
  let browser;
  let alice;
  let bob;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30_000 });
    alice = await person(browser, 'alice@example.com', 'Alice');
    bob = await person(browser, 'bob@example.com', 'Bob');
  });

  after(async () => {
    await browser?.close();
  });

  it('Alice and Bob sign in with the development sign-in', { timeout: STEP_TIMEOUT }, async () => {
    await signIn(alice);
    await signIn(bob);
    await shot(alice.page, 'alice-signed-in');
    await expectAccessible(alice.page, 'the empty contact list');
  });

  it('they add each other', { timeout: STEP_TIMEOUT }, async () => {
    await addContact(alice, 'bob@example.com', 'Bob');
    await addContact(bob, 'alice@example.com', 'Alice');
    await shot(alice.page, 'alice-added-bob');
  });

  it('a message from Alice appears on Bob’s side without a reload', { timeout: STEP_TIMEOUT }, async () => {
    const text = 'Hello Bob! <b>not bold</b>';
    await send(alice, text);
    // Stored, and ticked as far as Bob's device got (his open conversation may have read it already).
    await bubble(alice, text, 'mine').and(alice.page.locator('[data-status="sent"], [data-status="delivered"], [data-status="read"]')).waitFor();
    await bubble(bob, text, 'theirs').waitFor();
    // Text, not HTML.
    assert.equal(await bob.page.locator('.messages b').count(), 0);
    await shot(bob.page, 'bob-received');
    await expectAccessible(bob.page, 'a conversation');
  });

  it('Bob’s reply appears on Alice’s side without a reload', { timeout: STEP_TIMEOUT }, async () => {
    const text = 'Hi Alice, got it.\nSecond line.';
    await send(bob, text);
    await bubble(alice, 'Hi Alice, got it.', 'theirs').waitFor();
    assert.match(await bubble(alice, 'Hi Alice, got it.', 'theirs').locator('.bubble-text').innerText(), /Second line\./);
    await shot(alice.page, 'alice-received');
  });

  it('Alice blocks Bob', { timeout: STEP_TIMEOUT }, async () => {
    await alice.page.getByRole('button', { name: 'Block Bob' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Block Bob?' });
    await shot(alice.page, 'alice-block-dialog');
    await expectAccessible(alice.page, 'the block dialog');
    await dialog.getByRole('button', { name: 'Block', exact: true }).click();
    await alice.page.locator('.blocked-bar').waitFor();
    await shot(alice.page, 'alice-blocked-bob');
  });

  it('Bob’s next message is refused and shown as failed with the blocked message', { timeout: STEP_TIMEOUT }, async () => {
    const text = 'Are you there?';
    await send(bob, text);
    const refused = bubble(bob, text, 'mine');
    await refused.and(bob.page.locator('[data-status="failed"]')).waitFor();
    const note = refused.locator('.message-failed');
    await note.waitFor();
    assert.match(await note.innerText(), /Not sent: \S+/);
    await note.getByRole('button', { name: 'Retry' }).waitFor();
    await shot(bob.page, 'bob-refused');
    await expectAccessible(bob.page, 'a refused message');
    // Never delivered to Alice.
    await alice.page.waitForTimeout(2500);
    assert.equal(await bubble(alice, text, 'theirs').count(), 0);
  });

  it('Alice signs out and is back on the landing page', { timeout: STEP_TIMEOUT }, async () => {
    await alice.page.getByRole('button', { name: 'Sign out' }).click();
    await alice.page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    assert.equal(new URL(alice.page.url()).origin, new URL(BASE_URL).origin);
    await alice.page.reload();
    await alice.page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await shot(alice.page, 'alice-signed-out');
  });

  it('no page errors were thrown', () => {
    assert.deepEqual([...alice.problems, ...bob.problems], []);
  });
});
