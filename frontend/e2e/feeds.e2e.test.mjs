// Public live feeds end to end: Hana creates a channel and names Cas a publisher in the signed-in studio;
// a viewer who never signs in opens /live/<channel> in another browser context and sees every post Hana
// and Cas make, in order, exactly once, as they are made; unchanged polls are 304s; a post Hana deletes
// leaves the viewer's page. Run through scripts/test-e2e.sh, which builds and starts everything.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { expectAccessible } from './axe.mjs';
import { ARGS, BASE_URL, CHROMIUM, shot, signIn } from './people.mjs';

const WAIT = 20_000; // a poll every 5 s, with room to spare

describe('Parley live feeds', { timeout: 4 * 60_000 }, () => {
  let browser;
  const problems = [];
  const channel = `finals-${Date.now().toString(36)}`;

  async function newPage(viewport = { width: 1100, height: 760 }) {
    const context = await browser.newContext({ viewport, locale: 'en-GB', serviceWorkers: 'block' });
    context.setDefaultTimeout(WAIT);
    const page = await context.newPage();
    page.on('pageerror', (err) => problems.push(err.message));
    return page;
  }

  /** postFrom types text into the studio's post box and waits for the API to store it. */
  async function postFrom(page, text) {
    const stored = page.waitForResponse((r) => r.url().endsWith('/post-to-channel') && r.status() === 201);
    await page.getByRole('textbox', { name: 'Post', exact: true }).fill(text);
    await page.getByRole('textbox', { name: 'Post', exact: true }).press('Enter');
    await stored;
  }

  const viewerMessages = (page) => page.locator('.feed-post .feed-message').allTextContents();

  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30_000 });
  });

  after(async () => {
    await browser?.close();
  });

  it('an anonymous viewer follows posts as they are made', async () => {
    const hana = await newPage();
    await signIn(hana, 'hana@example.com');
    await hana.getByRole('link', { name: 'Live channels' }).click();
    await hana.getByRole('heading', { name: 'Live channels' }).waitFor();
    await hana.getByRole('textbox', { name: 'Channel name' }).fill(channel);
    await hana.getByRole('textbox', { name: 'Title' }).fill('Grand Finals');
    await hana.getByRole('textbox', { name: 'Your public name' }).fill('Hana');
    await hana.getByRole('button', { name: 'Create' }).click();
    await hana.getByRole('button', { name: `${channel} (owner)` }).waitFor();
    await hana.getByRole('textbox', { name: 'Publisher email' }).fill('cas@example.com');
    await hana.getByRole('textbox', { name: 'Public name', exact: true }).fill('Cas');
    await hana.getByRole('button', { name: 'Add publisher' }).click();
    await hana.getByText('Cas can post now.').waitFor();
    await postFrom(hana, 'Welcome to the grand finals');
    await hana.locator('.feed-post', { hasText: 'Welcome to the grand finals' }).waitFor();
    await shot(hana, 'feeds-studio');
    await expectAccessible(hana, 'the channel studio');

    const viewer = await newPage({ width: 360, height: 760 });
    const polls = [];
    // Noted when the response comes, not after its headers are read: a poll noted late would count among
    // the polls after the moment it answered before (the 200 that brought the last post among the quiet 304s).
    viewer.on('response', (r) => {
      if (new URL(r.url()).pathname === `/feeds/${channel}.json`) {
        const poll = { status: r.status(), ifNoneMatch: r.request().allHeaders().then((h) => h['if-none-match']) };
        polls.push(poll);
      }
    });
    await viewer.goto(`${BASE_URL}/live/${channel}`, { waitUntil: 'domcontentloaded' });
    await viewer.getByRole('heading', { name: 'Grand Finals' }).waitFor();
    await viewer.getByText('Welcome to the grand finals').waitFor();
    assert.equal(await viewer.getByRole('button', { name: 'Sign in' }).count(), 0, 'the live page needs no sign-in');

    const cas = await newPage();
    await signIn(cas, 'cas@example.com');
    await cas.goto(`${BASE_URL}/channels`);
    await cas.getByRole('textbox', { name: 'Channel to open' }).fill(channel);
    await cas.getByRole('button', { name: 'Open' }).click();
    await cas.getByRole('button', { name: `${channel} (publisher)` }).waitFor();
    assert.equal(await cas.getByRole('form', { name: 'Add a publisher' }).count(), 0, 'a publisher has no owner tools');

    const sent = ['Map one: Ascent', 'First blood!'];
    await postFrom(hana, sent[0]);
    await postFrom(cas, sent[1]);
    for (let i = 1; i <= 3; i++) {
      const text = `Round ${i} to Blue`;
      sent.push(text);
      await postFrom(hana, text);
    }
    await viewer.getByText('Round 3 to Blue').waitFor();
    assert.deepEqual(await viewerMessages(viewer), ['Welcome to the grand finals', ...sent], 'every post, in order, once');
    const authors = await viewer.locator('.feed-post .feed-author').allTextContents();
    assert.deepEqual(authors, ['Hana', 'Hana', 'Cas', 'Hana', 'Hana', 'Hana']);
    assert.ok(!(await viewer.content()).includes('@example.com'), 'no email on the public page');
    await shot(viewer, 'feeds-viewer');
    await expectAccessible(viewer, 'the live page at 360 px');

    // Nothing new: the next polls are 304s, sent with the ETag.
    const before = polls.length;
    await viewer.waitForTimeout(11_000);
    const quiet = await Promise.all(polls.slice(before).map(async (p) => ({ status: p.status, ifNoneMatch: await p.ifNoneMatch })));
    assert.ok(quiet.length >= 1, 'the viewer keeps polling');
    assert.ok(quiet.every((p) => p.status === 304 && p.ifNoneMatch), `unchanged polls are 304s: ${JSON.stringify(quiet)}`);

    // The owner deletes a post; it leaves the viewer's page, and nothing else changes.
    await hana.getByRole('button', { name: 'Delete post: First blood!' }).click();
    await viewer.getByText('First blood!').waitFor({ state: 'detached' });
    assert.deepEqual(await viewerMessages(viewer), ['Welcome to the grand finals', ...sent.filter((t) => t !== 'First blood!')]);
    assert.equal(await viewer.getByRole('alert').count(), 0, 'the viewer did not fall behind');
    assert.deepEqual(problems, []);
  });
});
