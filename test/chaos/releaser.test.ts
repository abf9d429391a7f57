// The chaos run's next version: the last number of a version plus one, whatever surrounds it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bump } from '../../scripts/chaos/releaser.ts';

const Bump = suite('the next version');
for (const [version, expected] of [
  ['1.0.0', '1.0.1'],
  ['1.0.9', '1.0.10'],
  ['1449/1.0.94.2023100302', '1449/1.0.94.2023100303'],
  ['7', '8'],
  ['2.1.0-beta', '2.1.1-beta'],
  ['1.2.3 (build)', '1.2.4 (build)'],
  ['no digits', 'no digits'],
] as const) {
  Bump(`${version} -> ${expected}`, () => assert.is(bump(version), expected));
}
Bump.run();
