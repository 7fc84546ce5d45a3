import { UNMETERED } from '../features/budget/api/memory-budget';
import { MemoryChatAPI, MemoryChatServer } from './memory-chat-api';

/** The demo user's email. */
export const DEMO_USER = 'you@parley.dev';

/**
 * createDemoAPI builds an in-memory world for the offline demo: a few contacts, some history,
 * a request from a stranger, and Ada, who reads every message, types, and answers after a short pause.
 */
export function createDemoAPI(): MemoryChatAPI {
  const day = 24 * 60 * 60 * 1000;
  let clock: number | undefined = Date.now() - 3 * day;
  // The seed writes history out of time order, which a send budget would refuse.
  const server = new MemoryChatServer({ now: () => new Date(clock ?? Date.now()), sendLimit: UNMETERED });
  const at = (offsetMs: number) => {
    clock = Date.now() - offsetMs;
  };

  const ada = new MemoryChatAPI(server, 'ada@parley.dev');

  server.addContact(DEMO_USER, { email: 'ada@parley.dev', name: 'Ada Lovelace' });
  server.addContact(DEMO_USER, { email: 'grace@parley.dev', name: 'Grace Hopper' });
  server.addContact(DEMO_USER, { email: 'alan@parley.dev', name: 'Alan Turing' });
  server.addContact('ada@parley.dev', { email: DEMO_USER, name: 'You' });
  server.addContact('grace@parley.dev', { email: DEMO_USER, name: 'You' });
  server.addContact('linus@parley.dev', { email: DEMO_USER, name: 'You' });

  at(2 * day + 3 * 60 * 60 * 1000);
  server.addMessage('grace@parley.dev', { recipientNamespace: DEMO_USER, message: 'Found the bug: a moth in relay 70 🐛' });
  at(2 * day + 2 * 60 * 60 * 1000);
  server.addMessage(DEMO_USER, { recipientNamespace: 'grace@parley.dev', message: 'Tape it into the log book!' });
  at(day + 60 * 60 * 1000);
  server.addMessage(DEMO_USER, { recipientNamespace: 'ada@parley.dev', message: 'Did the engine finish the Bernoulli numbers?' });
  at(day + 50 * 60 * 1000);
  server.addMessage('ada@parley.dev', {
    recipientNamespace: DEMO_USER,
    message: 'Almost. Note G is long,\nbut the loop is sound.',
  });
  at(40 * 60 * 1000);
  server.addMessage('linus@parley.dev', { recipientNamespace: DEMO_USER, message: 'Hi! Got your address from the meetup.' });
  at(5 * 60 * 1000);
  server.addMessage('ada@parley.dev', { recipientNamespace: DEMO_USER, message: 'Say something and I will answer.' });
  clock = undefined;

  const replies = [
    'That is a fine thought.',
    'The engine agrees.',
    'Let me compute that for a moment… done.',
    'Poetical science, as ever.',
  ];
  let n = 0;
  // Ada's device gets the message at once, reads it a moment later, types, and answers.
  ada.subscribe(() => {});
  server.onMessage((m) => {
    if (m.sender !== DEMO_USER || m.recipient !== 'ada@parley.dev') return;
    setTimeout(() => void ada.ack({ recipientNamespace: DEMO_USER, upTo: m.id }), 300);
    setTimeout(() => void ada.ack({ recipientNamespace: DEMO_USER, upTo: m.id, read: true }), 900);
    setTimeout(() => ada.typing(DEMO_USER), 1100);
    setTimeout(() => {
      void ada.addMessage({ recipientNamespace: DEMO_USER, message: replies[n++ % replies.length] ?? '…' });
    }, 2600);
  });

  return new MemoryChatAPI(server, DEMO_USER, { latencyMs: 300 });
}
