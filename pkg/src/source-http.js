// Model files over HTTP(S): streamed with progress, verified, and kept in the Cache API so a returning
// visitor loads offline. A cached copy is verified again on every load; a bad one is dropped and fetched anew.

import { abortError, bedsideError } from './errors.js';
import { verifyFile } from './verify.js';

export const CACHE_NAME = 'bedside-models-v1';

function wrapFetchError(e, url, signal) {
  if (signal?.aborted || e?.name === 'AbortError') return abortError();
  return bedsideError('MODEL_INVALID', 'load', `could not download ${url}: ${e?.message ?? e}`);
}

async function get(url, signal) {
  let res;
  try {
    res = await fetch(url, { signal });
  } catch (e) {
    throw wrapFetchError(e, url, signal);
  }
  if (!res.ok) throw bedsideError('MODEL_INVALID', 'load', `could not download ${url}: HTTP ${res.status}`);
  return res;
}

// Reads the body into one buffer of the size the manifest promises, reporting bytes as they arrive. A file
// the manifest does not list (no size) is gathered in chunks, its total taken from Content-Length if sent.
async function download(url, file, signal, onBytes) {
  const res = await get(url, signal);
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  if (file.size === undefined) return gather(res, url, signal, onBytes);
  const out = new Uint8Array(file.size);
  const reader = res.body.getReader();
  let loaded = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (loaded + value.byteLength > out.byteLength) {
        throw bedsideError('MODEL_CHECKSUM', 'load',
          `model file ${file.id} (${file.path}) is larger than the ${file.size} bytes the manifest lists`);
      }
      out.set(value, loaded);
      loaded += value.byteLength;
      onBytes(loaded);
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    throw e?.name === 'BedsideError' ? e : wrapFetchError(e, url, signal);
  }
  return loaded === out.byteLength ? out : out.subarray(0, loaded);
}

async function gather(res, url, signal, onBytes) {
  const total = Number(res.headers.get('content-length')) || undefined;
  const chunks = [];
  const reader = res.body.getReader();
  let loaded = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.byteLength;
      onBytes(loaded, false, total);
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    throw wrapFetchError(e, url, signal);
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

async function openCache(enabled) {
  if (!enabled || typeof caches === 'undefined') return null;
  try {
    return await caches.open(CACHE_NAME);
  } catch {
    return null; // e.g. storage blocked in a private window: carry on without a cache
  }
}

async function fromCache(cache, url, file) {
  const hit = await cache.match(url).catch(() => undefined);
  if (!hit) return null;
  const bytes = new Uint8Array(await hit.arrayBuffer());
  try {
    await verifyFile(file, bytes);
    return bytes;
  } catch {
    await cache.delete(url).catch(() => {});
    return null;
  }
}

/** `base`: absolute URL of the folder holding manifest.json (paths may also be absolute URLs). */
export async function httpSource(base, { cache: useCache = true } = {}) {
  const cache = await openCache(useCache);
  const urlOf = (path) => new URL(path, base).href;
  return {
    http: true,
    async text(path, signal) {
      const url = urlOf(path);
      const res = await get(url, signal);
      try {
        return await res.text();
      } catch (e) {
        throw wrapFetchError(e, url, signal);
      }
    },
    async file(file, { signal, onBytes }) {
      const url = urlOf(file.path);
      if (cache) {
        const hit = await fromCache(cache, url, file);
        if (signal?.aborted) throw abortError();
        if (hit) {
          onBytes(hit.byteLength, true, hit.byteLength);
          return hit;
        }
      }
      const bytes = await download(url, file, signal, onBytes);
      await verifyFile(file, bytes);
      // Storing can fail (quota); the bytes are good, so the load goes on regardless.
      if (cache) await cache.put(url, new Response(bytes)).catch(() => {});
      return bytes;
    },
  };
}
