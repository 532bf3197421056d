// Fetches (browser) or reads (Node) the manifest and the verified files of one speech model plus the VAD
// and (unless `clinical: false`) the sections/entities files the manifest names, reporting { status: 'initiate' | 'progress' | 'done', file, ... } per file.

import { bedsideError, throwIfAborted } from './errors.js';
import { filesFor, parseManifest } from './manifest.js';
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

/**
 * Resolves to { asrName, weights, config, tokenizer, melFilters, vad } with verified bytes, plus
 * { embedderWeights, embedderConfig, embedderTokenizer, sections, lexicon } when clinical files are loaded.
 */
export async function loadModelFiles({ modelBase, asr, onProgress, signal, cache = true, clinical = true }) {
  throwIfAborted(signal);
  const source = await openSource(modelBase, cache);
  const manifest = parseManifest(await source.text('manifest.json', signal));
  const { name, wanted } = filesFor(manifest, asr, { clinical });
  const files = { asrName: name };
  for (const { role, file } of wanted) {
    throwIfAborted(signal);
    onProgress?.({ status: 'initiate', file: file.path, total: file.size });
    const onBytes = (loaded, cached = false) =>
      onProgress?.({ status: 'progress', file: file.path, loaded, total: file.size, ...(cached && { cached }) });
    files[role] = await source.file(file, { signal, onBytes });
    onProgress?.({ status: 'done', file: file.path });
  }
  return files;
}
