// End-to-end: two people sign in through the development sign-in, add each other, chat both ways
// without reloading, then one blocks the other and the blocked one's next message is refused.
// Needs BASE_URL (the local server, which serves the SPA, config.json, the API and /dev-oidc).
// Run through scripts/test-e2e.sh, which builds and starts everything.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const BASE_URL = process.env.BASE_URL;
if (!BASE_URL) throw new Error('BASE_URL is required, e.g. http://localhost:8080');
const SHOTS = resolve(process.env.SCREENSHOT_DIR ?? new URL('../test-results/e2e/', import.meta.url).pathname);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const STEP_TIMEOUT = 60_000;
const WAIT = 15_000;

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A person: their own browser with a fresh profile (user data dir), and one page. */
async function person(email, name) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1100, height: 720 },
    locale: 'en-GB',
    timeout: 30_000,
  });
  context.setDefaultTimeout(WAIT);
  context.setDefaultNavigationTimeout(30_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on('pageerror', (err) => problems.push(`${email} page error: ${err.message}`));
  // Nothing but Parley's own origin is ever asked for anything (no avatar service, no font CDN).
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.protocol !== 'data:' && url.origin !== new URL(BASE_URL).origin) {
      problems.push(`${email} asked another origin: ${url.origin}`);
    }
  });
  return { email, name, context, page, userDataDir, problems };
}

let step = 0;
async function shot(page, label) {
  step += 1;
  const file = join(SHOTS, `${String(step).padStart(2, '0')}-${label}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

async function signIn(p) {
  const { page } = p;
  await page.goto(BASE_URL, { waitUntil: 'domcontentloaded' });
  const signInButton = page.getByRole('button', { name: 'Sign in', exact: true });
  await signInButton.waitFor();
  if (p.email.startsWith('alice')) await shot(page, 'landing');
  await signInButton.click();
  // The development provider's form.
  await page.locator('#email').waitFor();
  await page.locator('#email').fill(p.email);
  if (p.email.startsWith('alice')) await shot(page, 'dev-sign-in');
  await page.locator('button[type="submit"]').click();
  // Back in the app, signed in, with code and state gone from the address bar.
  await page.getByText(p.email, { exact: true }).waitFor();
  const url = new URL(page.url());
  assert.equal(url.searchParams.has('code'), false, 'code is stripped from the URL');
  assert.equal(url.searchParams.has('state'), false, 'state is stripped from the URL');
}

async function addContact(p, email, name) {
  const { page } = p;
  await page.locator('.sidebar-actions').getByRole('button', { name: 'Add contact' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a contact' });
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByRole('button', { name: 'Add contact' }).click();
  await page.getByRole('heading', { level: 2, name }).waitFor();
}

async function open(p, email) {
  await p.page.locator(`.contact[data-email="${email}"]`).click();
  await p.page.locator('#composer-input, .blocked-bar').first().waitFor();
}

async function send(p, text) {
  const box = p.page.locator('#composer-input');
  await box.fill(text);
  await box.press('Enter');
}

/** The message bubble whose text is exactly text, on one side. */
function bubble(p, text, side) {
  return p.page.locator(`.message.${side}`).filter({ has: p.page.locator('.bubble-text', { hasText: text }) });
}

describe('Parley end to end', { timeout: 5 * 60_000 }, () => {
  let alice;
  let bob;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    alice = await person('alice@example.com', 'Alice');
    bob = await person('bob@example.com', 'Bob');
  });

  after(async () => {
    for (const p of [alice, bob]) {
      if (!p) continue;
      await p.context.close().catch(() => {});
      rmSync(p.userDataDir, { recursive: true, force: true });
    }
  });

  it('Alice and Bob sign in with the development sign-in', { timeout: STEP_TIMEOUT }, async () => {
    await signIn(alice);
    await signIn(bob);
    await shot(alice.page, 'alice-signed-in');
  });

  it('they add each other', { timeout: STEP_TIMEOUT }, async () => {
    await addContact(alice, 'bob@example.com', 'Bob');
    await addContact(bob, 'alice@example.com', 'Alice');
    await shot(alice.page, 'alice-added-bob');
  });

  it('a message from Alice appears on Bob’s side without a reload', { timeout: STEP_TIMEOUT }, async () => {
    const text = 'Hello Bob! <b>not bold</b>';
    await send(alice, text);
    await bubble(alice, text, 'mine').and(alice.page.locator('[data-status="sent"]')).waitFor();
    await bubble(bob, text, 'theirs').waitFor();
    // Text, not HTML.
    assert.equal(await bob.page.locator('.messages b').count(), 0);
    await shot(bob.page, 'bob-received');
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
