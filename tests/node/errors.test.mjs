// Bad inputs and bad model files end in clear, coded errors, never a hang or a crash.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { createScribe } from '../../pkg/index.js';
import { MODELS, modelsWithCorruptFile } from './helpers.mjs';

let scribe;
before(async () => { scribe = await createScribe({ modelBase: MODELS }); });
after(() => scribe?.dispose());

const rejectsWith = (promise, code) => assert.rejects(promise, (e) => {
  assert.equal(e.code, code, `${e.code}: ${e.message}`);
  assert.ok(e.message.length > 0);
  return true;
});

test('bytes that are not audio are AUDIO_INVALID', async () => {
  await rejectsWith(scribe.process(new TextEncoder().encode('definitely not a recording')), 'AUDIO_INVALID');
});

test('an empty file is refused', async () => {
  await assert.rejects(scribe.process(new Uint8Array(0)), (e) => /^AUDIO_(INVALID|EMPTY)$/.test(e.code));
});

test('PCM without a sample rate, and unknown input types, are INPUT_INVALID', async () => {
  await rejectsWith(scribe.process([new Float32Array(1600)]), 'INPUT_INVALID');
  await rejectsWith(scribe.process('a string'), 'INPUT_INVALID');
  await rejectsWith(scribe.process([new Float64Array(16)], { sampleRate: 16000 }), 'INPUT_INVALID');
});

test('a wrong-typed option is SETTINGS_INVALID', async () => {
  await rejectsWith(scribe.process([new Float32Array(1600)], { sampleRate: 16000, vad: 'yes' }), 'SETTINGS_INVALID');
});

test('an unknown speech model is named in the error', async () => {
  await assert.rejects(createScribe({ modelBase: MODELS, asr: 'huge' }), (e) => e.code === 'SETTINGS_INVALID' && /huge/.test(e.message));
});

test('a missing modelBase, or a folder without models, is refused', async () => {
  await rejectsWith(createScribe({}), 'SETTINGS_INVALID');
  await assert.rejects(createScribe({ modelBase: '/nonexistent/bedside-models' }), (e) => e.code === 'MODEL_INVALID');
});

test('a model file with the right size but wrong bytes is MODEL_CHECKSUM', async () => {
  const dir = await modelsWithCorruptFile('whisper-tiny.en-config');
  try {
    await assert.rejects(createScribe({ modelBase: dir }), (e) => {
      assert.equal(e.code, 'MODEL_CHECKSUM');
      assert.match(e.message, /whisper-tiny\.en-config/);
      assert.match(e.message, /sha256/);
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a scribe that was disposed refuses work', async () => {
  const s = await createScribe({ modelBase: MODELS });
  await s.dispose();
  await assert.rejects(s.process([new Float32Array(1600)], { sampleRate: 16000 }), (e) => e.code === 'CANCELLED');
});

test('a recording longer than one visit can hold is AUDIO_TOO_LONG, refused before it is copied in', async () => {
  // At 1 kHz the arrays stay small: 4 h 1 min of one channel, then 2 h 1 min of each of two.
  const limit = 4 * 3600 * 1000;
  await rejectsWith(scribe.process([new Float32Array(limit + 60_000)], { sampleRate: 1000 }), 'AUDIO_TOO_LONG');
  const side = new Float32Array(limit / 2 + 60_000);
  await rejectsWith(scribe.process([side, side], { sampleRate: 1000 }), 'AUDIO_TOO_LONG');
});
