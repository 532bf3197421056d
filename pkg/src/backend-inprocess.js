// Runs the core in the calling thread: Node (no page to freeze) or a browser with `worker: false`.

import { abortable } from './abortable.js';
import { Engine } from './engine.js';
import { isNode } from './env.js';

async function wasmSource() {
  const url = new URL('../wasm/bedside_bg.wasm', import.meta.url);
  if (!isNode) return url;
  // Node's fetch cannot read file: URLs, so hand the bytes over directly.
  const { readFile } = await import('node:fs/promises');
  return readFile(url);
}

export class InProcessBackend {
  #engine;

  constructor(engine) {
    this.#engine = engine;
    this.asrName = engine.asrName;
  }

  static async create(files) {
    return new InProcessBackend(await Engine.create(files, await wasmSource()));
  }

  process(audio, options, { signal, onProgress } = {}) {
    let stop = false;
    const job = this.#engine.run(audio, options, { shouldStop: () => stop, onProgress });
    return abortable(job, signal, () => { stop = true; });
  }

  dispose() {
    return this.#engine.dispose();
  }
}
