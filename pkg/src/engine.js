// Drives the wasm core in the current thread: builds a WasmScribe from model bytes and runs one visit at
// a time, one 30-s window per step(), yielding to the event loop between steps so that cancel requests
// (a worker message, an AbortSignal) are seen. Used inside the Web Worker and, in Node, in-process.
// The note is written inside one synchronous wasm call (finish / noteFromText); it reports sentences and
// model tokens through a callback, which also asks `shouldStop()` so that a cancel can end it mid-way.

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

// While a live recording waits for audio, a cancel is looked for this often.
const IDLE_CHECK_MS = 200;

/**
 * The audio of a visit still being recorded, between the caller (push, end) and the job that feeds it to
 * the core between steps. Pieces wait here while a step runs; `ready()` wakes the job when one comes.
 */
class LiveFeed {
  pieces = [];
  ended = false;
  closed = false; // the job is over: later pushes go nowhere
  #wake = null;

  push(channels) {
    if (this.ended || this.closed) return;
    this.pieces.push(channels);
    this.#wake?.();
  }

  end() {
    this.ended = true;
    this.#wake?.();
  }

  /** Resolves when audio comes or the recording ends, or after IDLE_CHECK_MS (to look for a cancel). */
  ready() {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), IDLE_CHECK_MS);
      const done = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
      this.#wake = done;
    });
  }
}

/**
 * The core's note callback: `{ stage: 'note', sentencesWritten, sentences }`, `{ token }` and
 * `{ sentence, section, byModel }` become the package's `{ status: 'progress', stage: 'note', … }`,
 * `{ status: 'token', stage: 'note', text }` and `{ status: 'sentence', stage: 'note', section, text, byModel }`;
 * returning false stops the note (the core then throws CANCELLED). Announces the note's start first.
 * An error thrown by `onProgress` stops the note too and is what the call rejects with.
 */
function noteProgress(options, shouldStop, onProgress) {
  if (options?.note !== false) onProgress?.({ status: 'progress', stage: 'note', sentencesWritten: 0 });
  const callback = (e) => {
    try {
      if (e.token !== undefined) onProgress?.({ status: 'token', stage: 'note', text: e.token });
      else if (e.sentence !== undefined) {
        onProgress?.({ status: 'sentence', stage: 'note', section: e.section, text: e.sentence, byModel: e.byModel === true });
      } else onProgress?.({ status: 'progress', stage: e.stage, sentencesWritten: e.sentencesWritten, sentences: e.sentences });
    } catch (err) {
      callback.error = err;
      return false;
    }
    return !shouldStop();
  };
  return callback;
}

// A note stopped through the callback surfaces as an AbortError, like every other cancel.
function noteCall(call, callback, shouldStop) {
  try {
    return call(callback);
  } catch (e) {
    if (callback.error) throw callback.error;
    if (e?.code === 'CANCELLED' && shouldStop()) throw abortError();
    throw e;
  }
}

export class Engine {
  #scribe;
  #queue = Promise.resolve();
  #disposed = false;

  constructor(scribe, llmName) {
    this.#scribe = scribe;
    this.llmName = llmName;
  }

  /** `files`: { asrName, weights, config, tokenizer, melFilters, vad, and optionally embedderWeights,
   * embedderConfig, embedderTokenizer, sections, lexicon, and llm (a GGUF) with llmName } (Uint8Arrays). */
  static async create(files, wasmSource) {
    await initWasm(wasmSource);
    return new Engine(new WasmScribe(files), files.llm ? files.llmName ?? 'llm' : null);
  }

  get asrName() {
    return this.#scribe.asrName();
  }

  /**
   * Reads a transcript given as text (a `[doctor]`/`[patient]` dialogue or a HealthScribe transcript JSON)
   * and writes its note. Queued like run().
   */
  noteFromText(text, options, { shouldStop = () => false, onProgress, onBlocking } = {}) {
    const job = this.#queue.then(() => {
      const s = this.#checkOpen();
      if (shouldStop()) throw abortError();
      onBlocking?.();
      return noteCall((cb) => s.noteFromText(text, options, cb), noteProgress(options, shouldStop, onProgress), shouldStop);
    });
    this.#queue = job.catch(() => {});
    return job;
  }

  /**
   * audio: { bytes } (WAV/FLAC file) or { channels, sampleRate }.
   * Jobs run one after another: the core holds a single visit in progress.
   */
  run(audio, options, { shouldStop = () => false, onProgress, onBlocking } = {}) {
    const job = this.#queue.then(() => this.#run(audio, options, shouldStop, onProgress, onBlocking));
    this.#queue = job.catch(() => {});
    return job;
  }

  async #run(audio, options, shouldStop, onProgress, onBlocking) {
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
        onProgress?.({ status: 'progress', stage: p.stage, processedSeconds: p.processedSeconds, totalSeconds: p.totalSeconds, heard: p.heard ?? [] });
      }
      onBlocking?.();
      return noteCall((cb) => s.finish(cb), noteProgress(options, shouldStop, onProgress), shouldStop);
    } catch (e) {
      s.cancel(); // safe even when disposed: free() is queued behind this job
      throw e;
    }
  }

  /**
   * A visit still being recorded: `spec` is { sampleRate, channelCount }. Returns { push(channels), end(),
   * result }: push hands over the next piece (one Float32Array per channel), end says the recording is
   * over, and `result` resolves to { transcript, documentation? } once the rest is recognised and the note
   * written. Each window (30 s of speech) is recognised once it waits, its words reported as progress.
   * Queued like run(): it holds the core from its start until its result.
   */
  live(spec, options, { shouldStop = () => false, onProgress, onBlocking, onStarted } = {}) {
    const feed = new LiveFeed();
    const job = this.#queue.then(() => this.#live(spec, options, feed, { shouldStop, onProgress, onBlocking, onStarted }));
    job.finally(() => { feed.closed = true; }).catch(() => {});
    this.#queue = job.catch(() => {});
    return { push: (channels) => feed.push(channels), end: () => feed.end(), result: job };
  }

  async #live(spec, options, feed, { shouldStop, onProgress, onBlocking, onStarted }) {
    const s = this.#checkOpen();
    if (shouldStop()) throw abortError();
    s.beginLive(spec.channelCount, spec.sampleRate, options);
    onStarted?.();
    let endSent = false;
    try {
      for (;;) {
        await yieldToEventLoop();
        this.#checkOpen();
        if (shouldStop()) throw abortError();
        while (feed.pieces.length) s.pushPcm(feed.pieces.shift());
        if (feed.ended && !endSent) {
          s.endLive();
          endSent = true;
        }
        const p = s.step();
        if (p.done) break;
        if (p.waiting) {
          if (feed.pieces.length || feed.ended) continue;
          // Nothing to recognise for good until more speech comes: draft what waits, if enough is new.
          const d = spec.drafts === false ? null : s.draft();
          if (d) onProgress?.({ status: 'progress', stage: 'transcribe', processedSeconds: d.processedSeconds, totalSeconds: d.totalSeconds, heard: [], draft: d.draft });
          else await feed.ready();
          continue;
        }
        onProgress?.({ status: 'progress', stage: p.stage, processedSeconds: p.processedSeconds, totalSeconds: p.totalSeconds, heard: p.heard ?? [], draft: p.draft ?? [] });
      }
      onBlocking?.();
      return noteCall((cb) => s.finish(cb), noteProgress(options, shouldStop, onProgress), shouldStop);
    } catch (e) {
      s.cancel();
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
