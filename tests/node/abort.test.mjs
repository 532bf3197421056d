// AbortSignal stops loading and processing with an AbortError, and the scribe stays usable after.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { createScribe } from '../../pkg/index.js';
import { LONG_CLIP, MODELS, SHORT_CLIP, textOf } from './helpers.mjs';

let scribe;
before(async () => { scribe = await createScribe({ modelBase: MODELS }); });
after(() => scribe?.dispose());

const isAbort = (e) => e?.name === 'AbortError';

test('aborting a running process() rejects with AbortError and stops the work', async () => {
  const controller = new AbortController();
  const seen = [];
  const running = scribe.process(await readFile(LONG_CLIP), {
    signal: controller.signal,
    onProgress: (p) => {
      seen.push(p);
      if (seen.length === 1) controller.abort(); // after the first of four windows
    },
  });
  await assert.rejects(running, isAbort);
  assert.equal(seen.length, 1);
  assert.ok(seen[0].processedSeconds < seen[0].totalSeconds, 'aborted before the end');

  // The next job runs to the end, and the cancelled one reports nothing more meanwhile.
  const { transcript } = await scribe.process(await readFile(SHORT_CLIP));
  assert.ok(textOf(transcript).length > 0);
  assert.equal(seen.length, 1);
});

test('an already-aborted signal rejects at once, without starting', async () => {
  const progress = [];
  await assert.rejects(
    scribe.process(await readFile(SHORT_CLIP), { signal: AbortSignal.abort(), onProgress: (p) => progress.push(p) }),
    isAbort,
  );
  assert.equal(progress.length, 0);
});

test('aborting while models load rejects createScribe with AbortError', async () => {
  const controller = new AbortController();
  const loading = createScribe({
    modelBase: MODELS,
    signal: controller.signal,
    onProgress: (p) => { if (p.status === 'done') controller.abort(); },
  });
  await assert.rejects(loading, isAbort);
});
