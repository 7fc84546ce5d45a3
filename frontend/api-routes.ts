// The paths the service worker must never answer from its cache or with the app shell, for vite.config.ts.
// API_ROUTES is the route table of adapters/apigateway/routes.go (the one list of routes); checks/routes.test.ts
// reads that file and fails when the two differ.

/** API_ROUTES names every REST route, in the order of adapters/apigateway/routes.go. */
export const API_ROUTES = [
  'add-contact',
  'get-contacts',
  'block-contact',
  'unblock-contact',
  'report-contact',
  'add-message',
  'get-messages',
  'ack',
  'create-channel',
  'add-publisher',
  'post-to-channel',
  'delete-post',
  'push-key',
  'add-push-subscription',
  'remove-push-subscription',
  'delete-message',
  'delete-account',
  'export',
] as const;

/**
 * OTHER_SERVER_PATHS are the rest of what the server answers: config.json (each deployment writes its own), the
 * API behind CloudFront, the development sign-in of the local server, its health check, the WebSocket, and the
 * live feeds' snapshots (every viewer polls them; never from a cache of the worker).
 */
export const OTHER_SERVER_PATHS = ['config.json', 'api/', 'dev-oidc/', 'healthz', 'feeds/'] as const;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** networkOnlyPath matches the path of anything the server answers (a route matches only as a whole word). */
export const networkOnlyPath = new RegExp(
  `^/(?:${[...OTHER_SERVER_PATHS.map(escape), ...[...API_ROUTES, 'ws'].map((r) => `${escape(r)}\\b`)].join('|')})`,
);

/**
 * isNetworkOnly is the service worker's test of a request: another origin, or anything the server answers. It is
 * made from source with the pattern written out, because workbox copies the function's text into sw.js, where no
 * variable of this file exists.
 */
export const isNetworkOnly = new Function('{ url, sameOrigin }', `return !sameOrigin || ${networkOnlyPath.toString()}.test(url.pathname);`) as (
  options: { url: URL; sameOrigin: boolean },
) => boolean;
