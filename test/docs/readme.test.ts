import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_FIELDS } from '../../src/config/index.js';
import { ERRORS } from '../../src/errors/index.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the README stays true', () => {
  it('documents every configuration variable with its flag', () => {
    const missing = Object.values(CONFIG_FIELDS).filter(
      (f) => !readme.includes(`\`${f.env}\``) || !readme.includes(`\`--${f.flag}\``),
    );
    expect(missing.map((f) => f.env)).toEqual([]);
  });

  it('documents every error code with its status', () => {
    const missing = Object.entries(ERRORS).filter(
      ([code, { status }]) => !new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${status}\\s*\\|`).test(readme),
    );
    expect(missing.map(([code]) => code)).toEqual([]);
  });

  it('gives the two commands of the quick start', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});
