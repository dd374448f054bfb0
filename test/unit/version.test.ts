import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from '@jest/globals';
import { ACTION_VERSION } from '../../src/version.js';
import { ROOT } from '../harness/run-action.js';

it('reports the version package.json declares (it goes into the AWS user agent)', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  expect(ACTION_VERSION).toBe(pkg.version);
});
