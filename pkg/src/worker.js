// The module Web Worker that owns the wasm core, so a long transcription never freezes the page.
// Messages in:  { id, type: 'load', files } | { id, type: 'process', audio, options, stopFlag? } |
//               { id, type: 'note', text, options, stopFlag? } | { id, type: 'cancel', target } |
//               { id, type: 'live', spec, options, stopFlag? }, then its audio: { id, type: 'push', target,
//               channels } ... { id, type: 'end', target } |
//               { id, type: 'dispose' }
// Messages out: { id, type: 'progress', progress } | { id, type: 'blocking' } | { id, type: 'result', value } |
//               { id, type: 'error', error } | { id, type: 'started' } (a live job has begun in the core)
// Every reply carries the id of the request it answers, so concurrent calls never cross.
// 'blocking' says the job entered the note, one synchronous wasm call during which this worker reads no
// messages: a cancel then reaches it only through `stopFlag` (an Int32Array on a SharedArrayBuffer, set to 1
// by the page), or the page terminates the worker.

import { Engine } from './engine.js';
import { bedsideError, toWire } from './errors.js';

const WASM_URL = new URL('../wasm/bedside_bg.wasm', import.meta.url);
let engine = null;
const cancelled = new Set();
const recordings = new Map(); // live job id -> { push, end }

const reply = (id, type, body) => self.postMessage({ id, type, ...body });

function jobHooks(id, stopFlag) {
  return {
    shouldStop: () => cancelled.has(id) || (stopFlag !== undefined && Atomics.load(stopFlag, 0) !== 0),
    onProgress: (progress) => reply(id, 'progress', { progress }),
    onBlocking: () => reply(id, 'blocking', {}),
    onStarted: () => reply(id, 'started', {}),
  };
}

async function handle({ id, type, ...msg }) {
  switch (type) {
    case 'load':
      engine = await Engine.create(msg.files, WASM_URL);
      return { asrName: engine.asrName, llmName: engine.llmName };
    case 'process':
    case 'note': {
      if (!engine) throw bedsideError('SETTINGS_INVALID', 'settings', `${type} before load`);
      try {
        const hooks = jobHooks(id, msg.stopFlag);
        return type === 'process'
          ? await engine.run(msg.audio, msg.options, hooks)
          : await engine.noteFromText(msg.text, msg.options, hooks);
      } finally {
        cancelled.delete(id);
      }
    }
    case 'live': {
      if (!engine) throw bedsideError('SETTINGS_INVALID', 'settings', 'live before load');
      // Registered before any await, so the 'push' messages right behind this one find it.
      const recording = engine.live(msg.spec, msg.options, jobHooks(id, msg.stopFlag));
      recordings.set(id, recording);
      try {
        return await recording.result;
      } finally {
        recordings.delete(id);
        cancelled.delete(id);
      }
    }
    case 'dispose':
      await engine?.dispose();
      engine = null;
      return null;
    default:
      throw bedsideError('SETTINGS_INVALID', 'settings', `unknown message type ${type}`);
  }
}

self.onmessage = ({ data }) => {
  // Cancels are handled at once (no reply): the running job sees the flag at its next step.
  if (data.type === 'cancel') {
    cancelled.add(data.target);
    return;
  }
  // A live recording's audio and its end go to the job (no reply); it may be busy recognising a block.
  if (data.type === 'push') {
    recordings.get(data.target)?.push(data.channels);
    return;
  }
  if (data.type === 'end') {
    recordings.get(data.target)?.end();
    return;
  }
  handle(data).then(
    (value) => reply(data.id, 'result', { value }),
    (err) => reply(data.id, 'error', { error: toWire(err) }),
  );
};
