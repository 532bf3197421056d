// Transcribing while recording, through the package in Node: visits A and B, back to back (63 s), are pushed
// a quarter second at a time, as an audio callback would hand them over; words must come back before the
// recording ends, and the finished visit must be as good as the same audio handed over whole.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { createScribe } from '../../pkg/index.js';
import { join } from 'node:path';
import init, { decodeAudio } from '../../pkg/wasm/bedside.js';
import { FIXTURES, MODELS, ROOT, VISIT_A, normalizeWords, segmentsOf, textOf, truthOf, wer } from './helpers.mjs';

let scribe;
before(async () => {
  scribe = await createScribe({ modelBase: MODELS });
});
after(() => scribe?.dispose());

/** A 16-bit PCM WAV file's samples as floats, per channel. */
async function readWav(path) {
  const buf = await readFile(path);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = 12;
  let format = null;
  while (at + 8 <= buf.length) {
    const id = buf.toString('ascii', at, at + 4);
    const size = view.getUint32(at + 4, true);
    if (id === 'fmt ') format = { channels: view.getUint16(at + 10, true), rate: view.getUint32(at + 12, true), bits: view.getUint16(at + 22, true) };
    if (id === 'data') {
      assert.equal(format?.bits, 16, 'a 16-bit PCM fixture');
      const frames = size / 2 / format.channels;
      const channels = Array.from({ length: format.channels }, () => new Float32Array(frames));
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < format.channels; c++) channels[c][i] = view.getInt16(at + 8 + (i * format.channels + c) * 2, true) / 32768;
      }
      return { rate: format.rate, channels };
    }
    at += 8 + size + (size & 1);
  }
  throw new Error(`${path} has no data chunk`);
}

const PIECE_SECONDS = 0.25;

// Whisper writes "um" in one window and leaves it out in another; like the project's Rust WER, leave fillers out.
const withoutFillers = (text) => text.replace(/\b(u+m+|u+h+|uhm|h+m+|m+h?m+|erm?)\b/gi, ' ');

/** Pushes frames [from, to) of `channels` in pieces, reusing one buffer per channel as an audio callback does. */
function pushRange(recording, { rate, channels }, from, to) {
  const piece = Math.round(rate * PIECE_SECONDS);
  const buffers = channels.map(() => new Float32Array(piece));
  for (let start = from; start < to; start += piece) {
    const n = Math.min(piece, to - start);
    const out = buffers.map((b, c) => {
      const view = n === piece ? b : new Float32Array(n);
      view.set(channels[c].subarray(start, start + n));
      return view;
    });
    recording.push(out.length === 1 ? out[0] : out);
    for (const b of buffers) b.fill(Number.NaN); // a reused buffer must not reach the core changed
  }
}

test('words come back while recording; the finished visit matches the recording handed over whole', { timeout: 300_000 }, async () => {
  const a = await readWav(VISIT_A);
  const b = await readWav(join(FIXTURES, 'visit_b/audio.wav'));
  const joined = new Float32Array(a.channels[0].length + b.channels[0].length);
  joined.set(a.channels[0]);
  joined.set(b.channels[0], a.channels[0].length);
  const wav = { rate: a.rate, channels: [joined] };
  const seconds = joined.length / wav.rate;
  const truth = [...(await truthOf('visit_a')).segments, ...(await truthOf('visit_b')).segments];
  const heard = [];
  let wake = () => {};
  const recording = scribe.live({
    sampleRate: wav.rate,
    jobName: 'live-visits-a-b',
    onProgress: (p) => {
      if (p.stage !== 'transcribe') return;
      heard.push(...p.heard);
      if (p.heard.length) wake();
    },
  });
  try {
    // 48 s hold more than one window (30 s) of speech, so the first window is recognised now.
    const firstPart = Math.round(48 * wav.rate);
    const someHeard = new Promise((resolve) => { wake = resolve; });
    pushRange(recording, wav, 0, firstPart);
    let timer;
    const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no words within 120 s of 48 s of audio')), 120_000); });
    await Promise.race([someHeard, timeout]).finally(() => clearTimeout(timer));
    const heardBeforeEnd = heard.map((h) => h.text).join(' ');
    assert.ok(normalizeWords(heardBeforeEnd).length >= 30, `heard only "${heardBeforeEnd}" before the recording ended`);
    assert.match(heardBeforeEnd, /morning|help/i);
    for (const h of heard) assert.ok(h.endAudioTime <= 48.5, `words from audio already pushed: ${JSON.stringify(h)}`);
    pushRange(recording, wav, firstPart, joined.length);
  } finally {
    recording.end();
  }
  const { transcript, documentation } = await recording.result;
  assert.equal(transcript.Conversation.JobName, 'live-visits-a-b');
  assert.ok(documentation, 'the note is written once the recording ends');
  const reference = withoutFillers(truth.map((s) => s.text).join(' '));
  const liveError = wer(reference, withoutFillers(textOf(transcript)));
  const whole = await scribe.process(wav.channels, { sampleRate: wav.rate, note: false });
  const wholeError = wer(reference, withoutFillers(textOf(whole.transcript)));
  // The same windows are recognised either way, so the transcripts should all but agree.
  assert.ok(liveError <= wholeError + 0.03, `live WER ${liveError.toFixed(3)} against ${wholeError.toFixed(3)} for the whole recording`);
  assert.ok(liveError < 0.2, `live WER ${liveError.toFixed(3)}`);
  // What was shown while recording is what the transcript says, apart from the speaker split.
  assert.ok(wer(heard.map((h) => h.text).join(' '), textOf(transcript)) < 0.05, 'heard text matches the transcript');
  let previous = -1;
  for (const s of segmentsOf(transcript)) {
    assert.ok(s.BeginAudioTime >= previous && s.EndAudioTime <= seconds + 0.5, 'ordered, inside the audio');
    assert.match(s.ParticipantDetails.ParticipantRole, /^(CLINICIAN|PATIENT)_\d+$/);
    previous = s.BeginAudioTime;
  }
});

