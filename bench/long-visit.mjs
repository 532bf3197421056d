// The text stages on long visits: sections, clinical entities and the rule-based note over a visit given as
// text, at 30, 60, 120 and 240 minutes of talk, in the wasm build (Node, one thread) and, side by side in the
// same run, the native CLI (`bedside note --llm none`) when it is built. The visits are the 116 annotated
// development dialogues of tests/fixtures/insights one after another (different words throughout, so the
// embedder's cache of sentences it has seen never helps), a length counted at 150 spoken words a minute.
// Prints one JSON line per length: turns, words, wasm seconds (and wasm memory after), native seconds.
//   node bench/long-visit.mjs [MINUTES ...]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { initSync, WasmScribe } from '../pkg/wasm/bedside.js';
import { modelFiles } from './model-files.mjs';

const WORDS_PER_MINUTE = 150;
const lengths = process.argv.slice(2).map(Number);
const minutesList = lengths.length ? lengths : [30, 60, 120, 240];

const models = resolve('models');
const wasm = initSync({ module: readFileSync(resolve('pkg/wasm/bedside_bg.wasm')) });
const { recognizer, clinical } = modelFiles(models);
const files = { ...recognizer, ...clinical };

const fixtures = resolve('tests/fixtures/insights');
const dialogues = readdirSync(fixtures).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(join(fixtures, f), 'utf8')).dialogue.trim());

/** Whole dialogues, in order, until the visit has `minutes` of talk. */
function visitOf(minutes) {
  const parts = [];
  let words = 0;
  for (const d of dialogues) {
    if (words >= minutes * WORDS_PER_MINUTE) break;
    parts.push(d);
    words += d.split(/\s+/).length;
  }
  if (words < minutes * WORDS_PER_MINUTE) throw new Error(`the fixtures hold only ${Math.round(words / WORDS_PER_MINUTE)} minutes`);
  return { text: parts.join('\n'), words };
}

const targetDir = process.env.CARGO_TARGET_DIR ?? 'target';
const cli = resolve(targetDir, 'release/bedside');
const scratch = mkdtempSync(join(tmpdir(), 'bedside-long-visit-'));
try {
  for (const minutes of minutesList) {
    const { text, words } = visitOf(minutes);
    const scribe = new WasmScribe(files);
    const t0 = performance.now();
    const { transcript } = scribe.noteFromText(text, { useLlm: false }, () => {});
    const wasmSeconds = (performance.now() - t0) / 1000;
    scribe.free();
    let nativeSeconds = null;
    if (existsSync(cli)) {
      const input = join(scratch, `visit-${minutes}.txt`);
      writeFileSync(input, text);
      const t1 = performance.now();
      execFileSync(cli, ['note', input, '--out', join(scratch, `out-${minutes}`), '--llm', 'none', '--models', models], { stdio: 'ignore' });
      nativeSeconds = (performance.now() - t1) / 1000;
    }
    console.log(JSON.stringify({
      minutes, turns: transcript.Conversation.TranscriptSegments.length, words,
      wasmSeconds: +wasmSeconds.toFixed(2), wasmMemoryGB: +(wasm.memory.buffer.byteLength / 1e9).toFixed(2),
      nativeSeconds: nativeSeconds && +nativeSeconds.toFixed(2),
    }));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
