import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The SPA's layers as a test (core/imports_test.go does the same for the Go side), in the bulletproof-react way:
 * lib/ and components/ hold what is shared and import nothing from features/, api/ or app/; a feature never
 * imports the app that composes it; the port (api/) never imports the app either.
 */
const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(e.name) ? [path] : [];
  });
}

/** importsOf lists the folders under src/ (lib, features/contacts, ...) that file imports from, with the line. */
function importsOf(file: string, text = readFileSync(file, 'utf8')): { target: string; line: string }[] {
  const found: { target: string; line: string }[] = [];
  for (const line of text.split('\n')) {
    for (const m of line.matchAll(/(?:from|import|vi\.mock)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      found.push({ target: relative(src, resolve(dirname(file), m[1]!)), line: line.trim() });
    }
  }
  return found;
}

const rules: { layer: string; forbidden: string[] }[] = [
  { layer: 'lib', forbidden: ['features', 'api', 'app', 'components'] },
  { layer: 'components', forbidden: ['features', 'api', 'app'] },
  { layer: 'features', forbidden: ['app'] },
  { layer: 'api', forbidden: ['app'] },
];

describe('imports', () => {
  for (const { layer, forbidden } of rules) {
    it(`${layer}/ imports nothing from ${forbidden.join(', ')}`, () => {
      const files = sources(join(src, layer));
      expect(files.length).toBeGreaterThan(0);
      const broken = files.flatMap((file) =>
        importsOf(file)
          .filter(({ target }) => forbidden.some((f) => target === f || target.startsWith(`${f}/`)))
          .map(({ line }) => `${relative(src, file)}: ${line}`),
      );
      expect(broken).toEqual([]);
    });
  }

  it('sees every kind of import', () => {
    const text = [
      "import { Outbox } from '../features/messages/outbox';",
      "export { x } from '../api/chat-api';",
      "const Lazy = lazy(() => import('../app/LiveApp'));",
      "vi.mock('./people', () => ({}));",
      "import { useState } from 'react';",
    ].join('\n');
    expect(importsOf(join(src, 'lib', 'probe.ts'), text).map((i) => i.target)).toEqual([
      'features/messages/outbox',
      'api/chat-api',
      'app/LiveApp',
      'lib/people',
    ]);
  });
});