test('bad live input is refused with a typed error, and the scribe goes on working', { timeout: 120_000 }, async () => {
  assert.throws(() => scribe.live({}), { code: 'SETTINGS_INVALID' });
  assert.throws(() => scribe.live({ sampleRate: 16000, channelCount: 0 }), { code: 'SETTINGS_INVALID' });

  const wrongShape = scribe.live({ sampleRate: 16000 });
  assert.throws(() => wrongShape.push([1, 2, 3]), { code: 'INPUT_INVALID' });
  wrongShape.push([new Float32Array(160), new Float32Array(160)]); // two channels into a one-channel recording
  await assert.rejects(wrongShape.end(), { code: 'AUDIO_INVALID' });

  const notANumber = scribe.live({ sampleRate: 16000 });
  notANumber.push(new Float32Array([0, Number.NaN, 0]));
  await assert.rejects(notANumber.result, { code: 'AUDIO_INVALID' });

  await assert.rejects(scribe.live({ sampleRate: 16000 }).end(), { code: 'AUDIO_EMPTY' });
  // Telehealth needs both sides on their own channels.
  const oneSide = scribe.live({ sampleRate: 16000, channelDefinitions: [{ channelId: 0, participantRole: 'CLINICIAN' }, { channelId: 1, participantRole: 'PATIENT' }] });
  await assert.rejects(oneSide.result, { code: 'SETTINGS_INVALID' });

  const ended = scribe.live({ sampleRate: 16000, note: false });
  ended.push(new Float32Array(16000));
  const silent = ended.end();
  assert.throws(() => ended.push(new Float32Array(16)), { code: 'SETTINGS_INVALID' });
  const { transcript } = await silent;
  assert.equal(segmentsOf(transcript).length, 0, 'a second of silence says nothing');

  const controller = new AbortController();
  const aborted = scribe.live({ sampleRate: 16000, signal: controller.signal });
  aborted.push(new Float32Array(16000));
  controller.abort();
  await assert.rejects(aborted.result, { name: 'AbortError' });

  const wav = await readWav(VISIT_A);
  const after = scribe.live({ sampleRate: wav.rate, note: false });
  after.push(wav.channels[0].subarray(0, 9 * wav.rate));
  const { transcript: afterAbort } = await after.end();
  assert.match(textOf(afterAbort), /morning|help/i, 'a recording after an aborted one is transcribed');
});

