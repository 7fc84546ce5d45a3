/// <reference types="vitest/config" />
import { defineConfig } from 'vitest/config';

// The ChatAPI contract against the REST adapter on a running Parley server (src/**/*.contract-server.ts).
// scripts/test-contract.sh builds and starts the local server and runs this with PARLEY_BASE_URL set; without a
// server it fails rather than skip.
const baseURL = process.env.PARLEY_BASE_URL;
if (!baseURL) {
  throw new Error('PARLEY_BASE_URL is required (the local server, e.g. http://localhost:8080): run scripts/test-contract.sh');
}

export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/**/*.contract-server.ts'],
    provide: { parleyBaseURL: baseURL },
    // Node 20 has a WebSocket client only behind this flag; later versions have it on.
    execArgv: typeof WebSocket === 'undefined' ? ['--experimental-websocket'] : [],
  },
});
