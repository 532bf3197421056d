// The default model files named in models/manifest.json, read for the WasmScribe constructor that the wasm
// benches call directly (the package's createScribe fetches them itself).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** `{ manifest, file(id), recognizer, clinical }`: the recognizer's files (with the VAD) and the clinical ones. */
export function modelFiles(models = resolve('models')) {
  const manifest = JSON.parse(readFileSync(join(models, 'manifest.json'), 'utf8'));
  const file = (id) => readFileSync(join(models, manifest.files.find((f) => f.id === id).path));
  const asr = manifest.asr[manifest.defaults.asr];
  const c = manifest.defaults.clinical;
  return {
    manifest,
    file,
    recognizer: {
      asrName: manifest.defaults.asr, weights: file(asr.weights), config: file(asr.config), tokenizer: file(asr.tokenizer),
      melFilters: file(asr.mel_filters), vad: file(manifest.defaults.vad),
    },
    clinical: {
      embedderWeights: file(c.embedder_weights), embedderConfig: file(c.embedder_config),
      embedderTokenizer: file(c.embedder_tokenizer), sections: file(c.sections), lexicon: file(c.lexicon),
    },
  };
}