test('a telehealth call, each side on its own channel, is transcribed live with each side in its role', { timeout: 300_000 }, async () => {
  // Decoded with the package's own wasm decoder (Node has no FLAC decoder).
  await init({ module_or_path: await readFile(join(ROOT, 'pkg/wasm/bedside_bg.wasm')) });
  const call = decodeAudio(await readFile(join(FIXTURES, 'visit_a_stereo/audio.flac')));
  assert.equal(call.channels.length, 2);
  const wav = { rate: call.sampleRate, channels: call.channels };
  const truth = (await truthOf('visit_a_stereo')).segments;
  const heard = [];
  const recording = scribe.live({
    sampleRate: wav.rate,
    channelCount: 2,
    note: false,
    channelDefinitions: [{ channelId: 0, participantRole: 'CLINICIAN' }, { channelId: 1, participantRole: 'PATIENT' }],
    onProgress: (p) => { if (p.stage === 'transcribe') heard.push(...p.heard); },
  });
  try {
    pushRange(recording, wav, 0, wav.channels[0].length);
  } finally {
    recording.end();
  }
  const { transcript } = await recording.result;
  const segments = segmentsOf(transcript);
  assert.ok(segments.length >= 5, `${segments.length} segments`);
  // Each segment's role is the one of the true turn it overlaps most.
  const overlap = (s, t) => Math.max(0, Math.min(s.EndAudioTime, t.end) - Math.max(s.BeginAudioTime, t.start));
  let right = 0;
  for (const s of segments) {
    const best = truth.reduce((a, t) => (overlap(s, t) > overlap(s, a) ? t : a));
    if (overlap(s, best) > 0 && s.ParticipantDetails.ParticipantRole.startsWith(best.speaker)) right += 1;
    assert.equal(s.ChannelId, s.ParticipantDetails.ParticipantRole === 'CLINICIAN_0' ? 0 : 1, 'the role follows the channel');
  }
  assert.ok(right / segments.length >= 0.9, `${right} of ${segments.length} segments in the right role`);
  assert.ok(segments.every((s, i) => i === 0 || s.BeginAudioTime >= segments[i - 1].BeginAudioTime), 'both sides interleaved by time');
  assert.equal(segments[0].ParticipantDetails.ParticipantRole, 'CLINICIAN_0', 'the clinician opens the call');
  // Both sides were heard while the call went on, each line with its channel.
  assert.deepEqual([...new Set(heard.map((h) => h.channelId))].sort(), [0, 1]);
  const error = wer(withoutFillers(truth.map((t) => t.text).join(' ')), withoutFillers(textOf(transcript)));
  assert.ok(error < 0.2, `WER ${error.toFixed(3)}`);
});

test('while a window fills, the speech waiting comes as drafts, redacted like the rest; drafts: false makes none', { timeout: 300_000 }, async () => {
  // Visit B opens with the patient's name and age (the name is misheard in a draft, the age is not), some 20 s of speech: far less than a window.
  const visit = await readWav(join(FIXTURES, 'visit_b/audio.wav'));
  const rate = visit.rate;
  const opening = visit.channels[0].subarray(0, 24 * rate);
  assert.throws(() => scribe.live({ sampleRate: rate, drafts: 'yes' }), { code: 'SETTINGS_INVALID' });

  /** Pushes the opening and resolves to the first progress event with a draft, then aborts the recording. */
  const firstDraft = async (options) => {
    const controller = new AbortController();
    let resolve;
    const drafted = new Promise((r) => { resolve = r; });
    const events = [];
    const recording = scribe.live({
      sampleRate: rate,
      note: false,
      signal: controller.signal,
      ...options,
      onProgress: (p) => { events.push(p); if (p.draft?.length) resolve(p); },
    });
    pushRange(recording, { rate, channels: [opening] }, 0, opening.length);
    let timer;
    const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no draft within 60 s of 24 s of audio')), 60_000); });
    try {
      return await Promise.race([drafted, timeout]);
    } finally {
      clearTimeout(timer);
      controller.abort();
      await assert.rejects(recording.result, { name: 'AbortError' });
      assert.ok(events.every((p) => p.heard.length === 0), 'no window is recognised for good from 24 s of audio');
    }
  };
  const open = await firstDraft({});
  const text = open.draft.map((h) => h.text).join(' ');
  assert.match(text, /full name|date of birth/i, `draft: ${text}`);
  assert.match(text, /\b(40|forty) years old/i, 'the age is in the unredacted draft');
  assert.equal(open.stage, 'transcribe');
  assert.ok(Math.abs(open.totalSeconds - 24) < 0.5 && open.processedSeconds <= open.totalSeconds, JSON.stringify({ ...open, draft: undefined }));
  for (const h of open.draft) {
    assert.equal(h.channelId, null);
    assert.ok(h.beginAudioTime >= 0 && h.beginAudioTime <= h.endAudioTime && h.endAudioTime <= 24.5, JSON.stringify(h));
  }
  const closed = (await firstDraft({ redact: true })).draft.map((h) => h.text).join(' ');
  assert.doesNotMatch(closed, /\b(40|forty)\b/i, `redacted draft: ${closed}`);
  assert.match(closed, /\[AGE\]/, `redacted draft: ${closed}`);
  assert.match(closed, /full name|date of birth/i, 'the rest of the words stay');

  // Without drafts the recording waits quietly for a window; its words still come when it ends.
  const events = [];
  const plain = scribe.live({ sampleRate: rate, note: false, drafts: false, onProgress: (p) => events.push(p) });
  pushRange(plain, { rate, channels: [opening] }, 0, opening.length);
  await new Promise((r) => setTimeout(r, 8000)); // longer than the drafts above took
  const { transcript } = await plain.end();
  assert.ok(events.every((p) => !p.draft?.length), 'no drafts were made');
  assert.match(textOf(transcript), /full name|date of birth/i);
});
