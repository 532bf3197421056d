#!/usr/bin/env node
// The Node command line, built on the wasm package and behaving like the native `bedside process` and
// `bedside note`: reads the models from a folder, verifies them, writes DIR/transcript.json, DIR/summary.json
// and DIR/note.txt (each to a temporary name, renamed once all are ready), and exits 1 with
// `bedside: error [CODE]: message` on any failure (leaving no output file behind). Logs carry counts and
// timings only, never transcript or note text.

import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createScribe } from '../index.js';
import { noteText } from '../src/note-text.js';

const USAGE = `usage: bedside process AUDIO --out DIR [--asr NAME] [--models DIR] [--no-vad] [--no-word-timestamps]
                       [--beam-size N] [--channels ROLE,ROLE | --max-speakers N] [--redact] [--no-clinical]
                       [--vocabulary FILE] [--vocabulary-filter FILE [--vocabulary-filter-method mask|remove|tag]]
                       [--llm NAME|URL|none] [--template NAME] [--patient-pronouns P] [--no-note]
       bedside note TRANSCRIPT --out DIR [--models DIR] [--redact] [--llm NAME|URL|none] [--template NAME]
                       [--patient-pronouns P] [--no-note]

  AUDIO                 the recording (WAV or FLAC)
  TRANSCRIPT            a visit already transcribed: a [doctor]/[patient] dialogue, one turn a line, or a
                        HealthScribe transcript JSON (e.g. a transcript.json written earlier, then edited);
                        it gets sections and clinical entities, then the note
  --out DIR             output folder; DIR/transcript.json, DIR/summary.json and DIR/note.txt are written
  --asr NAME            speech model by manifest name (default: the manifest's default)
  --models DIR          folder holding manifest.json and the model files (default: models)
  --no-vad              decode every window, even where no speech is heard
  --no-word-timestamps  skip word timestamps (faster)
  --beam-size N         beams searched per window (default 5; 1 is greedy and faster)
  --channels R0,R1      channel identification: the role on each channel, e.g. clinician,patient
  --max-speakers N      one mixed channel: the most speakers to tell apart (2-10, default 4)
  --redact              replace protected health information with [TYPE] in every output
  --no-clinical         skip sections and clinical entities (does not load their models)
  --vocabulary FILE     words and phrases to favour (drug brands, names), one per line; # starts a comment
  --vocabulary-filter FILE
                        words to filter out of the transcript, one per line
  --vocabulary-filter-method mask|remove|tag
                        what the filter does: *** (default), take the word out, or keep it and mark its item
  --llm NAME|URL|none   note-writing language model by manifest name (smollm2-135m, qwen2.5-coder-0.5b,
                        qwen2.5-coder-1.5b), the path or URL of a GGUF, or none for a note built from the
                        evidence by rules (default: none)
  --template NAME       note template: HISTORY_AND_PHYSICAL (default), PHYSICAL_SOAP, BEHAVIORAL_SOAP, DAP,
                        BIRP, SIRP, GIRPP
  --patient-pronouns P  the patient's pronouns for the note: HE_HIM, SHE_HER or THEY_THEM (default: guessed
                        from how the clinician speaks of the patient)
  --no-note             write no note (transcript.json only)`;

class UsageError extends Error {}

