// Turns what a caller hands to process() into what the core takes: file bytes, or decoded channels.

import { bedsideError } from './errors.js';

const invalid = (message) => bedsideError('INPUT_INVALID', 'input', message);

/** Resolves to { bytes: Uint8Array } or { channels: Float32Array[], sampleRate }. */
export async function toAudio(input, sampleRate) {
  if (Array.isArray(input) || input instanceof Float32Array) {
    const channels = Array.isArray(input) ? input : [input];
    if (channels.length === 0 || !channels.every((c) => c instanceof Float32Array)) {
      throw invalid('PCM input must be an array of Float32Array channels');
    }
    if (!(Number.isFinite(sampleRate) && sampleRate > 0)) {
      throw invalid('PCM input needs options.sampleRate (in Hz)');
    }
    return { channels, sampleRate };
  }
  if (typeof Blob !== 'undefined' && input instanceof Blob) return { bytes: new Uint8Array(await input.arrayBuffer()) };
  if (input instanceof ArrayBuffer) return { bytes: new Uint8Array(input) };
  if (ArrayBuffer.isView(input)) return { bytes: new Uint8Array(input.buffer, input.byteOffset, input.byteLength) };
  throw invalid('expected a File, Blob, ArrayBuffer, Uint8Array or Float32Array[] (with options.sampleRate)');
}

// The rate the core works at; decoding straight to it spares a second resampling in wasm.
const DECODE_RATE_HZ = 16000;

/** Decodes any format the browser knows (webm/opus, mp3, m4a...) on the page's thread. */
export async function decodeInPage(bytes) {
  const ctx = new OfflineAudioContext(1, 1, DECODE_RATE_HZ);
  // decodeAudioData detaches the buffer it is given: pass a copy so the caller's bytes stay usable.
  const buffer = await ctx.decodeAudioData(bytes.slice().buffer);
  const channels = Array.from({ length: buffer.numberOfChannels }, (_, i) => buffer.getChannelData(i));
  return { channels, sampleRate: buffer.sampleRate };
}
