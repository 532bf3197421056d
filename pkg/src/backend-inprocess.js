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
    this.llmName = engine.llmName;
  }

  static async create(files) {
    return new InProcessBackend(await Engine.create(files, await wasmSource()));
  }

  // An abort during the note is seen by the note callback (the signal's listener runs synchronously, e.g.
  // when onProgress itself aborts), which then stops the core.
  #job(start, signal) {
    let stop = false;
    return abortable(start(() => stop), signal, () => { stop = true; });
  }

  process(audio, options, { signal, onProgress } = {}) {
    return this.#job((shouldStop) => this.#engine.run(audio, options, { shouldStop, onProgress }), signal);
  }

  noteFromText(text, options, { signal, onProgress } = {}) {
    return this.#job((shouldStop) => this.#engine.noteFromText(text, options, { shouldStop, onProgress }), signal);
  }

  live(spec, options, { signal, onProgress } = {}) {
    let stop = false;
    const recording = this.#engine.live(spec, options, { shouldStop: () => stop, onProgress });
    return { ...recording, result: abortable(recording.result, signal, () => { stop = true; }) };
  }

  dispose() {
    return this.#engine.dispose();
  }
}
