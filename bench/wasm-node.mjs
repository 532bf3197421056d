// Transcribes one recording with the wasm build in Node (one thread) through the package API and prints
// one JSON line: load and processing time, real-time factor, peak resident memory, the text.
import { createScribe } from '../pkg/index.js';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

const [audioPath, asr = undefined] = process.argv.slice(2);
const t0 = performance.now();
const scribe = await createScribe({ modelBase: resolve('models'), asr, clinical: false });
const loadSeconds = (performance.now() - t0) / 1000;
const bytes = new Uint8Array(await readFile(audioPath));
const t1 = performance.now();
const { transcript } = await scribe.process(bytes, { note: false });
const seconds = (performance.now() - t1) / 1000;
const audioSeconds = transcript.Conversation.Bedside.audioSeconds;
console.log(JSON.stringify({
  runtime: 'wasm-node', loadSeconds, seconds, audioSeconds, rtf: seconds / audioSeconds,
  peakRssMB: process.resourceUsage().maxRSS / 1024,
  text: transcript.Conversation.TranscriptSegments.map((s) => s.Content).join(' '),
}));
await scribe.dispose();
