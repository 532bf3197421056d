// Fetches (browser) or reads (Node) the manifest and the verified files of one speech model plus the VAD,
// (unless `clinical: false`) the sections/entities files the manifest names, and (when `llm` asks for one)
// a note-writing language model, reporting { status: 'initiate' | 'progress' | 'done', file, ... } per file.

import { bedsideError, throwIfAborted } from './errors.js';
import { filesFor, llmFileFor, parseManifest } from './manifest.js';
import { isNode } from './env.js';
import { httpSource } from './source-http.js';

const withSlash = (s) => (s.endsWith('/') ? s : `${s}/`);

async function openSource(modelBase, cache) {
  const base = modelBase instanceof URL ? modelBase.href : modelBase;
  if (typeof base !== 'string' || base === '') {
    throw bedsideError('SETTINGS_INVALID', 'settings', 'modelBase is required: the URL or folder holding manifest.json');
  }
  if (isNode && !/^https?:/i.test(base)) {
    const [{ fileSource }, { fileURLToPath }, { resolve }] = await Promise.all([
      import('./source-file.js'), import('node:url'), import('node:path'),
    ]);
    return fileSource(base.startsWith('file:') ? fileURLToPath(base) : resolve(base));
  }
  return httpSource(new URL(withSlash(base), globalThis.location?.href), { cache });
}

// An http(s) URL given in Node next to a model folder is downloaded, not read from the folder.
async function sourceFor(file, source, cache) {
  if (!isNode || !/^https?:/i.test(file.path) || source.http) return source;
  return httpSource(new URL(file.path), { cache });
}

/**
 * Resolves to { asrName, weights, config, tokenizer, melFilters, vad } with verified bytes, plus
 * { embedderWeights, embedderConfig, embedderTokenizer, sections, lexicon } when clinical files are loaded
 * and { llm, llmName } when a language model is asked for.
 */
export async function loadModelFiles({ modelBase, asr, llm, onProgress, signal, cache = true, clinical = true }) {
  throwIfAborted(signal);
  const source = await openSource(modelBase, cache);
  const manifest = parseManifest(await source.text('manifest.json', signal));
  const { name, wanted } = filesFor(manifest, asr, { clinical });
  const writer = llmFileFor(manifest, llm);
  if (writer) wanted.push({ role: 'llm', file: writer.file });
  const files = { asrName: name };
  if (writer) files.llmName = writer.name;
  for (const { role, file } of wanted) {
    throwIfAborted(signal);
    // `total` is 0 until known for a file the manifest does not list.
    onProgress?.({ status: 'initiate', file: file.path, total: file.size ?? 0 });
    const onBytes = (loaded, cached = false, total = file.size) =>
      onProgress?.({ status: 'progress', file: file.path, loaded, total: total ?? 0, ...(cached && { cached }) });
    files[role] = await (await sourceFor(file, source, cache)).file(file, { signal, onBytes });
    onProgress?.({ status: 'done', file: file.path });
  }
  return files;
}
