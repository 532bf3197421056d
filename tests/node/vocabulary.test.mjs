// The integrator's words through the package, in wasm: a custom vocabulary spells the drug brand tiny.en
// mishears ("implant and" for Implanon), and the vocabulary filter masks, removes or tags a word in the
// transcript and in the lines heard while recording. Bad lists are refused with SETTINGS_INVALID.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createScribe } from '../../pkg/index.js';
import { FIXTURES, MODELS, textOf } from './helpers.mjs';

const CLIP = join(FIXTURES, 'implanon_60s/audio.flac');
const VOCABULARY = ['Implanon', 'Nexplanon', 'Mirena', 'trimethoprim'];
const mentions = (text, word) => (text.match(new RegExp(`\\b${word}\\b`, 'gi')) ?? []).length;

let scribe;
let bytes;
before(async () => {
  scribe = await createScribe({ modelBase: MODELS });
  bytes = await readFile(CLIP);
});
after(() => scribe?.dispose());

test('a custom vocabulary spells the brand the recogniser mishears, and writes in nothing unsaid', async () => {
  const opts = { note: false, beamSize: 1 };
  const plain = textOf((await scribe.process(bytes, opts)).transcript);
  const withList = textOf((await scribe.process(bytes, { ...opts, vocabulary: VOCABULARY })).transcript);
  assert.ok(mentions(withList, 'implanon') >= 3 && mentions(withList, 'implanon') > mentions(plain, 'implanon'),
    `Implanon ${mentions(plain, 'implanon')} times without the vocabulary, ${mentions(withList, 'implanon')} with it`);
  for (const unsaid of VOCABULARY.slice(1)) assert.equal(mentions(withList, unsaid), 0, unsaid);
  assert.ok(/pregnant/i.test(withList) && /theoretically/i.test(withList), 'the rest of the clip is still there');
});

test('the vocabulary filter masks, removes or tags in the transcript and in the lines heard', async () => {
  const opts = { note: false, beamSize: 1, vocabulary: VOCABULARY, vocabularyFilter: ['implanon'] };
  const heard = [];
  const masked = (await scribe.process(bytes, { ...opts, onProgress: (p) => heard.push(...(p.heard ?? [])) })).transcript;
  assert.equal(mentions(textOf(masked), 'implanon'), 0);
  const masks = textOf(masked).split('***').length - 1;
  assert.ok(masks >= 3, `${masks} masks`);
  const marked = masked.Conversation.TranscriptItems.filter((i) => i.VocabularyFilterMatch);
  assert.ok(marked.length >= 3 && marked.every((i) => i.Alternatives[0].Content === '***' && i.Type === 'PRONUNCIATION'));
  assert.doesNotMatch(textOf(masked), /\S\*\*\*/, 'a mask is written apart from the word before it');
  assert.ok(heard.length > 0 && heard.every((h) => mentions(h.text, 'implanon') === 0), 'lines heard are filtered too');

  const removed = (await scribe.process(bytes, { ...opts, vocabularyFilterMethod: 'remove' })).transcript;
  assert.equal(mentions(textOf(removed), 'implanon') + textOf(removed).split('***').length - 1, 0);

  const tagged = (await scribe.process(bytes, { ...opts, vocabularyFilterMethod: 'tag' })).transcript;
  const tags = tagged.Conversation.TranscriptItems.filter((i) => i.VocabularyFilterMatch).map((i) => i.Alternatives[0].Content);
  assert.ok(tags.length >= 3 && tags.every((w) => /^implanon$/i.test(w)), tags.join(','));
  assert.equal(mentions(textOf(tagged), 'implanon'), tags.length);
});

test('bad vocabularies and filters are SETTINGS_INVALID, before any audio is read', async () => {
  const pcm = [new Float32Array(16000)];
  const refused = async (options, pattern) => assert.rejects(scribe.process(pcm, { sampleRate: 16000, ...options }), (e) => {
    assert.equal(e.code, 'SETTINGS_INVALID', `${e.code}: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
  await refused({ vocabulary: 'Implanon' }, /vocabulary must be an array of strings/);
  await refused({ vocabulary: Array.from({ length: 200 }, (_, i) => `Medication${i}`) }, /at most/);
  await refused({ vocabularyFilter: ['two words'] }, /one word/);
  await refused({ vocabularyFilter: ['damn'], vocabularyFilterMethod: 'hide' }, /mask, remove or tag/);
  await refused({ vocabularyFilterMethod: 'mask' }, /without vocabularyFilter/);
  assert.throws(() => scribe.live({ sampleRate: 16000, vocabularyFilter: [3] }), (e) => e.code === 'SETTINGS_INVALID');
});
