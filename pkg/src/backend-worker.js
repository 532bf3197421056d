// Main-thread side of the worker: request/response over postMessage, matched by id.

import { abortable } from './abortable.js';
import { bedsideError, fromWire } from './errors.js';

export class WorkerBackend {
  #worker;
  #pending = new Map(); // id -> { resolve, reject, onProgress }
  #nextId = 1;

  constructor(worker) {
    this.#worker = worker;
    worker.onmessage = ({ data }) => this.#receive(data);
    // A worker that fails to start or crashes would otherwise leave every caller waiting forever.
    worker.onerror = (event) => {
      event.preventDefault?.();
      this.#failAll(bedsideError('RUNTIME', 'worker', `the Bedside worker failed: ${event.message ?? 'unknown error'}`));
    };
    worker.onmessageerror = () => this.#failAll(bedsideError('RUNTIME', 'worker', 'a worker message could not be read'));
  }

  static async create(files, signal) {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'bedside' });
    const backend = new WorkerBackend(worker);
    // Model buffers are ours (fresh downloads), so hand them over instead of copying ~100 MB.
    const transfer = [...new Set(Object.values(files).filter(ArrayBuffer.isView).map((v) => v.buffer))];
    try {
      const { asrName } = await backend.#call('load', { files }, { signal, transfer });
      backend.asrName = asrName;
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
    this.#pending.delete(id);
    if (type === 'result') p.resolve(msg.value);
    else p.reject(fromWire(msg.error));
  }

  #failAll(err) {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }

  #call(type, body, { signal, onProgress, transfer = [] } = {}) {
    if (!this.#worker) return Promise.reject(bedsideError('CANCELLED', 'cancelled', 'the scribe was disposed'));
    const id = this.#nextId++;
    const done = new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, onProgress });
      this.#worker.postMessage({ id, type, ...body }, transfer);
    });
    return abortable(done, signal, () => {
      this.#pending.delete(id);
      this.#worker?.postMessage({ id: this.#nextId++, type: 'cancel', target: id });
    });
  }

  process(audio, options, { signal, onProgress } = {}) {
    return this.#call('process', { audio, options }, { signal, onProgress });
  }

  async dispose() {
    if (!this.#worker) return;
    try {
      await this.#call('dispose', {});
    } finally {
      this.#worker.terminate();
      this.#worker = null;
      this.#failAll(bedsideError('CANCELLED', 'cancelled', 'the scribe was disposed'));
    }
  }
}
