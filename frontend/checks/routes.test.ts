import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { API_ROUTES, isNetworkOnly, networkOnlyPath } from '../api-routes';

/** The Go route table (adapters/apigateway/routes.go), the one list every other list is checked against. */
const routesGo = resolve(dirname(fileURLToPath(import.meta.url)), '../../adapters/apigateway/routes.go');

/** goRoutes reads the names of `var Routes = []Route{...}` in routes.go, in order. */
function goRoutes(): string[] {
  const text = readFileSync(routesGo, 'utf8');
  const table = /var Routes = \[\]Route\{([\s\S]*?)\n\}/.exec(text)?.[1];
  if (!table) throw new Error(`no Routes table in ${routesGo}`);
  return [...table.matchAll(/Name:\s*"([^"]+)"/g)].map((m) => m[1]!);
}

describe('the service worker’s route list', () => {
  it('names exactly the routes of adapters/apigateway/routes.go, in its order', () => {
    expect(goRoutes().length).toBeGreaterThan(0);
    expect([...API_ROUTES]).toEqual(goRoutes());
  });

  it('sends every route, the WebSocket and the server’s own paths to the network', () => {
    for (const path of [...API_ROUTES.map((r) => `/${r}`), '/get-messages?recipientNamespace=a', '/ws', '/config.json', '/api/ack', '/dev-oidc/authorize', '/healthz', '/feeds/finals.json']) {
      expect(networkOnlyPath.test(path), path).toBe(true);
      expect(isNetworkOnly({ url: new URL(`https://x.example${path}`), sameOrigin: true }), path).toBe(true);
    }
  });

  it('leaves the app’s own pages to the app shell', () => {
    for (const path of ['/', '/channels', '/live/finals', '/acknowledgements', '/index.html']) {
      expect(networkOnlyPath.test(path), path).toBe(false);
      expect(isNetworkOnly({ url: new URL(`https://x.example${path}`), sameOrigin: true }), path).toBe(false);
    }
    expect(isNetworkOnly({ url: new URL('https://elsewhere.example/'), sameOrigin: false })).toBe(true);
  });
});
