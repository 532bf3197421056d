// Model files from a local folder (Node only): the same verification as downloads, no cache needed.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { abortError, bedsideError } from './errors.js';
import { verifyFile } from './verify.js';

async function read(path, signal) {
  try {
    return new Uint8Array(await readFile(path, { signal }));
  } catch (e) {
    if (e?.name === 'AbortError') throw abortError();
    if (e?.code === 'ENOENT') throw bedsideError('MODEL_INVALID', 'load', `${path} is missing: run \`make models\``);
    throw bedsideError('IO', 'io', `could not read ${path}: ${e.message}`);
  }
}

// A path is relative to the model folder unless absolute; a file: URL works too.
const under = (dir, path) => (path.startsWith('file:') ? fileURLToPath(path) : resolve(dir, path));

/** `dir`: folder holding manifest.json and the model files. */
export function fileSource(dir) {
  return {
    async text(path, signal) {
      return new TextDecoder().decode(await read(under(dir, path), signal));
    },
    async file(file, { signal, onBytes }) {
      const bytes = await read(under(dir, file.path), signal);
      onBytes(bytes.byteLength, false, bytes.byteLength);
      await verifyFile(file, bytes);
      return bytes;
    },
  };
}
