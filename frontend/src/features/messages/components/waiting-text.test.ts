import { describe, expect, it } from 'vitest';
import { waitingText } from './MessageList';

describe('waitingText', () => {
  it('tells a person over their budget when they can send again', () => {
    const retryAt = new Date(2026, 2, 1, 12, 0, 7).toISOString();
    const text = waitingText({ errorCode: 'throttled', error: 'You are sending too fast. Try again in 7 s.', retryAt });
    expect(text).toMatch(/^You are sending too fast\. You can send again at /);
    expect(text).toContain(new Date(retryAt).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' }));
  });

  it('says when a busy server will be tried again', () => {
    const retryAt = new Date(2026, 2, 1, 12, 0, 1).toISOString();
    expect(waitingText({ errorCode: 'unavailable', error: 'The service is unavailable for a moment.', retryAt })).toMatch(
      /^Waiting to send: The service is unavailable for a moment\. Trying again at /,
    );
  });

  it('keeps the plain text without a time', () => {
    expect(waitingText({})).toBe('Waiting to send');
    expect(waitingText({ errorCode: 'network', error: 'offline' })).toBe('Waiting to send: offline');
  });
});
