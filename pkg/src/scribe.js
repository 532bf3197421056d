// The object createScribe() resolves to: process() visits, then dispose().

import { abortError, bedsideError, throwIfAborted } from './errors.js';
import { canDecodeAudio } from './env.js';
import { decodeInPage, toAudio } from './input.js';

// Only the options the core understands cross into wasm (it rejects unknown ones as SETTINGS_INVALID).
function coreOptions({ note, template, patientPronouns, useLlm, vad, wordTimestamps, jobName, beamSize, channelDefinitions, maxSpeakerLabels, redact, vocabulary, vocabularyFilter, vocabularyFilterMethod }) {
  const o = {};
  if (vocabulary !== undefined) o.vocabulary = wordList('vocabulary', vocabulary);
  if (vocabularyFilter !== undefined) o.vocabularyFilter = wordList('vocabularyFilter', vocabularyFilter);
  if (vocabularyFilterMethod !== undefined) o.vocabularyFilterMethod = vocabularyFilterMethod;
  if (useLlm !== undefined) o.useLlm = useLlm;
  if (redact !== undefined) o.redact = redact;
  if (vad !== undefined) o.vad = vad;
  if (note !== undefined) o.note = note;
  if (template !== undefined) o.template = template;
  if (patientPronouns !== undefined) o.patientPronouns = patientPronouns;
  if (wordTimestamps !== undefined) o.wordTimestamps = wordTimestamps;
  if (jobName !== undefined) o.jobName = jobName;
  if (beamSize !== undefined) o.beamSize = beamSize;
  if (channelDefinitions !== undefined) o.channelDefinitions = channelDefinitions;
  if (maxSpeakerLabels !== undefined) o.maxSpeakerLabels = maxSpeakerLabels;
  return o;
}

// The core would refuse a non-list too, but with serde's wording; this names the option.
function wordList(name, value) {
  if (!Array.isArray(value) || !value.every((w) => typeof w === 'string')) {
    throw bedsideError('SETTINGS_INVALID', 'settings', `${name} must be an array of strings`);
  }
  return value;
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
   * Starts a visit that is still being recorded (a microphone, a call). `sampleRate` (Hz) and `channelCount`
   * (default 1) describe the audio `push` will hand over; the other options are process()'s. Returns
   * { push(channels), end(), result }: `push` takes the next piece (one Float32Array per channel, all the
   * same length; a Float32Array alone for one channel), `end()` says the recording is over and returns
   * `result`, which resolves to { transcript, documentation? }. Each Whisper window (30 s of speech) is
   * recognised once it waits, as in a whole recording, and its words come to `onProgress` as `heard`;
   * meanwhile the speech waiting is drafted every few seconds (`draft`, provisional lines that replace the
   * last ones; `drafts: false` turns them off). A push the core refuses (wrong channel count, NaN samples) rejects `result`.
   */
  live(options = {}) {
    const { sampleRate, channelCount = 1, drafts = true, signal, onProgress } = options;
    if (!this.#backend) throw bedsideError('CANCELLED', 'cancelled', 'the scribe was disposed');
    if (!(Number.isFinite(sampleRate) && sampleRate > 0)) {
      throw bedsideError('SETTINGS_INVALID', 'settings', `sampleRate must be a positive number of Hz, got ${sampleRate}`);
    }
    if (!(Number.isInteger(channelCount) && channelCount >= 1)) {
      throw bedsideError('SETTINGS_INVALID', 'settings', `channelCount must be a whole number from 1, got ${channelCount}`);
    }
    if (typeof drafts !== 'boolean') throw bedsideError('SETTINGS_INVALID', 'settings', `drafts must be true or false, got ${drafts}`);
    throwIfAborted(signal);
    const recording = this.#backend.live({ sampleRate, channelCount, drafts }, coreOptions(options), { signal, onProgress });
    recording.result.catch(() => {}); // a caller that only awaits end() must not see it as unhandled too
    let ended = false;
    return {
      push(channels) {
        if (ended) throw bedsideError('SETTINGS_INVALID', 'settings', 'push() after end()');
        const list = channels instanceof Float32Array ? [channels] : channels;
        if (!Array.isArray(list) || !list.every((c) => c instanceof Float32Array)) {
          throw bedsideError('INPUT_INVALID', 'input', 'push() takes a Float32Array, or an array of them (one per channel)');
        }
        recording.push(list.map((c) => c.slice())); // the caller may reuse its buffers (an audio callback does)
      },
      end() {
        ended = true;
        recording.end();
        return recording.result;
      },
      result: recording.result,
    };
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
    const { template, patientPronouns, useLlm, note, redact } = options;
    return this.#backend.noteFromText(text, coreOptions({ template, patientPronouns, useLlm, note, redact }), { signal, onProgress });
  }

  /** Frees the model and stops the worker. Calls in flight reject. */
  async dispose() {
    const backend = this.#backend;
    this.#backend = null;
    await backend?.dispose();
  }
}
