// Transcribing while recording in the wasm build (Node, one thread, in-process), against the same audio
// handed over whole, in one run. The audio is pushed as a microphone would hand it over: a quarter second at
// a time, on the wall clock (when recognition holds the thread, the pieces that came meanwhile go in
// together afterwards, as a worker's queued messages would). It prints how long after the recording ended the
// finished transcript came, how long the whole recording takes through process(), how long after its speech
// ended each heard line was shown, and the word error rate of both transcripts. In-process a window's
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

// Live, on the wall clock.
const shown = []; // [wall seconds since the start when shown, end of its speech in audio seconds]
const t0 = performance.now();
const now = () => (performance.now() - t0) / 1000;
const recording = scribe.live({ sampleRate: audio.sampleRate, channelCount: audio.channels.length, ...options, onProgress: (p) => { for (const h of p.heard ?? []) shown.push([now(), h.endAudioTime]); } });
const piece = Math.round(audio.sampleRate * PIECE_SECONDS);
let pushed = 0;
while (pushed < frames) {
  const due = Math.min(frames, Math.floor(now() * audio.sampleRate));
  for (; pushed + piece <= due || (due === frames && pushed < due); pushed += piece) {
    recording.push(audio.channels.map((c) => c.subarray(pushed, Math.min(pushed + piece, frames))));
  }
  await sleep(PIECE_SECONDS * 1000);
}
const ended = seconds; // on the wall clock, the recording's last sample was due then
const pushedAt = now();
const live = await recording.end();
const afterEnd = now() - ended;

const w0 = performance.now();
const whole = await scribe.process(audio.channels, { sampleRate: audio.sampleRate, ...options });
const wholeSeconds = (performance.now() - w0) / 1000;
await scribe.dispose();
if (process.env.BENCH_DUMP) {
  for (const [name, t] of [['live', live.transcript], ['whole', whole.transcript]]) {
    console.log(`--- ${name}`);
    for (const seg of t.Conversation.TranscriptSegments) console.log(`${seg.BeginAudioTime.toFixed(2)}-${seg.EndAudioTime.toFixed(2)} ${seg.Content}`);
  }
}

const delays = shown.filter(([at]) => at <= ended).map(([at, end]) => at - end);
console.log(`audio: ${file.replace(ROOT, '')} (${seconds.toFixed(1)} s, ${audio.channels.length} channel(s)), model: ${scribe.asr}, wasm in Node, one thread`);
console.log(`live:  last piece pushed at ${pushedAt.toFixed(1)} s, finished ${afterEnd.toFixed(2)} s after the recording ended` +
  (reference ? `, WER ${(100 * wer(reference, textOf(live.transcript))).toFixed(2)}%` : ''));
console.log(`whole: process() ${wholeSeconds.toFixed(2)} s after handing over the recording` +
  (reference ? `, WER ${(100 * wer(reference, textOf(whole.transcript))).toFixed(2)}%` : ''));
console.log(`after the end, live / whole: ${(afterEnd / wholeSeconds).toFixed(2)}x`);
console.log(`lines shown while recording: ${delays.length}, median ${delays.length ? median(delays).toFixed(1) : '-'} s after their speech ended` +
  ` (max ${delays.length ? Math.max(...delays).toFixed(1) : '-'} s)`);
