// Bedside: an on-device clinical scribe. Audio in, HealthScribe-shaped JSON out, nothing sent anywhere.
//
//   const scribe = await createScribe({ modelBase: '/models', onProgress: console.log });
//   const { transcript, documentation } = await scribe.process(file, { signal });
//   scribe.dispose();

import { canUseWorker } from './src/env.js';
import { abortError, bedsideError } from './src/errors.js';
import { loadModelFiles } from './src/load-models.js';
import { Scribe } from './src/scribe.js';

export { CACHE_NAME } from './src/source-http.js';

/**
 * Loads and verifies the model files, starts the core (in a Web Worker in browsers) and resolves to a Scribe.
 * Progress: { status: 'initiate' | 'progress' | 'done', file, loaded?, total? } per file, then { status: 'ready' }.
 * `clinical` (default true): also load the sections/entities files the manifest names, so transcripts carry
 * SectionDetails and ClinicalInsights; false is a lighter download without them.
 * `llm` (default none): a note-writing language model, by manifest name ('smollm2-135m', …), as the URL or
 * path of a GGUF (llama / qwen2 family), or false / 'none' for notes built by rules.
 */
export async function createScribe({ modelBase, asr, llm, onProgress, signal, cache = true, worker = true, clinical = true } = {}) {
  if (typeof clinical !== 'boolean') throw bedsideError('SETTINGS_INVALID', 'settings', 'clinical must be true or false');
  const load = (options) => loadModelFiles({ modelBase, asr, llm, cache, clinical, ...options });
  const files = await load({ onProgress, signal });
  let backend;
  if (worker && canUseWorker) {
    const { WorkerBackend } = await import('./src/backend-worker.js');
    backend = await WorkerBackend.create(files, signal, () => load({}));
  } else {
    const { InProcessBackend } = await import('./src/backend-inprocess.js');
    backend = await InProcessBackend.create(files);
    if (signal?.aborted) {
      await backend.dispose();
      throw abortError();
    }
  }
  onProgress?.({ status: 'ready', asr: backend.asrName, llm: backend.llmName ?? null });
  return new Scribe(backend);
}
