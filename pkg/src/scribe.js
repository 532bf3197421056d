// The object createScribe() resolves to: process() visits, then dispose().

import { abortError, bedsideError, throwIfAborted } from './errors.js';
import { canDecodeAudio } from './env.js';
import { decodeInPage, toAudio } from './input.js';

// Only the options the core understands cross into wasm (it rejects unknown ones as SETTINGS_INVALID).
function coreOptions({ note, template, useLlm, vad, wordTimestamps, jobName, beamSize, channelDefinitions, maxSpeakerLabels, redact }) {
  const o = {};
  if (useLlm !== undefined) o.useLlm = useLlm;
  if (redact !== undefined) o.redact = redact;
  if (vad !== undefined) o.vad = vad;
  if (note !== undefined) o.note = note;
  if (template !== undefined) o.template = template;
  if (wordTimestamps !== undefined) o.wordTimestamps = wordTimestamps;
  if (jobName !== undefined) o.jobName = jobName;
  if (beamSize !== undefined) o.beamSize = beamSize;
  if (channelDefinitions !== undefined) o.channelDefinitions = channelDefinitions;
  if (maxSpeakerLabels !== undefined) o.maxSpeakerLabels = maxSpeakerLabels;
  return o;
}

export class Scribe {
  #backend;

  constructor(backend) {
    this.#backend = backend;
    this.asr = backend.asrName;
    this.llm = backend.llmName ?? null;
  }

  /** Resolves to { transcript, documentation? } (HealthScribe's transcript and summary files as objects). */
  async process(input, options = {}) {
    const { signal, onProgress, sampleRate } = options;
    if (!this.#backend) throw bedsideError('CANCELLED', 'cancelled', 'the scribe was disposed');
    throwIfAborted(signal);
    const audio = await toAudio(input, sampleRate);
    throwIfAborted(signal);
    const run = (a) => this.#backend.process(a, coreOptions(options), { signal, onProgress });
    try {
      return await run(audio);
    } catch (e) {
      if (!(e?.code === 'AUDIO_INVALID' && audio.bytes && canDecodeAudio)) throw e;
      // Not WAV or FLAC: let the browser decode it (MediaRecorder's webm/opus, mp3, m4a).
      let pcm;
      try {
        pcm = await decodeInPage(audio.bytes);
      } catch {
        throw e; // the browser cannot read it either: the core's message says what was wrong
      }
      if (signal?.aborted) throw abortError();
      return run(pcm);
    }
  }

  /**
   * Writes the note of a visit already transcribed: `input` is a `[doctor]`/`[patient]` dialogue (one turn a
   * line), a HealthScribe transcript JSON as text, or a transcript object (e.g. one process() returned, after
   * edits). Resolves to { transcript, documentation? }.
   */
  async noteFromText(input, options = {}) {
    const { signal, onProgress } = options;
    if (!this.#backend) throw bedsideError('CANCELLED', 'cancelled', 'the scribe was disposed');
    throwIfAborted(signal);
    let text = input;
    if (input && typeof input === 'object') text = JSON.stringify(input);
    if (typeof text !== 'string') {
      throw bedsideError('INPUT_INVALID', 'input', 'expected dialogue text, transcript JSON text or a transcript object');
    }
    const { template, useLlm, note, redact } = options;
    return this.#backend.noteFromText(text, coreOptions({ template, useLlm, note, redact }), { signal, onProgress });
  }

  /** Frees the model and stops the worker. Calls in flight reject. */
  async dispose() {
    const backend = this.#backend;
    this.#backend = null;
    await backend?.dispose();
  }
}
