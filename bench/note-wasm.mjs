// Note writing in the wasm build (Node, one thread): the same dialogue written by rules and by a language
// model named in the manifest. Prints one JSON line per writer: seconds, sentences, words.
//   node bench/note-wasm.mjs DIALOGUE.txt [LLM_NAME | FILE.gguf ...]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initSync, WasmScribe } from '../pkg/wasm/bedside.js';

const [dialoguePath, ...llms] = process.argv.slice(2);
const models = resolve('models');
const manifest = JSON.parse(readFileSync(join(models, 'manifest.json'), 'utf8'));
const file = (id) => readFileSync(join(models, manifest.files.find((f) => f.id === id).path));
initSync({ module: readFileSync(resolve('pkg/wasm/bedside_bg.wasm')) });

const asr = manifest.asr[manifest.defaults.asr];
const c = manifest.defaults.clinical;
const files = {
  asrName: manifest.defaults.asr, weights: file(asr.weights), config: file(asr.config), tokenizer: file(asr.tokenizer),
  melFilters: file(asr.mel_filters), embedderWeights: file(c.embedder_weights), embedderConfig: file(c.embedder_config),
  embedderTokenizer: file(c.embedder_tokenizer), sections: file(c.sections), lexicon: file(c.lexicon),
};
const text = readFileSync(dialoguePath, 'utf8');
const words = (doc) => doc.ClinicalDocumentation.Sections.flatMap((s) => s.Summary).map((x) => x.SummarizedSegment).join(' ').split(/\s+/).length;
const sentences = (doc) => doc.ClinicalDocumentation.Sections.flatMap((s) => s.Summary).length;

for (const name of ['none', ...llms]) {
  const t0 = performance.now();
  const llm = name === 'none' ? undefined : name.endsWith('.gguf') ? readFileSync(name) : file(manifest.llm[name]);
  const scribe = new WasmScribe(llm ? { ...files, llm } : files);
  const loadSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  let tokens = 0;
  const { documentation } = scribe.noteFromText(text, { useLlm: name !== 'none' }, (e) => { if (e.token !== undefined) tokens += 1; });
  const seconds = (performance.now() - t1) / 1000;
  const c = process.cpuUsage(c1);
  const cpuSeconds = (c.user + c.system) / 1e6;
  console.log(JSON.stringify({ writer: name, loadSeconds, seconds, cpuSeconds, tokens, sentences: sentences(documentation), words: words(documentation) }));
  scribe.free();
}
