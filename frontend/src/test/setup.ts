import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => {
  cleanup();
  // The outbox keeps unsent messages in localStorage: no test may see another's.
  localStorage.clear();
});
