// The package API in Node, end to end: real wasm, real models from models/, real recordings.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createScribe } from '../../pkg/index.js';
import { MODELS, SHORT_CLIP, VISIT_A, segmentsOf, textOf, truthOf, wer } from './helpers.mjs';

let scribe;
const loadEvents = [];
before(async () => {
  scribe = await createScribe({ modelBase: MODELS, onProgress: (p) => loadEvents.push(p) });
});
after(() => scribe?.dispose());

test('loading reports initiate, progress, done per file (speech, VAD, clinical), then ready, for the default model', async () => {
  const manifest = JSON.parse(await readFile(`${MODELS}/manifest.json`, 'utf8'));
  assert.equal(scribe.asr, manifest.defaults.asr);
  // No note-writing model unless asked for (`llm`): the ready event says so.
  assert.deepEqual(loadEvents.at(-1), { status: 'ready', asr: manifest.defaults.asr, llm: null });
  const asr = manifest.asr[manifest.defaults.asr];
  const clinical = manifest.defaults.clinical ?? {};
  const wantedIds = [asr.weights, asr.config, asr.tokenizer, asr.mel_filters, manifest.defaults.vad,
    clinical.embedder_weights, clinical.embedder_config, clinical.embedder_tokenizer, clinical.sections, clinical.lexicon]
    .filter(Boolean);
  const wantedPaths = wantedIds.map((id) => manifest.files.find((f) => f.id === id).path);
  const done = loadEvents.filter((e) => e.status === 'done').map((e) => e.file);
  assert.deepEqual(done, wantedPaths);
  for (const path of wantedPaths) {
    const mine = loadEvents.filter((e) => e.file === path).map((e) => e.status);
    assert.deepEqual([mine[0], mine.at(-1)], ['initiate', 'done'], path);
    const last = loadEvents.filter((e) => e.file === path && e.status === 'progress').at(-1);
    assert.equal(last.loaded, last.total, path);
  }
});

test('transcribes visit A: ordered segments inside the audio, WER below 0.25', async () => {
  const truth = await truthOf('visit_a');
  const progress = [];
  const { transcript } = await scribe.process(await readFile(VISIT_A), { onProgress: (p) => progress.push(p), jobName: 'visit-a' });
  assert.equal(transcript.Conversation.JobName, 'visit-a');
  const segments = segmentsOf(transcript);
  assert.ok(segments.length >= 2, `expected several segments, got ${segments.length}`);
  let previousBegin = -1;
  for (const s of segments) {
    assert.ok(s.BeginAudioTime >= previousBegin, 'segments start in order');
    assert.ok(s.EndAudioTime > s.BeginAudioTime, 'each segment has a length');
    assert.ok(s.BeginAudioTime >= 0 && s.EndAudioTime <= truth.duration + 0.5, 'inside the audio');
    assert.ok(s.Content.trim().length > 0);
    assert.match(s.ParticipantDetails.ParticipantRole, /^(CLINICIAN|PATIENT)_\d+$/);
    previousBegin = s.BeginAudioTime;
  }
  const error = wer(truth.segments.map((s) => s.text).join(' '), textOf(transcript));
  assert.ok(error < 0.25, `WER ${error.toFixed(3)} should be below 0.25`);

  // Recognition progress in audio seconds, then the note's own events (sentence counts, checked sentences).
  const recognition = progress.filter((p) => p.stage === 'transcribe');
  assert.ok(recognition.length >= 1);
  assert.deepEqual([...new Set(progress.map((p) => p.stage))], ['transcribe', 'note']);
  assert.ok(progress.findIndex((p) => p.stage === 'note') > progress.findLastIndex((p) => p.stage === 'transcribe'), 'the note comes after recognition');
  for (const p of recognition) {
    assert.equal(p.status, 'progress');
    assert.ok(Math.abs(p.totalSeconds - truth.duration) < 0.1);
  }
  assert.ok(recognition.every((p, i) => i === 0 || p.processedSeconds >= recognition[i - 1].processedSeconds));
  assert.equal(recognition.at(-1).processedSeconds, recognition.at(-1).totalSeconds);

  // Each window's words arrive with its progress event, in order and up to the point reached: a live view
  // of the visit reads the same words the finished transcript has.
  const heard = recognition.flatMap((p) => p.heard.map((h) => ({ ...h, reached: p.processedSeconds })));
  assert.ok(recognition.filter((p) => p.heard.length > 0).length >= 2, 'words arrive window by window');
  for (const [i, h] of heard.entries()) {
    assert.ok(h.text.length > 0 && h.endAudioTime > h.beginAudioTime);
    assert.ok(h.endAudioTime <= h.reached + 0.5, 'never ahead of the progress');
    assert.ok(i === 0 || h.beginAudioTime >= heard[i - 1].beginAudioTime, 'in order');
    assert.equal(h.channelId, null);
  }
  assert.ok(wer(textOf(transcript), heard.map((h) => h.text).join(' ')) < 0.05, 'the live words are the final words');
});

test('concurrent calls are queued and never cross', async () => {
  const bytes = await readFile(SHORT_CLIP);
  const [a, b] = await Promise.all([
    scribe.process(bytes, { jobName: 'first' }),
    scribe.process(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), { jobName: 'second' }),
  ]);
  assert.equal(a.transcript.Conversation.JobName, 'first');
  assert.equal(b.transcript.Conversation.JobName, 'second');
  assert.ok(textOf(a.transcript).length > 0);
  assert.equal(textOf(a.transcript), textOf(b.transcript));
});

test('decoded PCM channels give the same words as the file bytes', async () => {
  // speech_then_silence.wav is 16-bit mono: decode it by hand to exercise beginPcm.
  const bytes = await readFile(SHORT_CLIP);
  const dataAt = bytes.indexOf('data') + 8;
  const samples = new Int16Array(bytes.buffer.slice(bytes.byteOffset + dataAt, bytes.byteOffset + bytes.length - ((bytes.length - dataAt) % 2)));
  const pcm = Float32Array.from(samples, (v) => v / 32768);
  const rate = bytes.readUInt32LE(24);
  const fromPcm = await scribe.process([pcm], { sampleRate: rate });
  const fromBytes = await scribe.process(bytes);
  assert.equal(textOf(fromPcm.transcript), textOf(fromBytes.transcript));
  // The defaults pkg/README.md documents: job name, word timestamps on.
  assert.equal(fromBytes.transcript.Conversation.JobName, 'bedside-visit');
  assert.ok(fromBytes.transcript.Conversation.TranscriptItems.length > 0);
});

test('a file: URL works as modelBase', async () => {
  const s = await createScribe({ modelBase: pathToFileURL(MODELS).href, asr: 'tiny.en' });
  try {
    assert.equal(s.asr, 'tiny.en');
  } finally {
    await s.dispose();
  }
});
