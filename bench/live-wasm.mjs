// Transcribing while recording in the wasm build (Node, one thread, in-process), with drafts and without,
// against the same audio handed over whole, in one run. The audio is pushed as a microphone would hand it
// over: a quarter second at a time, on the wall clock (when recognition holds the thread, the pieces that
// came meanwhile go in together afterwards, as a worker's queued messages would). It prints how long after
// the recording ended the finished transcript came, how long the whole recording takes through process(),
// how long after its speech ended each line was shown (recognised for good; first on screen, as a draft or
// the line), how stale each draft's newest words were, and the word error rate of the transcripts. In-process a window's
// recognition holds the thread, so the last pieces may go in late; "after it ended" counts from when the
// recording's last sample was due on the clock (what a microphone's user waits), not from that late push.
//   node bench/live-wasm.mjs                 tests/fixtures/long_120s (122.6 s, two voices, with its truth)
//   node bench/live-wasm.mjs FILE [TRUTH]    any WAV or FLAC file; TRUTH: a truth.json for the word error rate
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createScribe } from '../pkg/index.js';
import init, { decodeAudio } from '../pkg/wasm/bedside.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PIECE_SECONDS = 0.25;

// Fillers ("um", "uh") are left out, as the project's Rust WER does: Whisper writes them in one window and not the next.
const words = (t) => t.replace(/\b(u+m+|u+h+|uhm|h+m+|m+h?m+|erm?)\b/gi, ' ').toLowerCase().replace(/[^a-z0-9' ]+/g, ' ').replace(/'/g, '').split(/\s+/).filter(Boolean);
function wer(reference, hypothesis) {
  const ref = words(reference);
  const hyp = words(hypothesis);
  let prev = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const cur = [i];
    for (let j = 1; j <= hyp.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[hyp.length] / Math.max(1, ref.length);
}

/** Per draft event: how long after the end of its newest line it was shown. */
function draftLags(shown) {
  const events = new Map();
  for (const [at, , end, draft] of shown) if (draft && at <= seconds) events.set(at, Math.max(events.get(at) ?? 0, end));
  return [...events].map(([at, end]) => at - end);
}

const textOf = (t) => t.Conversation.TranscriptSegments.map((s) => s.Content).join(' ');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const [file = join(ROOT, 'tests/fixtures/long_120s/audio.flac'), truthFile = process.argv[2] ? undefined : join(ROOT, 'tests/fixtures/long_120s/truth.json')] = process.argv.slice(2);
await init({ module_or_path: readFileSync(join(ROOT, 'pkg/wasm/bedside_bg.wasm')) });
const audio = decodeAudio(readFileSync(file));
const reference = truthFile ? JSON.parse(readFileSync(truthFile, 'utf8')).segments.map((s) => s.text).join(' ') : null;
const frames = audio.channels[0].length;
const seconds = frames / audio.sampleRate;

const scribe = await createScribe({ modelBase: join(ROOT, 'models') });
const options = { note: false };

/**
 * One live recording on the wall clock, with or without drafts. Returns when each line was shown
 * (`shown`: [wall seconds since the start, its speech's start and end in audio seconds, a draft?]), when the
 * last piece went in, how long after the recording ended the transcript came, and the transcript.
 */
async function liveRun(drafts) {
  const shown = [];
  const t0 = performance.now();
  const now = () => (performance.now() - t0) / 1000;
  const onProgress = (p) => {
    const at = now();
    for (const h of p.heard ?? []) shown.push([at, h.beginAudioTime, h.endAudioTime, false]);
    for (const h of p.draft ?? []) shown.push([at, h.beginAudioTime, h.endAudioTime, true]);
  };
  const recording = scribe.live({ sampleRate: audio.sampleRate, channelCount: audio.channels.length, drafts, ...options, onProgress });
  const piece = Math.round(audio.sampleRate * PIECE_SECONDS);
  let pushed = 0;
  while (pushed < frames) {
    const due = Math.min(frames, Math.floor(now() * audio.sampleRate));
    for (; pushed + piece <= due || (due === frames && pushed < due); pushed += piece) {
      recording.push(audio.channels.map((c) => c.subarray(pushed, Math.min(pushed + piece, frames))));
    }
    await sleep(PIECE_SECONDS * 1000);
  }
  const pushedAt = now();
  const { transcript } = await recording.end();
  // On the wall clock, the recording's last sample was due at `seconds`.
  return { shown, pushedAt, afterEnd: now() - seconds, transcript };
}

/**
 * For each line recognised for good while recording: how long after its speech ended its words were
 * first on screen, as a draft line reaching to within a second of that end, or as the line itself.
 */
function firstShownDelays(shown) {
  const lines = shown.filter(([at, , , draft]) => !draft && at <= seconds);
  return lines.map(([at, , end]) => {
    const first = shown.filter(([t, b, e]) => t <= at && b <= end && e >= end - 1).reduce((m, [t]) => Math.min(m, t), at);
    return first - end;
  });
}

const withDrafts = await liveRun(true);
const without = await liveRun(false);
const live = withDrafts;
const w0 = performance.now();
const whole = await scribe.process(audio.channels, { sampleRate: audio.sampleRate, ...options });
const wholeSeconds = (performance.now() - w0) / 1000;
await scribe.dispose();
if (process.env.BENCH_DUMP) {
  for (const [name, t] of [['live', live.transcript], ['live, no drafts', without.transcript], ['whole', whole.transcript]]) {
    console.log(`--- ${name}`);
    for (const seg of t.Conversation.TranscriptSegments) console.log(`${seg.BeginAudioTime.toFixed(2)}-${seg.EndAudioTime.toFixed(2)} ${seg.Content}`);
  }
}

const finalDelays = (run) => run.shown.filter(([at, , , draft]) => !draft && at <= seconds).map(([at, , end]) => at - end);
const describe = (xs) => `${xs.length}, median ${xs.length ? median(xs).toFixed(1) : '-'} s (max ${xs.length ? Math.max(...xs).toFixed(1) : '-'} s)`;
const drafts = withDrafts.shown.filter(([at, , , draft]) => draft && at <= seconds);
console.log(`audio: ${file.replace(ROOT, '')} (${seconds.toFixed(1)} s, ${audio.channels.length} channel(s)), model: ${scribe.asr}, wasm in Node, one thread`);
for (const [name, run] of [['live, drafts', withDrafts], ['live, no drafts', without]]) {
  console.log(`${name.padEnd(16)} last piece pushed at ${run.pushedAt.toFixed(1)} s, finished ${run.afterEnd.toFixed(2)} s after the recording ended` +
    (reference ? `, WER ${(100 * wer(reference, textOf(run.transcript))).toFixed(2)}%` : ''));
}
console.log(`whole:           process() ${wholeSeconds.toFixed(2)} s after handing over the recording` +
  (reference ? `, WER ${(100 * wer(reference, textOf(whole.transcript))).toFixed(2)}%` : ''));
console.log(`after the end, live / whole: ${(withDrafts.afterEnd / wholeSeconds).toFixed(2)}x with drafts, ${(without.afterEnd / wholeSeconds).toFixed(2)}x without`);
console.log(`lines recognised for good while recording, shown after their speech ended: with drafts ${describe(finalDelays(withDrafts))}; without ${describe(finalDelays(without))}`);
console.log(`their words first on screen (a draft or the line): ${describe(firstShownDelays(withDrafts.shown))} after their speech ended`);
const lags = draftLags(withDrafts.shown);
console.log(`drafts shown while recording: ${lags.length} (${drafts.length} lines); each one's newest words a median ${median(lags).toFixed(1)} s (max ${Math.max(...lags).toFixed(1)} s) after they ended`);