function parse(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        asr: { type: 'string' },
        models: { type: 'string', default: 'models' },
        'no-vad': { type: 'boolean', default: false },
        'no-word-timestamps': { type: 'boolean', default: false },
        'beam-size': { type: 'string' },
        channels: { type: 'string' },
        'max-speakers': { type: 'string' },
        redact: { type: 'boolean', default: false },
        'no-clinical': { type: 'boolean', default: false },
        vocabulary: { type: 'string' },
        'vocabulary-filter': { type: 'string' },
        'vocabulary-filter-method': { type: 'string' },
        llm: { type: 'string', default: 'none' },
        template: { type: 'string' },
        'patient-pronouns': { type: 'string' },
        'no-note': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError(e.message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  const [command, input, ...extra] = positionals;
  if (command !== 'process' && command !== 'note') throw new UsageError(command ? `unknown command "${command}"` : 'missing command');
  const what = command === 'process' ? 'AUDIO' : 'TRANSCRIPT';
  if (!input || extra.length) throw new UsageError(`expected exactly one ${what} file`);
  if (!values.out) throw new UsageError('--out DIR is required');
  if (values.redact && values['no-clinical']) throw new UsageError('--redact needs the clinical files that --no-clinical leaves out');
  if (command === 'note') {
    const audioOnly = ['asr', 'no-vad', 'no-word-timestamps', 'beam-size', 'channels', 'max-speakers', 'no-clinical',
      'vocabulary', 'vocabulary-filter', 'vocabulary-filter-method'];
    const given = audioOnly.filter((k) => values[k] !== undefined && values[k] !== false);
    if (given.length) throw new UsageError(`--${given[0]} is for process (audio), not note`);
  }
  if (values['vocabulary-filter-method'] && !values['vocabulary-filter']) {
    throw new UsageError('--vocabulary-filter-method needs --vocabulary-filter FILE');
  }
  return { command, input, ...values };
}

// A word list file as the native CLI reads it: one entry per line, blank lines and # comment lines skipped.
async function wordList(path) {
  const text = await readFile(path, 'utf8').catch((e) => { throw ioError('read', path, e); });
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

function ioError(action, path, e) {
  return Object.assign(new Error(`could not ${action} ${path}: ${e.message}`), { code: 'IO' });
}

// Every file is written under a temporary name first and renamed only once all of them are written, so a
// reader never sees half a file and a failure leaves nothing behind. `files`: [[name, text], …].
async function writeAllAtomically(dir, files) {
  await mkdir(dir, { recursive: true }).catch((e) => { throw ioError('create', dir, e); });
  const staged = files.map(([name, text]) => ({ path: join(dir, name), tmp: join(dir, `.${name}.${process.pid}.partial`), text }));
  let current;
  try {
    for (const f of staged) {
      current = f;
      await writeFile(f.tmp, f.text);
    }
    for (const f of staged) {
      current = f;
      await rename(f.tmp, f.path);
    }
  } catch (e) {
    await Promise.all(staged.map((f) => rm(f.tmp, { force: true })));
    throw ioError('write', current.path, e);
  }
}

// The note's progress on stderr: counts only (its sentences and the model's tokens are patient data).
function noteProgress({ status, sentencesWritten, sentences }) {
  if (status !== 'progress') return;
  process.stderr.write(sentences === undefined ? '\rnote: planning…   ' : `\rnote: ${sentencesWritten}/${sentences} sentences   `);
}

async function processCommand(args, signal) {
  const bytes = await readFile(args.input).catch((e) => { throw ioError('read', args.input, e); });
  const words = {};
  if (args.vocabulary) words.vocabulary = await wordList(args.vocabulary);
  if (args['vocabulary-filter']) words.vocabularyFilter = await wordList(args['vocabulary-filter']);
  if (args['vocabulary-filter-method']) words.vocabularyFilterMethod = args['vocabulary-filter-method'];
  const t0 = performance.now();
  const writeNote = !args['no-note'];
  const scribe = await createScribe({
    modelBase: args.models, asr: args.asr, signal, clinical: !args['no-clinical'],
    llm: writeNote ? args.llm : 'none', // no note, no language model to load
  });
  const loadS = (performance.now() - t0) / 1000;
  try {
    const t1 = performance.now();
    let audioS = 0;
    let noteStarted = 0;
    const { transcript, documentation } = await scribe.process(bytes, {
      signal,
      vad: !args['no-vad'],
      wordTimestamps: !args['no-word-timestamps'],
      redact: args.redact,
      jobName: basename(args.input, extname(args.input)),
      ...(args['beam-size'] ? { beamSize: Number(args['beam-size']) } : {}),
      ...(args.channels ? { channelDefinitions: args.channels.split(',').map((role, channelId) => ({ channelId, participantRole: role.trim().toUpperCase() })) } : {}),
      ...(args['max-speakers'] ? { maxSpeakerLabels: Number(args['max-speakers']) } : {}),
      ...words,
      ...noteSettings(args, writeNote),
      onProgress: (e) => {
        if (e.stage === 'note') {
          noteStarted ||= performance.now();
          noteProgress(e);
          return;
        }
        audioS = e.totalSeconds;
        process.stderr.write(`\r${e.stage}: ${e.processedSeconds.toFixed(0)}/${e.totalSeconds.toFixed(0)} s   `);
      },
    });
    const done = performance.now();
    const secs = ((noteStarted || done) - t1) / 1000;
    process.stderr.write(`\rloaded models in ${loadS.toFixed(2)} s; transcribed ${audioS.toFixed(1)} s of audio in ` +
      `${secs.toFixed(2)} s (RTF ${(secs / Math.max(audioS, 1e-9)).toFixed(3)})\n`);
    if (documentation) process.stderr.write(noteLine(documentation, scribe, done - noteStarted));
    await writeAllAtomically(args.out, outputFiles(transcript, documentation));
  } finally {
    await scribe.dispose();
  }
}

// What the note is written with; the core checks the names (SETTINGS_INVALID).
function noteSettings(args, writeNote) {
  if (!writeNote) return { note: false };
  const o = {};
  if (args.template !== undefined) o.template = args.template;
  if (args['patient-pronouns'] !== undefined) o.patientPronouns = args['patient-pronouns'];
  return o;
}

function outputFiles(transcript, documentation) {
  const files = [['transcript.json', JSON.stringify(transcript, null, 2)]];
  if (documentation) files.push(['summary.json', JSON.stringify(documentation, null, 2)], ['note.txt', noteText(documentation)]);
  return files;
}

function noteLine(documentation, scribe, ms) {
  const count = documentation.ClinicalDocumentation.Sections.reduce((n, s) => n + s.Summary.length, 0);
  return `wrote a ${count}-sentence note (${scribe.llm ?? 'rules'}) in ${(ms / 1000).toFixed(1)} s\n`;
}

// `note`: a transcript already made (dialogue text or transcript JSON) → sections, entities, note.
async function noteCommand(args, signal) {
  const text = await readFile(args.input, 'utf8').catch((e) => { throw ioError('read', args.input, e); });
  const writeNote = !args['no-note'];
  const scribe = await createScribe({ modelBase: args.models, signal, llm: writeNote ? args.llm : 'none' });
  try {
    const t0 = performance.now();
    const { transcript, documentation } = await scribe.noteFromText(text, {
      signal,
      redact: args.redact,
      ...noteSettings(args, writeNote),
      onProgress: noteProgress,
    });
    const segments = transcript.Conversation.TranscriptSegments.length;
    process.stderr.write(`\rread ${segments} segments, ${transcript.Conversation.ClinicalInsights.length} clinical entities\n`);
    if (documentation) process.stderr.write(noteLine(documentation, scribe, performance.now() - t0));
    await writeAllAtomically(args.out, outputFiles(transcript, documentation));
  } finally {
    await scribe.dispose();
  }
}

async function main() {
  let args;
  try {
    args = parse(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`bedside: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  try {
    await (args.command === 'note' ? noteCommand : processCommand)(args, controller.signal);
    return 0;
  } catch (e) {
    const code = e?.name === 'AbortError' ? 'CANCELLED' : (typeof e?.code === 'string' ? e.code : 'RUNTIME');
    process.stderr.write(`\nbedside: error [${code}]: ${e?.message ?? e}\n`);
    return 1;
  }
}

process.exitCode = await main();
