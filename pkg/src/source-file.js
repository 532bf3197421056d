// Model files from a local folder (Node only): the same verification as downloads, no cache needed.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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

/** `dir`: folder holding manifest.json and the model files. */
export function fileSource(dir) {
  return {
    async text(path, signal) {
      return new TextDecoder().decode(await read(join(dir, path), signal));
    },
    async file(file, { signal, onBytes }) {
      const bytes = await read(join(dir, file.path), signal);
      onBytes(bytes.byteLength);
      await verifyFile(file, bytes);
      return bytes;
    },
  };
}
