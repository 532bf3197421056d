// Checks a model file is byte for byte the one the manifest lists, before any of it reaches the model
// loader: a truncated download or a stale cache entry must fail here with a clear message, not later.

import { bedsideError } from './errors.js';

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256Hex(bytes) {
  return hex(await globalThis.crypto.subtle.digest('SHA-256', bytes));
}

/** Resolves when `bytes` match `file.size` and `file.sha256`; rejects with MODEL_CHECKSUM otherwise. */
export async function verifyFile(file, bytes) {
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
