// Web Push in Parley's service worker (imported by the one vite-plugin-pwa generates: vite.config.ts). The payload
// is the contract's (README.md, "Notifications (Web Push)"): {type, with, name, text?, unread, tag}. One
// notification per conversation: its tag replaces the one before. A click opens that conversation in a Parley tab
// that is open (focused, told by a message) or in a new one (/?with=<email>). A {type:"read", with, tag} push says
// the conversation was read on some device: it closes that tag's notification here and shows nothing (Chrome
// tolerates such a silent push now and then; README.md says more). An {type:"unsent", ...} push (as a message's,
// text being the newest message left) replaces it quietly after the sender unsent a message it may have shown.
/* eslint-env serviceworker */

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  if (data.type === 'read') {
    event.waitUntil(self.parleyCloseNotifications(data.tag));
    return;
  }
  const name = typeof data.name === 'string' && data.name ? data.name : 'Someone';
  const unread = Number.isInteger(data.unread) ? data.unread : 1;
  const title = data.type === 'request' ? `${name} wants to message you` : name;
  const count = unread > 1 ? `${unread} new messages` : 'New message';
  const body = typeof data.text === 'string' && data.text ? (unread > 1 ? `${data.text}\n(${count})` : data.text) : count;
  event.waitUntil(
    self.registration.showNotification(title, {
      body,
      tag: typeof data.tag === 'string' ? data.tag : 'parley',
      // An unsend corrects what is shown; it is no news to sound or vibrate for.
      renotify: data.type !== 'unsent',
      silent: data.type === 'unsent',
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      data: { with: typeof data.with === 'string' ? data.with : '' },
    }),
  );
});

/** parleyCloseNotifications closes this device's notifications with tag (a conversation's, "conv:<email>"). */
self.parleyCloseNotifications = (tag) =>
  typeof tag === 'string' && tag.startsWith('conv:')
    ? self.registration.getNotifications({ tag }).then((shown) => shown.forEach((n) => n.close()))
    : Promise.resolve();

/**
 * openConversation opens the conversation with email in a Parley tab that is open (told by a message, then
 * focused) or in a new one. A notification's click runs it; the browser test calls it too, as a test cannot click
 * a system notification.
 */
self.parleyOpenConversation = (email) =>
  self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
    const open = windows.find((w) => new URL(w.url).origin === self.location.origin && !new URL(w.url).pathname.startsWith('/live/'));
    if (open) {
      open.postMessage({ type: 'open-conversation', with: email });
      // Focusing needs the click's user activation; without one the tab is still told.
      return open.focus().catch(() => open);
    }
    const target = new URL(email ? `/?with=${encodeURIComponent(email)}` : '/', self.location.origin).href;
    return self.clients.openWindow(target);
  });

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const email = (event.notification.data && event.notification.data.with) || '';
  event.waitUntil(self.parleyOpenConversation(email));
});
