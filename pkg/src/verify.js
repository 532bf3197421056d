// Checks a model file is byte for byte the one the manifest lists, before any of it reaches the model
// loader: a truncated download or a stale cache entry must fail here with a clear message, not later.

import { bedsideError } from './errors.js';

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256Hex(bytes) {
  return hex(await globalThis.crypto.subtle.digest('SHA-256', bytes));
}

const GGUF_MAGIC = [0x47, 0x47, 0x55, 0x46]; // "GGUF"

/**
 * Resolves when `bytes` match `file.size` and `file.sha256`; rejects with MODEL_CHECKSUM otherwise. A file
 * the manifest does not list (a GGUF the integrator hosts: no size, no checksum) is only checked to be a
 * GGUF, with MODEL_INVALID.
 */
export async function verifyFile(file, bytes) {
  if (file.sha256 === undefined) {
    if (!GGUF_MAGIC.every((b, i) => bytes[i] === b)) {
      throw bedsideError('MODEL_INVALID', 'load', `${file.path} is not a GGUF file`);
    }
    return;
  }
  if (bytes.byteLength !== file.size) {
    throw bedsideError('MODEL_CHECKSUM', 'load',
      `model file ${file.id} (${file.path}) has ${bytes.byteLength} bytes, expected ${file.size}`);
  }
  const actual = await sha256Hex(bytes);
  if (actual !== file.sha256) {
    throw bedsideError('MODEL_CHECKSUM', 'load',
      `model file ${file.id} (${file.path}) has sha256 ${actual}, expected ${file.sha256}`);
  }
}
