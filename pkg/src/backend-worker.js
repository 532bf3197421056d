// Main-thread side of the worker: request/response over postMessage, matched by id.
//
// Cancelling: between 30-s windows the worker reads a 'cancel' message. While it writes the note (one
// synchronous wasm call, announced by a 'blocking' message) it reads none, so each job also carries a stop
// flag in a SharedArrayBuffer when the page is cross-origin isolated; the note's callback reads it after every
// token. Without one, aborting a language-model note terminates the worker and starts a fresh one from the
// model files again (from the cache), re-sending the calls that were queued behind the cancelled one.

import { abortable } from './abortable.js';
import { bedsideError, fromWire } from './errors.js';

const canShareFlag = () => globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';

// Model buffers are ours (fresh downloads), so hand them over instead of copying hundreds of MB.
const transferOf = (files) => [...new Set(Object.values(files).filter(ArrayBuffer.isView).map((v) => v.buffer))];

export class WorkerBackend {
  #worker = null;
  #pending = new Map(); // id -> { resolve, reject, onProgress, message, blocking }
  #nextId = 1;
  #reload; // () => Promise<files>: the model files again, for a fresh worker
  #restarting = null; // Promise while a fresh worker loads
  #broken = null; // the error a failed restart left

  constructor(reload) {
    this.#reload = reload;
  }

  #spawn() {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'bedside' });
    worker.onmessage = ({ data }) => { if (worker === this.#worker) this.#receive(data); };
    // A worker that fails to start or crashes would otherwise leave every caller waiting forever.
    worker.onerror = (event) => {
      event.preventDefault?.();
      if (worker === this.#worker) {
        this.#failAll(bedsideError('RUNTIME', 'worker', `the Bedside worker failed: ${event.message ?? 'unknown error'}`));
      }
    };
    worker.onmessageerror = () => {
      if (worker === this.#worker) this.#failAll(bedsideError('RUNTIME', 'worker', 'a worker message could not be read'));
    };
    this.#worker = worker;
    return worker;
  }

  /** `reload`: resolves to the same model files again (used only to restart after an abort mid-note). */
  static async create(files, signal, reload) {
    const backend = new WorkerBackend(reload);
    const worker = backend.#spawn();
    try {
      const { asrName, llmName } = await backend.#call('load', { files }, { signal, transfer: transferOf(files) });
      backend.asrName = asrName;
      backend.llmName = llmName;
      return backend;
    } catch (e) {
      worker.terminate();
      throw e;
    }
  }

  #receive({ id, type, ...msg }) {
    const p = this.#pending.get(id);
    if (!p) return; // a reply to a call already aborted
    if (type === 'progress') {
      p.onProgress?.(msg.progress);
      return;
    }
    if (type === 'blocking') {
      p.blocking = true;
      return;
    }
    if (type === 'started') {
      p.follow = null; // the worker has the job and its audio: no restart will need them again
      return;
    }
    this.#pending.delete(id);
    if (type === 'result') p.resolve(msg.value);
    else p.reject(fromWire(msg.error));
  }

  #failAll(err) {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }

  #call(type, body, { signal, onProgress, transfer = [] } = {}, id = this.#nextId++) {
    if (this.#broken) return Promise.reject(this.#broken);
    if (!this.#worker) return Promise.reject(bedsideError('CANCELLED', 'cancelled', 'the scribe was disposed'));
    const stopFlag = (type === 'process' || type === 'note' || type === 'live') && canShareFlag()
      ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
    const message = { id, type, ...body, ...(stopFlag && { stopFlag }) };
    const done = new Promise((resolve, reject) => {
      // `follow`: messages for this job sent after it (a live recording's audio), re-sent with it after a
      // restart; kept only until the worker says the job has started, so an hour's audio is not held twice.
      this.#pending.set(id, { resolve, reject, onProgress, message, follow: [], blocking: false });
      if (!this.#restarting) this.#worker.postMessage(message, transfer); // else sent once the fresh worker is ready
    });
    return abortable(done, signal, () => {
      const entry = this.#pending.get(id);
      this.#pending.delete(id);
      if (stopFlag) Atomics.store(stopFlag, 0, 1);
      if (entry?.blocking && !stopFlag && this.llmName && this.#reload) this.#restart();
      else this.#worker?.postMessage({ id: this.#nextId++, type: 'cancel', target: id });
    });
  }

  // Terminates a worker stuck in a note nobody wants any more and loads a fresh one.
  #restart() {
    this.#worker.terminate();
    const worker = this.#spawn();
    const ready = (async () => {
      const files = await this.#reload();
      await new Promise((resolve, reject) => {
        const id = this.#nextId++;
        this.#pending.set(id, { resolve, reject, message: null, follow: [], blocking: false });
        worker.postMessage({ id, type: 'load', files }, transferOf(files));
      });
    })();
    this.#restarting = ready;
    ready.then(
      () => {
        if (this.#worker !== worker || this.#restarting !== ready) return;
        this.#restarting = null;
        for (const p of this.#pending.values()) {
          if (!p.message) continue;
          worker.postMessage(p.message);
          for (const m of p.follow ?? []) worker.postMessage(m);
        }
      },
      (err) => {
        if (this.#worker !== worker) return;
        this.#restarting = null;
        this.#broken = err;
        worker.terminate();
        this.#worker = null;
        this.#failAll(err);
      },
    );
  }

  process(audio, options, { signal, onProgress } = {}) {
    return this.#call('process', { audio, options }, { signal, onProgress });
  }

  noteFromText(text, options, { signal, onProgress } = {}) {
    return this.#call('note', { text, options }, { signal, onProgress });
  }

  /** A visit still being recorded; its audio follows the job's message as 'push' messages, then 'end'. */
  live(spec, options, { signal, onProgress } = {}) {
    const id = this.#nextId++;
    const result = this.#call('live', { spec, options }, { signal, onProgress }, id);
    const send = (message) => {
      const entry = this.#pending.get(id);
      if (!entry) return; // the job is over (finished, failed or aborted)
      entry.follow?.push(message);
      if (!this.#restarting) this.#worker.postMessage(message);
    };
    return {
      push: (channels) => send({ id: this.#nextId++, type: 'push', target: id, channels }),
      end: () => send({ id: this.#nextId++, type: 'end', target: id }),
      result,
    };
  }

  async dispose() {
    if (!this.#worker) return;
    try {
      if (!this.#restarting) await this.#call('dispose', {});
    } finally {
      this.#worker?.terminate();
      this.#worker = null;
      this.#restarting = null;
      this.#failAll(bedsideError('CANCELLED', 'cancelled', 'the scribe was disposed'));
    }
  }
}
