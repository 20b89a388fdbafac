import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = new URL('../../packages/client/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  name: string;
  type: string;
  exports: Record<string, { types: string; default: string }>;
  dependencies: Record<string, string>;
};
const ALLOWED = ['eventsource-parser', 'lru-cache'];

describe('@tessera/client stays apart from the server', () => {
  it('is an ESM package with types, depending only on lru-cache and eventsource-parser', () => {
    expect(manifest.name).toBe('@tessera/client');
    expect(manifest.type).toBe('module');
    expect(manifest.exports['.'].types).toMatch(/\.d\.ts$/);
    expect(Object.keys(manifest.dependencies).sort()).toEqual(ALLOWED);
    const rootManifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      workspaces: string[];
    };
    expect(rootManifest.workspaces).toContain('packages/*');
  });

  it('imports nothing but its own files, node: built-ins and its two dependencies', () => {
    const src = new URL('src/', root);
    for (const file of readdirSync(src)) {
      const text = readFileSync(new URL(file, src), 'utf8');
      for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        const ok = specifier.startsWith('./') || specifier.startsWith('node:') || ALLOWED.includes(specifier);
        expect(ok, `${file} imports ${specifier}`).toBe(true);
      }
    }
  });

  it('resolves from the repository root as `@tessera/client` (the built package)', async () => {
    const mod = await import('@tessera/client');
    expect(typeof mod.createClient).toBe('function');
    expect(typeof mod.TesseraUnavailableError).toBe('function');
    // As an app at the repository root would: plain node, no test runner resolving for it.
    const script =
      "import { createClient } from '@tessera/client'; console.log(typeof createClient, import.meta.resolve('@tessera/client'))";
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
      encoding: 'utf8',
    });
    expect(out).toMatch(/^function .*packages\/client\/dist\/index\.js\n$/);
  });
});
