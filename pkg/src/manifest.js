// Reads the model manifest (models/manifest.json) and works out which files one speech model needs, plus the
// clinical files (sections and entities) when the manifest names them and the caller wants them.
// Facts about models (paths, sizes, checksums, defaults) live in the manifest, never in this code.

import { bedsideError } from './errors.js';

// The wasm constructor's field names, keyed by the manifest's `asr` entry keys.
const ROLES = { weights: 'weights', config: 'config', tokenizer: 'tokenizer', mel_filters: 'melFilters' };
// The same for `defaults.clinical`: the core turns sections and entities on only when all five are given.
const CLINICAL_ROLES = {
  embedder_weights: 'embedderWeights',
  embedder_config: 'embedderConfig',
  embedder_tokenizer: 'embedderTokenizer',
  sections: 'sections',
  lexicon: 'lexicon',
};

export function parseManifest(text) {
  let m;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw bedsideError('MODEL_INVALID', 'load', `manifest.json is not valid JSON: ${e.message}`);
  }
  if (!m || !Array.isArray(m.files) || typeof m.asr !== 'object' || typeof m.defaults !== 'object') {
    throw bedsideError('MODEL_INVALID', 'load', 'manifest.json lacks files, asr or defaults');
  }
  return m;
}

/**
 * The files a scribe needs: [{ role, file }] where `file` is the manifest entry ({ id, path, sha256, size }).
 * `clinical`: also the sections/entities files, if the manifest names them (`defaults.clinical`).
 */
export function filesFor(manifest, asrName, { clinical = true } = {}) {
  const name = asrName ?? manifest.defaults.asr;
  const asr = manifest.asr[name];
  if (!asr) {
    const known = Object.keys(manifest.asr).join(', ');
    throw bedsideError('SETTINGS_INVALID', 'settings', `unknown speech model "${name}" (the manifest has: ${known})`);
  }
  const byId = new Map(manifest.files.map((f) => [f.id, f]));
  const pick = (role, id) => {
    const file = byId.get(id);
    if (!file) throw bedsideError('MODEL_INVALID', 'load', `manifest names file "${id}" for ${role} but does not list it`);
    return { role, file };
  };
  const wanted = Object.entries(ROLES).map(([key, role]) => pick(role, asr[key]));
  if (manifest.defaults.vad) wanted.push(pick('vad', manifest.defaults.vad));
  const names = manifest.defaults.clinical;
  if (clinical && names) {
    if (typeof names !== 'object') throw bedsideError('MODEL_INVALID', 'load', 'manifest defaults.clinical is not an object');
    for (const [key, role] of Object.entries(CLINICAL_ROLES)) {
      if (!names[key]) throw bedsideError('MODEL_INVALID', 'load', `manifest defaults.clinical lacks ${key}`);
      wanted.push(pick(role, names[key]));
    }
  }
  return { name, wanted };
}

const NO_LLM = new Set([undefined, null, false, 'none']);
// A GGUF the integrator hosts: a URL, a path, or a bare file name ending in .gguf.
const looksLikeFile = (s) => s instanceof URL || (typeof s === 'string' && (/[/\\:]/.test(s) || /\.gguf$/i.test(s)));

/**
 * The note-writing language model `llm` asks for, or null for none (`undefined`, `false`, `'none'`):
 * { name, file } where `file` is the manifest entry for a manifest name (`manifest.llm`; `true` means
 * `defaults.llm`), or { id: 'llm', path } without size or checksum for a URL or path the integrator hosts.
 */
export function llmFileFor(manifest, llm) {
  if (NO_LLM.has(llm)) return null;
  const names = manifest.llm ?? {};
  const name = llm === true ? manifest.defaults.llm : llm;
  if (typeof name === 'string' && Object.hasOwn(names, name)) {
    const file = manifest.files.find((f) => f.id === names[name]);
    if (!file) throw bedsideError('MODEL_INVALID', 'load', `manifest names file "${names[name]}" for llm ${name} but does not list it`);
    return { name, file };
  }
  if (looksLikeFile(name)) {
    const path = name instanceof URL ? name.href : name;
    const base = path.split(/[/\\]/).pop().replace(/\?.*$/, '') || 'llm.gguf';
    return { name: base, file: { id: 'llm', path } };
  }
  const known = [...Object.keys(names), 'none'].join(', ');
  throw bedsideError('SETTINGS_INVALID', 'settings',
    `unknown note-writing model "${String(name)}" (the manifest has: ${known}; or give the URL of a .gguf file)`);
}
