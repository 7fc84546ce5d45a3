// Realtime bench: send -> shown in the other browser. Two browser contexts of one Chromium sign in to the
// local server, open their conversation, and one sends BENCH_MESSAGES messages (default 200) one after the
// other; for each, the time from the Enter key in the sender's page to the bubble appearing in the
// receiver's page (both read the same system clock). Prints p50, p90, p99 and max; asserts nothing.
// Bounded: at most BENCH_MESSAGES messages and BENCH_SECONDS seconds (default 240), whichever comes first.
// Run with scripts/bench-e2e.sh, which builds and starts the server.
import { chromium } from 'playwright-core';
import { ARGS, CHROMIUM, addContact, sentToShown, signIn, watchArrivals, watchSends } from './people.mjs';

const COUNT = Number(process.env.BENCH_MESSAGES ?? 200);
const DEADLINE = Date.now() + Number(process.env.BENCH_SECONDS ?? 240) * 1000;
const WAIT = 15_000;

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

const run = Date.now().toString(36);
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30_000 });
try {
  const people = [];
  for (const [email, name] of [
    [`bench-sender-${run}@example.com`, 'Sender'],
    [`bench-receiver-${run}@example.com`, 'Receiver'],
  ]) {
    const context = await browser.newContext({ viewport: { width: 1100, height: 720 }, serviceWorkers: 'block' });
    context.setDefaultTimeout(WAIT);
    const page = await context.newPage();
    await signIn(page, email);
    people.push({ email, name, page });
  }
  const [sender, receiver] = people;
  await addContact(sender.page, receiver.email, receiver.name);
  await addContact(receiver.page, sender.email, sender.name);

  await watchArrivals(receiver.page);
  await watchSends(sender.page);

  const box = sender.page.locator('#composer-input');
  const latencies = [];
  let lost = 0;
  for (let i = 0; i < COUNT && Date.now() < DEADLINE; i++) {
    const text = `bench ${run} #${i}`;
    await box.fill(text);
    await box.press('Enter');
    try {
      await receiver.page.waitForFunction((t) => t in window.__arrived, text, { timeout: WAIT, polling: 'raf' });
    } catch {
      lost += 1;
      continue;
    }
    latencies.push(await sentToShown(sender.page, receiver.page, text));
  }

  const sorted = [...latencies].sort((a, b) => a - b);
  const fmt = (v) => `${v.toFixed(1)} ms`;
  console.log(`send -> shown in the other browser (Chromium, local server, WebSocket push), ${sorted.length} messages:`);
  console.log(`  p50 ${fmt(percentile(sorted, 50))}  p90 ${fmt(percentile(sorted, 90))}  p99 ${fmt(percentile(sorted, 99))}  max ${fmt(sorted.at(-1) ?? NaN)}`);
  if (lost > 0) console.log(`  ${lost} message(s) not shown within ${WAIT / 1000} s`);
  if (sorted.length < COUNT) console.log(`  stopped at the time bound after ${sorted.length + lost} of ${COUNT}`);
} finally {
  await browser.close();
}
