// Note writing in the wasm build (Node, one thread): the same dialogue written by rules and by a language
// model named in the manifest. Prints one JSON line per writer: seconds, sentences, words.
//   node bench/note-wasm.mjs DIALOGUE.txt [LLM_NAME | FILE.gguf ...]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { initSync, WasmScribe } from '../pkg/wasm/bedside.js';
import { modelFiles } from './model-files.mjs';

const [dialoguePath, ...llms] = process.argv.slice(2);
initSync({ module: readFileSync(resolve('pkg/wasm/bedside_bg.wasm')) });
const { manifest, file, recognizer, clinical } = modelFiles();
const files = { ...recognizer, ...clinical };
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
