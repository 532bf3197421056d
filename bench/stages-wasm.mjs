// Per-stage cost of the wasm build in Node (one thread), straight on the WasmScribe API: loading the
// recognizer and the clinical models, recognition, speaker turns and roles, sections + clinical entities,
// and the rule-based note. Prints one JSON line; `make bench` shows it per minute of audio.
// Also, on a ~10-minute visit given as text (tests/fixtures/visit_9min/dialogue.txt, PriMock57): the lexicon's
// own load time (a scribe built with it minus one built with an empty lexicon asset, whose curated layer is
// compiled in), sections + clinical entities on that text (`noteFromText` without a note), and each of the two
// stages alone (`annotate`), each on a scribe that has not seen the text (the embedder keeps the vectors
// it computed), and a reviewer's correction: one line changed, sections and entities found again on a scribe
// that has seen the visit. `--text-only` skips the audio stages.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { resolve } from 'node:path';
import { initSync, WasmScribe } from '../pkg/wasm/bedside.js';
import { modelFiles } from './model-files.mjs';

const args = process.argv.slice(2);
const textOnly = args.includes('--text-only');
const [audioPath] = args.filter((a) => !a.startsWith('--'));
initSync({ module: readFileSync(resolve('pkg/wasm/bedside_bg.wasm')) });

const { recognizer: base, clinical: clinicalFiles } = modelFiles();
const seconds = (f) => { const t = performance.now(); const r = f(); return [(performance.now() - t) / 1000, r]; };

// Text stages first (they need no audio).
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const emptyLexicon = gzipSync(Buffer.from('#bedside-lexicon 1\n'));
// The rest of the load (recognizer, embedder) is far larger than the lexicon's part and varies from one
// construction to the next, so the two builds alternate and the median of seven paired differences is kept.
const load = (lexicon) => { const [s, scribe] = seconds(() => new WasmScribe({ ...base, ...clinicalFiles, lexicon })); scribe.free(); return s; };
const lexiconLoadSeconds = median([...Array(7)].map(() => load(clinicalFiles.lexicon) - load(emptyLexicon)));
const visitText = readFileSync(resolve('tests/fixtures/visit_9min/dialogue.txt'), 'utf8');
const fresh = () => new WasmScribe({ ...base, ...clinicalFiles });
const textScribe = fresh();
// Each time on a scribe that has not seen the text, so no stored embedding shortens the run.
const timed = (f) => median([0, 1, 2].map(() => {
  const scribe = fresh();
  const [s] = seconds(() => f(scribe));
  scribe.free();
  return s;
}));
const textResult = textScribe.noteFromText(visitText, { note: false });
// A correction of line 10, 30 or 50 (its words changed) after the visit was annotated once.
const corrected = (n) => {
  const t = structuredClone(textResult.transcript);
  const seg = t.Conversation.TranscriptSegments[n];
  seg.Content = `${seg.Content} I also take metformin 500 mg twice a day.`;
  return JSON.stringify(t);
};
const textCorrectionSeconds = median([10, 30, 50].map((n) => seconds(() => textScribe.noteFromText(corrected(n), { note: false }))[0]));
const text = {
  lexiconBytes: clinicalFiles.lexicon.length,
  lexiconLoadSeconds,
  textChars: visitText.length,
  textSegments: textResult.transcript.Conversation.TranscriptSegments.length,
  textInsights: textResult.transcript.Conversation.ClinicalInsights.length,
  textClinicalSeconds: timed((scribe) => scribe.noteFromText(visitText, { note: false })),
  textSectionsSeconds: timed((scribe) => scribe.annotate(visitText, 'sections')),
  // Entities on the transcript as the pipeline hands it over (sections already set).
  textInsightsSeconds: timed((scribe) => scribe.annotate(JSON.stringify(textResult.transcript), 'insights')),
  textCorrectionSeconds,
};
if (textOnly) {
  console.log(JSON.stringify(text));
  process.exit(0);
}

const [loadAsr, plain] = seconds(() => new WasmScribe(base));
const [loadAll, full] = seconds(() => new WasmScribe({ ...base, ...clinicalFiles }));
const full2 = fresh(); // the note run gets its own scribe: one that has seen the visit would skip its embeddings
const audio = readFileSync(audioPath);

function run(scribe, options) {
  scribe.beginBytes(audio, options);
  const [recognize] = seconds(() => { while (!scribe.step().done); });
  const [finish, result] = seconds(() => scribe.finish());
  return { recognize, finish, result };
}
// Same recording three ways; recognition is identical, so the differences in `finish` are the stages.
const speakersOnly = run(plain, { note: false });
const withClinical = run(full, { note: false });
const withNote = run(full2, {});
const audioSeconds = speakersOnly.result.transcript.Conversation.Bedside.audioSeconds;
console.log(JSON.stringify({
  audioSeconds,
  loadAsrSeconds: loadAsr,
  loadClinicalSeconds: loadAll - loadAsr,
  recognizeSeconds: speakersOnly.recognize,
  speakersSeconds: speakersOnly.finish,
  clinicalSeconds: withClinical.finish - speakersOnly.finish,
  noteRulesSeconds: withNote.finish - withClinical.finish,
  segments: withNote.result.transcript.Conversation.TranscriptSegments.length,
  insights: withNote.result.transcript.Conversation.ClinicalInsights.length,
  ...text,
}));
