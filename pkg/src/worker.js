// The module Web Worker that owns the wasm core, so a long transcription never freezes the page.
// Messages in:  { id, type: 'load', files } | { id, type: 'process', audio, options } |
//               { id, type: 'cancel', target } | { id, type: 'dispose' }
// Messages out: { id, type: 'progress', progress } | { id, type: 'result', value } | { id, type: 'error', error }
// Every reply carries the id of the request it answers, so concurrent calls never cross.

import { Engine } from './engine.js';
import { bedsideError, toWire } from './errors.js';

const WASM_URL = new URL('../wasm/bedside_bg.wasm', import.meta.url);
let engine = null;
const cancelled = new Set();

const reply = (id, type, body) => self.postMessage({ id, type, ...body });

async function handle({ id, type, ...msg }) {
  switch (type) {
    case 'load':
      engine = await Engine.create(msg.files, WASM_URL);
      return { asrName: engine.asrName };
    case 'process': {
      if (!engine) throw bedsideError('SETTINGS_INVALID', 'settings', 'process before load');
      try {
        return await engine.run(msg.audio, msg.options, {
          shouldStop: () => cancelled.has(id),
          onProgress: (progress) => reply(id, 'progress', { progress }),
        });
      } finally {
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
  handle(data).then(
    (value) => reply(data.id, 'result', { value }),
    (err) => reply(data.id, 'error', { error: toWire(err) }),
  );
};
