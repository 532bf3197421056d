// The WER helper grades every transcription test, so it gets its own checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wer } from './helpers.mjs';

test('wer counts substitutions, insertions and deletions over the reference length', () => {
  assert.equal(wer('the cat sat', 'the cat sat'), 0);
  assert.equal(wer('The cat, sat.', 'the CAT sat'), 0);
  assert.equal(wer('the cat sat', 'the dog sat'), 1 / 3);
  assert.equal(wer('the cat sat', 'the cat'), 1 / 3);
  assert.equal(wer('the cat sat', 'the cat sat down now'), 2 / 3);
  assert.equal(wer('a b', ''), 1);
});
