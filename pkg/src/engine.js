// Drives the wasm core in the current thread: builds a WasmScribe from model bytes and runs one visit at
// a time, one 30-s window per step(), yielding to the event loop between steps so that cancel requests
// (a worker message, an AbortSignal) are seen. Used inside the Web Worker and, in Node, in-process.

import init, { WasmScribe } from '../wasm/bedside.js';
import { abortError, bedsideError } from './errors.js';

let wasmReady; // one instantiation per realm, shared by every scribe in it

function initWasm(wasmSource) {
  wasmReady ??= init({ module_or_path: wasmSource }).catch((e) => {
    wasmReady = undefined; // let a later call retry instead of remembering the failure
    throw e;
  });
  return wasmReady;
}

// setTimeout(0) is enough: a step takes seconds, so the few milliseconds it may add do not matter.
const yieldToEventLoop = () => new Promise((resolve) => setTimeout(resolve, 0));

export class Engine {
  #scribe;
  #queue = Promise.resolve();
  #disposed = false;

  constructor(scribe) {
    this.#scribe = scribe;
  }

  /** `files`: { asrName, weights, config, tokenizer, melFilters, vad, and optionally embedderWeights,
   * embedderConfig, embedderTokenizer, sections, lexicon } (Uint8Arrays). */
  static async create(files, wasmSource) {
    await initWasm(wasmSource);
    return new Engine(new WasmScribe(files));
  }

  get asrName() {
    return this.#scribe.asrName();
  }

  /**
   * audio: { bytes } (WAV/FLAC file) or { channels, sampleRate }.
   * Jobs run one after another: the core holds a single visit in progress.
   */
  run(audio, options, { shouldStop = () => false, onProgress } = {}) {
    const job = this.#queue.then(() => this.#run(audio, options, shouldStop, onProgress));
    this.#queue = job.catch(() => {});
    return job;
  }

  async #run(audio, options, shouldStop, onProgress) {
    const s = this.#checkOpen();
    if (shouldStop()) throw abortError();
    if (audio.bytes) s.beginBytes(audio.bytes, options);
    else s.beginPcm(audio.channels, audio.sampleRate, options);
    try {
      for (;;) {
        await yieldToEventLoop();
        this.#checkOpen();
        if (shouldStop()) throw abortError();
        const p = s.step();
        if (p.done) break;
        onProgress?.({ status: 'progress', stage: p.stage, processedSeconds: p.processedSeconds, totalSeconds: p.totalSeconds });
      }
      return s.finish();
    } catch (e) {
      s.cancel(); // safe even when disposed: free() is queued behind this job
      throw e;
    }
  }

  #checkOpen() {
    if (this.#disposed) throw bedsideError('CANCELLED', 'cancelled', 'the scribe was disposed');
    return this.#scribe;
  }

  /** Stops taking work and frees the wasm memory once the visit in progress has stopped. */
  dispose() {
    if (this.#disposed) return this.#queue;
    this.#disposed = true;
    this.#queue = this.#queue.then(() => this.#scribe.free());
    return this.#queue;
  }
}
