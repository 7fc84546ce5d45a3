import { describe, expect, it, vi } from 'vitest';
import { cognitoLogoutURL, loadBoot } from './config';

const json = (body: unknown, status = 200) =>
  vi.fn<typeof fetch>().mockResolvedValue(new Response(JSON.stringify(body), { status }));

describe('loadBoot', () => {
  it('starts the demo when asked with ?demo', async () => {
    const fetchFn = json({});
    expect(await loadBoot({ search: '?demo', fetchFn })).toEqual({ mode: 'demo', reason: 'asked' });
    expect(fetchFn).not.toHaveBeenCalled();
  });

  it('reads config.json and strips a trailing slash from apiURL', async () => {
    const fetchFn = json({
      apiURL: 'https://x.cloudfront.net/api/',
      authority: 'https://cognito-idp.eu-west-1.amazonaws.com/pool',
      clientID: 'abc',
      cognitoDomain: 'https://parley-dev.auth.eu-west-1.amazoncognito.com/',
    });
    const boot = await loadBoot({ search: '', fetchFn, dev: false });
    expect(fetchFn).toHaveBeenCalledWith('/config.json', expect.objectContaining({ cache: 'no-store' }));
    expect(boot).toEqual({
      mode: 'live',
      config: {
        apiURL: 'https://x.cloudfront.net/api',
        authority: 'https://cognito-idp.eu-west-1.amazonaws.com/pool',
        clientID: 'abc',
        cognitoDomain: 'https://parley-dev.auth.eu-west-1.amazoncognito.com',
      },
    });
  });

  it('falls back to the demo in development when config.json is missing', async () => {
    expect(await loadBoot({ search: '', fetchFn: json({}, 404), dev: true })).toEqual({ mode: 'demo', reason: 'no-config' });
  });

  it('reports an error in production when config.json is missing or incomplete', async () => {
    expect((await loadBoot({ search: '', fetchFn: json({}, 404), dev: false })).mode).toBe('error');
    expect((await loadBoot({ search: '', fetchFn: json({ apiURL: 'x' }), dev: false })).mode).toBe('error');
  });
});

describe('cognitoLogoutURL', () => {
  it('builds the hosted UI logout address back to the root', () => {
    const url = cognitoLogoutURL(
      { apiURL: '', authority: '', clientID: 'client 1', cognitoDomain: 'https://d.auth.eu-west-1.amazoncognito.com' },
      'https://chat.example.com',
    );
    expect(url).toBe(
      'https://d.auth.eu-west-1.amazoncognito.com/logout?client_id=client%201&logout_uri=https%3A%2F%2Fchat.example.com%2F',
    );
  });

  it('is undefined without a Cognito domain', () => {
    expect(cognitoLogoutURL({ apiURL: '', authority: '', clientID: 'c' })).toBeUndefined();
  });
});
