// The demo page: load the models, take a recording (sample, file or microphone), show the draft transcript and
// the draft note (by rules or a small language model), each sentence linked to the lines it came from.
// Everything happens in this tab; the only requests go to this page's own origin (page, package, models).

import { createScribe } from '/pkg/index.js';
import { ClipPlayer } from './clip-player.js';
import { markEvidence, playLines, stopLines } from './evidence.js';
import { NotePanel } from './note-panel.js';
import { saveFile } from './save-file.js';
import { UnsavedWork } from './unsaved.js';
import { startRecording } from './recorder.js';
import { LevelMeters } from './levels.js';
import { formatTime } from './time.js';
import { SpeakersPanel } from './speakers-panel.js';
import { TermsPanel } from './terms-panel.js';
import { refreshSpeakers, renderTranscript, showView } from './transcript-view.js';

const MODEL_BASE = new URL('/models/', location.href).href;
const $ = (id) => document.getElementById(id);
const ui = {
  app: $('app'), model: $('model'), loadList: $('load-progress'), loadDetails: $('load-details'), loadSummary: $('load-summary'), sample: $('sample'), file: $('file'),
  record: $('record'), pause: $('pause'), recordTime: $('record-time'), cancel: $('cancel'), processBox: $('process-progress'),
  processBar: $('process-bar'), processLabel: $('process-label'), status: $('status'), error: $('error'),
  segments: $('segments'), download: $('download'), setupRoom: $('setup-room'), setupTelehealth: $('setup-telehealth'),
  maxSpeakers: $('max-speakers'), clinicianChannel: $('clinician-channel'), warnings: $('warnings'),
  warningList: $('warning-list'), redact: $('redact'), vocabulary: $('vocabulary'), vocabularyFilter: $('vocabulary-filter'), filterMethod: $('filter-method'), viewControls: $('view-controls'), sectionView: $('section-view'),
  writer: $('writer'), template: $('template'), pronouns: $('pronouns'), rewrite: $('rewrite'), downloadSummary: $('download-summary'),
  downloadNote: $('download-note'), copyNote: $('copy-note'), live: $('live'), liveLines: $('live-lines'),
};

let scribe = null; // Promise<Scribe> for the chosen model
let loadController = null;
let jobController = null;
let recording = null;
let player = null;
let transcript = null;
let transcriptRedacted = false; // whether `transcript` was made with redaction (corrections are redacted alike)
let editedLines = new Set(); // segment ids whose words a reviewer corrected
const unsaved = new UnsavedWork(() => recording !== null || ui.app.dataset.state === 'processing');

// data-state / data-model let people (and the browser tests) see what the page is doing.
function setState(state) {
  ui.app.dataset.state = state;
  const busy = state === 'processing' || state === 'recording';
  ui.sample.disabled = busy;
  ui.file.disabled = busy;
  ui.model.disabled = busy;
  ui.setupRoom.disabled = busy;
  ui.setupTelehealth.disabled = busy;
  ui.redact.disabled = busy;
  ui.vocabulary.disabled = busy;
  ui.vocabularyFilter.disabled = busy;
  ui.filterMethod.disabled = busy;
  ui.writer.disabled = busy;
  ui.template.disabled = busy;
  ui.pronouns.disabled = busy;
  ui.rewrite.disabled = busy || !transcript;
  for (const edit of ui.segments.querySelectorAll('.line-edit')) edit.disabled = busy;
  showSetup(busy);
  ui.record.disabled = state === 'processing';
  ui.cancel.hidden = state !== 'processing';
  ui.processBox.hidden = state !== 'processing';
}

const setStatus = (text) => { ui.status.textContent = text; };

function showError(err, hint = '') {
  ui.error.hidden = false;
  ui.error.textContent = (err.code ? `${err.message} [${err.code}]` : err.message) + (hint ? ` ${hint}` : '');
}

// ---- recording setup: how the speakers are told apart ----

const telehealth = () => ui.setupTelehealth.checked;

// Only the chosen setup's own control is enabled.
function showSetup(busy = ui.app.dataset.state === 'processing' || ui.app.dataset.state === 'recording') {
  ui.maxSpeakers.disabled = busy || telehealth();
  ui.clinicianChannel.disabled = busy || !telehealth();
  if (!recording) ui.record.textContent = recordLabel();
}

// A telehealth setup records a call: the microphone and the sound of the call's tab, each on its own channel.
const recordLabel = () => (telehealth() ? 'Record a call' : 'Record from microphone');

const wordsIn = (field) => field.value.split(',').map((w) => w.trim()).filter(Boolean);

/** The custom vocabulary and vocabulary filter typed on the page, as scribe.process() takes them (nothing for
 * an empty field). */
function vocabularyOptions() {
  const favour = wordsIn(ui.vocabulary);
  const filter = wordsIn(ui.vocabularyFilter);
  return {
    ...(favour.length ? { vocabulary: favour } : {}),
    ...(filter.length ? { vocabularyFilter: filter, vocabularyFilterMethod: ui.filterMethod.value } : {}),
  };
}

/** How the note is to be written: the template, and the patient's pronouns when they were chosen. */
function noteOptions() {
  return { template: ui.template.value, ...(ui.pronouns.value ? { patientPronouns: ui.pronouns.value } : {}) };
}

/** The scribe.process() options for the chosen setup; throws a readable error for a bad number. */
function speakerOptions() {
  if (telehealth()) {
    const clinician = Number(ui.clinicianChannel.value);
    return {
      channelDefinitions: [0, 1].map((channelId) => ({
        channelId, participantRole: channelId === clinician ? 'CLINICIAN' : 'PATIENT',
      })),
    };
  }
  const n = ui.maxSpeakers.valueAsNumber;
  if (!Number.isInteger(n) || n < 2 || n > 10) {
    throw Object.assign(new Error('“Most speakers” must be a whole number from 2 to 10.'), { code: 'SETTINGS_INVALID' });
  }
  return { maxSpeakerLabels: n };
}

const CALL_HINT = 'Or choose “One microphone in the room” to record without the call’s tab.';

const TELEHEALTH_HINT = 'Telehealth needs a two-channel (stereo) recording with each side on its own channel; ' +
  'for a recording from one microphone choose “One microphone in the room”.';

// ---- warnings and speakers ----

function showWarnings(list) {
  ui.warningList.replaceChildren(...list.map((w) => {
    const li = document.createElement('li');
    li.textContent = w[0].toUpperCase() + w.slice(1);
    return li;
  }));
  ui.warnings.hidden = list.length === 0;
}

const speakersPanel = new SpeakersPanel({
  box: $('speakers'),
  list: $('speaker-list'),
  swap: $('swap-roles'),
  onChange: (message) => {
    unsaved.changed('transcript');
    refreshSpeakers(ui.segments, transcript);
    if (message) setStatus(message);
  },
});

// ---- clinical terms ----

let flashTimer = null;

/** Brings the line of a term's mention into view and highlights the line and the term for a moment. */
function goToInsight(insight) {
  const id = insight.Spans?.[0]?.SegmentId;
  const button = id && ui.segments.querySelector(`.segment[data-segment-id="${CSS.escape(id)}"]`);
  if (!button) return;
  if (button.parentElement.hidden) {
    ui.sectionView.value = 'all'; // the line is filtered out: show every line again
    showView(ui.segments, 'all');
  }
  clearTimeout(flashTimer);
  for (const el of ui.segments.querySelectorAll('.flash')) el.classList.remove('flash');
  button.classList.add('flash');
  for (const m of button.querySelectorAll(`mark[data-insight="${CSS.escape(insight.InsightId)}"]`)) m.classList.add('flash');
  button.scrollIntoView({ block: 'center', behavior: 'smooth' });
  button.focus({ preventScroll: true });
  flashTimer = setTimeout(() => {
    for (const el of ui.segments.querySelectorAll('.flash')) el.classList.remove('flash');
  }, 2500);
}

const termsPanel = new TermsPanel({ box: $('terms'), list: $('terms-list'), legend: $('entity-legend'), onGo: goToInsight });

// ---- the transcript, and a reviewer's corrections to it ----

/** One line of the live view; telehealth lines say whose side they came from. */
function heardItem(h) {
  const li = document.createElement('li');
  const time = document.createElement('span');
  time.className = 'time';
  // Channels come only from a telehealth setup, whose controls are locked while it runs.
  const side = h.channelId === Number(ui.clinicianChannel.value) ? 'clinician' : 'patient';
  const channel = h.channelId === null ? '' : ` (${side})`;
  time.textContent = `${formatTime(h.beginAudioTime)}–${formatTime(h.endAudioTime)}${channel}`;
  const text = document.createElement('span');
  text.textContent = h.text;
  li.append(time, text);
  return li;
}

/**
 * Adds a window's words to the live view, keeping its end in sight, and puts `draft` (when given) after
 * them in place of the last draft: a quick reading of the speech still waiting for its window, shown
 * apart because its words may still change. `null` clears and hides the view.
 */
function showHeard(lines, draft) {
  if (lines === null) {
    ui.liveLines.replaceChildren();
    ui.live.hidden = true;
    return;
  }
  const firstDraft = ui.liveLines.querySelector('li.pending');
  for (const h of lines) ui.liveLines.insertBefore(heardItem(h), firstDraft);
  if (draft) {
    for (const li of ui.liveLines.querySelectorAll('li.pending')) li.remove();
    for (const h of draft) {
      const li = heardItem(h);
      li.className = 'pending';
      li.title = 'A first reading: its words may change once this stretch is fully recognised';
      ui.liveLines.append(li);
    }
  }
  if (lines.length || draft?.length) {
    ui.live.hidden = false;
    ui.live.scrollTop = ui.live.scrollHeight;
  }
}

/** Draws the transcript lines in the chosen view; returns how many there are. */
function showTranscript() {
  const count = renderTranscript(ui.segments, transcript, playSegment, ui.sectionView.value, { onEdit: correctLine, edited: editedLines });
  ui.viewControls.hidden = count === 0;
  termsPanel.show(transcript);
  return count;
}

/**
 * A reviewer corrected the words of a line (a drug name misheard, say). The line's word times no longer
 * describe its text, so its items go; sections and clinical terms are worked out again from the corrected
 * transcript (with redaction if the visit had it). The note on screen, and any edits made to it, stay as
 * they are: the status says to write it again to use the correction.
 */
function correctLine(segment, text) {
  const id = segment.SegmentId;
  const at = formatTime(segment.BeginAudioTime);
  return runJob({ starting: `Correcting the line at ${at}…`, waiting: 'Updating sections and terms…', failed: `Could not correct the line at ${at}.` }, async (signal) => {
    const conv = transcript.Conversation;
    const before = { content: segment.Content, items: conv.TranscriptItems };
    segment.Content = text;
    conv.TranscriptItems = (conv.TranscriptItems ?? []).filter((item) => item.SegmentId !== id);
    let result;
    try {
      const s = await scribe;
      result = await s.noteFromText(transcript, { signal, note: false, redact: transcriptRedacted });
    } catch (err) {
      segment.Content = before.content; // nothing half-applied: the line stays as it was
      conv.TranscriptItems = before.items;
      throw err;
    }
    // Only what the clinical stages write is taken back: names and roles set on this page stay.
    const again = new Map(result.transcript.Conversation.TranscriptSegments.map((x) => [x.SegmentId, x]));
    for (const seg of conv.TranscriptSegments) {
      const x = again.get(seg.SegmentId);
      if (!x) continue;
      seg.Content = x.Content;
      seg.SectionDetails = x.SectionDetails;
    }
    conv.ClinicalInsights = result.transcript.Conversation.ClinicalInsights;
    editedLines.add(id);
    unsaved.changed('transcript');
    showTranscript();
    ui.segments.querySelector(`.segment[data-segment-id="${CSS.escape(id)}"]`)?.focus();
    const stale = notePanel.doc ? ' The note was written before this correction: choose “Write the note again” to use it.' : '';
    if (notePanel.doc) ui.app.dataset.noteStale = 'true';
    setStatus(`Corrected the line at ${at}; sections and clinical terms updated.${stale}`);
  });
}

// ---- model loading ----

// Bytes per model file ({ loaded, total, cached }), for the one-line summary above the per-file bars.
const loadBytes = new Map();
const megabytes = (n) => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;

function summarizeLoad(ready) {
  const files = [...loadBytes.values()];
  const total = files.reduce((sum, f) => sum + f.total, 0);
  if (ready) {
    const fromCache = files.length > 0 && files.every((f) => f.cached);
    ui.loadSummary.textContent = `Models ready: ${files.length} files, ${megabytes(total)}${fromCache ? ', from this browser\'s cache' : ''}`;
    return;
  }
  const loaded = files.reduce((sum, f) => sum + Math.min(f.loaded, f.total || f.loaded), 0);
  ui.loadSummary.textContent = total ? `Loading models: ${megabytes(loaded)} of ${megabytes(total)}` : 'Loading models…';
}

function showLoadProgress(p) {
  if (p.status === 'ready') return;
  const bytes = loadBytes.get(p.file) ?? { loaded: 0, total: 0, cached: false };
  if (p.total) bytes.total = p.total;
  if (p.status === 'progress') Object.assign(bytes, { loaded: p.loaded, cached: p.cached === true });
  if (p.status === 'done') bytes.loaded = bytes.total || bytes.loaded;
  loadBytes.set(p.file, bytes);
  summarizeLoad(false);
  const id = `load-${p.file.replace(/[^a-z0-9]/gi, '-')}`;
  let row = document.getElementById(id);
  if (!row) {
    row = document.createElement('li');
    row.id = id;
    const name = document.createElement('span');
    name.textContent = p.file;
    name.id = `${id}-name`;
    const bar = document.createElement('progress');
    bar.max = 1;
    bar.value = 0;
    bar.setAttribute('aria-labelledby', name.id);
    row.append(name, bar);
    ui.loadList.append(row);
  }
  const bar = row.querySelector('progress');
  if (p.status === 'progress') bar.value = p.total ? p.loaded / p.total : 0;
  if (p.status === 'done') bar.value = 1;
}

// 'SmolLM2-135M' for the writer select's current choice ('Rules' for none).
const writerLabel = () => ui.writer.selectedOptions[0].textContent.replace(/\s*\(.*$/, '');

function loadModel() {
  const name = ui.model.value;
  const llm = ui.writer.value;
  loadController?.abort();
  const previous = scribe;
  previous?.then((s) => s.dispose(), () => {});
  loadController = new AbortController();
  ui.loadList.replaceChildren();
  loadBytes.clear();
  ui.loadDetails.open = true;
  summarizeLoad(false);
  ui.app.dataset.model = 'loading';
  const models = llm === 'none' ? `the ${name} model` : `the ${name} and ${writerLabel()} models`;
  setStatus(`Loading ${models}…`);
  const controller = loadController;
  scribe = createScribe({ modelBase: MODEL_BASE, asr: name, llm, signal: controller.signal, onProgress: showLoadProgress });
  scribe.then(
    () => {
      if (controller !== loadController) return;
      ui.app.dataset.model = 'ready';
      // The bars have done their job; fold them into one line so the recording comes into view.
      summarizeLoad(true);
      ui.loadDetails.open = false;
      if (ui.app.dataset.state !== 'processing') setStatus(`${models[0].toUpperCase()}${models.slice(1)} ${llm === 'none' ? 'is' : 'are'} ready.`);
    },
    (err) => {
      if (err.name === 'AbortError' || controller !== loadController) return;
      ui.app.dataset.model = 'error';
      showError(err);
      setStatus('The model could not be loaded.');
    },
  );
  scribe.catch(() => {}); // handled above; a later transcribe() reports it again
}

// ---- transcription ----

/**
 * Runs one cancellable job (transcribing, writing the note again): the page shows it as processing until
 * `work(signal)` ends, and a cancel or a failure ends it with its own status line, the note on screen kept.
 */
async function runJob({ starting, waiting, failed, hint = () => '' }, work) {
  jobController = new AbortController();
  const { signal } = jobController;
  ui.error.hidden = true;
  setState('processing');
  ui.processBar.value = 0;
  ui.processLabel.textContent = waiting;
  setStatus(starting);
  try {
    await work(signal);
    setState('done');
  } catch (err) {
    noteStopped();
    showHeard(null); // a cancelled or failed run leaves no provisional words behind
    if (err.name === 'AbortError') {
      setStatus('Cancelled.');
      setState('cancelled');
    } else {
      showError(err, hint(err));
      setStatus(failed);
      setState('error');
    }
  } finally {
    jobController = null;
  }
}

/** Progress of a visit being transcribed: words heard so far, how far recognition is, then the note. */
function visitProgress(p, timing) {
  if (p.stage === 'note') return noteProgress(p, timing);
  showHeard(p.heard ?? [], p.draft);
  ui.processBar.value = p.totalSeconds ? p.processedSeconds / p.totalSeconds : 0;
  ui.processLabel.textContent = `Transcribing: ${formatTime(p.processedSeconds)} of ${formatTime(p.totalSeconds)}`;
  return undefined;
}

/** Whether a new visit may replace the one on screen: when that would lose work, the clinician is asked. */
function mayReplaceVisit() {
  return !unsaved.pending
    || window.confirm('The visit on screen has work that is not saved (a recording, or corrections not yet downloaded or copied). Start a new visit and lose it?');
}

function transcribe(blob, label) {
  const setupWasTelehealth = telehealth();
  return runJob({
    starting: `Transcribing ${label}…`,
    waiting: 'Waiting for the model…',
    failed: `Could not transcribe ${label}.`,
    hint: (err) => (err.code === 'SETTINGS_INVALID' && setupWasTelehealth ? TELEHEALTH_HINT : ''),
  }, async (signal) => {
    const started = performance.now();
    if (ui.app.dataset.model === 'error') loadModel(); // e.g. the network came back: try again
    const speakers = speakerOptions();
    const redact = ui.redact.checked;
    const s = await scribe;
    ui.processLabel.textContent = 'Transcribing…';
    const timing = { noteStarted: 0 };
    showHeard(null);
    const result = await s.process(blob, {
      signal,
      jobName: label,
      redact,
      ...noteOptions(),
      ...speakers,
      ...vocabularyOptions(),
      onProgress: (p) => visitProgress(p, timing),
    });
    showResult(result, blob, label, { started, redact, timing });
  });
}

/** Shows a finished visit: its transcript, speakers, warnings and note; `blob` is what its clips play from. */
function showResult(result, blob, label, { started, redact, timing, live = false }) {
  const finished = performance.now();
  showHeard(null); // the finished transcript takes its place
  transcript = result.transcript;
  transcriptRedacted = redact;
  editedLines = new Set();
  unsaved.reset();
  if (live) unsaved.changed('transcript');
  player?.close();
  player = new ClipPlayer(blob);
  const count = showTranscript();
  showWarnings(transcript.Conversation.Bedside?.warnings ?? []);
  speakersPanel.show(transcript);
  ui.download.disabled = false;
  const sentences = showNote(result.documentation);
  const secs = ((finished - started) / 1000).toFixed(1);
  const noteSecs = timing.noteStarted ? ` (note ${((finished - timing.noteStarted) / 1000).toFixed(1)} s)` : '';
  const took = live ? `, ready ${secs} s after it ended` : ` in ${secs} s`;
  setStatus(`${count} transcript lines and a ${sentences}-sentence note (${writerLabel()}) from ${label}${took}${noteSecs}. ` +
    'Review them before use.');
}

// ---- the note ----

const notePanel = new NotePanel({
  box: $('note'), live: $('note-live'), liveLabel: $('note-live-label'), liveSections: $('note-live-sections'),
  liveText: $('note-live-text'),
  onSelect: showEvidence,
  onEdit: () => {
    ui.app.dataset.noteEdited = 'true';
    unsaved.changed('note');
  },
});

function noteProgress(p, timing) {
  if (!timing.noteStarted) {
    timing.noteStarted = performance.now();
    ui.app.dataset.note = 'writing';
  }
  notePanel.progress(p, writerLabel());
  if (p.status === 'progress') {
    ui.processBar.value = p.sentences ? p.sentencesWritten / p.sentences : 0;
    ui.processLabel.textContent = p.sentences
      ? `Writing the note: ${p.sentencesWritten} of ${p.sentences} sentences` : 'Writing the note…';
  }
}

/** The note was not finished (cancelled, failed): the note on screen, if any, stays. */
function noteStopped() {
  notePanel.endLive();
  ui.app.dataset.note = notePanel.doc ? 'ready' : 'none';
}

/** Shows a finished note (or none) and returns its sentence count. */
function showNote(documentation) {
  if (!documentation) notePanel.clear();
  const sentences = documentation ? notePanel.show(documentation) : 0;
  ui.app.dataset.note = documentation ? 'ready' : 'none';
  delete ui.app.dataset.noteEdited;
  delete ui.app.dataset.noteStale;
  unsaved.saved('note'); // a note as the scribe wrote it can be written again
  ui.downloadSummary.disabled = !documentation;
  ui.downloadNote.disabled = !documentation;
  ui.copyNote.disabled = !documentation;
  return sentences;
}

/** A note sentence was chosen: mark its evidence lines; when asked, bring them into view and play them. */
function showEvidence(links, { jump }) {
  let buttons = markEvidence(ui.segments, links.map((l) => l.SegmentId));
  if (buttons.some((b) => b.parentElement.hidden)) {
    ui.sectionView.value = 'all'; // a line is filtered out: show every line again
    showView(ui.segments, 'all');
    buttons = markEvidence(ui.segments, links.map((l) => l.SegmentId));
  }
  if (!jump || buttons.length === 0) return;
  buttons[0].scrollIntoView({ block: 'center', behavior: 'smooth' });
  if (!player) return;
  playLines(player, buttons, (button) => {
    for (const el of ui.segments.querySelectorAll('.playing')) el.classList.remove('playing');
    button?.classList.add('playing');
  }).catch((err) => showError(new Error(`Could not play the recording: ${err.message}`)));
}

/** Writes the note again from the transcript on screen (speaker corrections included), e.g. in another template. */
function rewriteNote() {
  if (!transcript) return undefined;
  return runJob({ starting: 'Writing the note again…', waiting: 'Writing the note…', failed: 'Could not write the note.' }, async (signal) => {
    const started = performance.now();
    const s = await scribe;
    const timing = { noteStarted: 0 };
    const { documentation } = await s.noteFromText(transcript, {
      signal, ...noteOptions(), onProgress: (p) => noteProgress(p, timing),
    });
    const sentences = showNote(documentation);
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    setStatus(`A ${sentences}-sentence note (${writerLabel()}) in ${secs} s. Review it before use.`);
  });
}

async function playSegment(segment, button) {
  stopLines();
  for (const el of ui.segments.querySelectorAll('.playing')) el.classList.remove('playing');
  button.classList.add('playing');
  try {
    await player.play(segment.BeginAudioTime, segment.EndAudioTime, () => button.classList.remove('playing'));
  } catch (err) {
    button.classList.remove('playing');
    showError(new Error(`Could not play the recording: ${err.message}`));
  }
}

// ---- recording ----
//
// While the microphone records, its samples go to scribe.live(): each time 30 s of speech waits it is transcribed
// and its words appear under "Heard so far", so stopping leaves only the last window and the note to do.
// A browser without AudioWorklet records a file and transcribes it after the stop, as an upload would be.

let timer = null;
const levels = new LevelMeters({ box: $('levels'), hint: $('level-hint') });

/** The level meters' channels for the chosen setup, in channel order. */
function levelChannels() {
  const mic = { label: 'Microphone', silentText: 'The microphone has heard nothing yet: check that it is not muted.' };
  if (!telehealth()) return [mic];
  const call = { label: 'Call (shared tab)', silentText: 'No sound from the shared tab yet: is the call playing in the tab you shared?' };
  return Number(ui.clinicianChannel.value) === 0 ? [{ ...mic, label: 'You (microphone)' }, call] : [call, { ...mic, label: 'You (microphone)' }];
}

/** Starts recording, and transcribing as it goes where the browser can hand over samples. */
async function startLive() {
  const controller = new AbortController();
  const pending = []; // samples that came before the model was ready
  const current = { live: null, controller, timing: { noteStarted: 0 }, redact: ui.redact.checked, started: 0, failed: null };
  const speakers = speakerOptions(); // a bad number stops here, before the microphone opens
  const vocabulary = vocabularyOptions();
  levels.start(levelChannels());
  current.recorder = await startRecording({
    onAudio: (samples) => {
      if (current.stopped) return undefined; // the worklet's last message can land after Stop
      levels.add(samples);
      return current.live ? current.live.push(samples) : pending.push(samples);
    },
    call: telehealth() ? { clinicianChannel: Number(ui.clinicianChannel.value) } : null,
    onCallEnded: () => { if (recording === current) toggleRecording(); },
  });
  if (current.recorder.sampleRate === null) {
    levels.stop(); // no samples come without AudioWorklet
    return current;
  }
  showHeard(null);
  if (!scribe || ui.app.dataset.model === 'error') loadModel();
  scribe.then((s) => {
    if (controller.signal.aborted) return;
    current.live = s.live({
      sampleRate: current.recorder.sampleRate,
      channelCount: current.recorder.channels,
      signal: controller.signal,
      jobName: 'the recording',
      redact: current.redact,
      ...noteOptions(),
      ...speakers,
      ...vocabulary,
      onProgress: (p) => visitProgress(p, current.timing),
    });
    for (const samples of pending.splice(0)) current.live.push(samples);
    // A job that fails while the visit goes on (bad audio from the device) is said at once; the file is kept.
    current.live.result.catch((err) => {
      if (recording !== current || err.name === 'AbortError') return;
      current.failed = err;
      showError(err);
      setStatus('Recording, but not transcribing: stop, then fix the setup and try again.');
    });
  }, () => {}); // a model that failed to load is reported by loadModel
  return current;
}

async function stopLive(current) {
  const blob = await current.recorder.stop();
  current.stopped = true;
  if (!current.live || current.failed) {
    current.controller.abort(); // a model still loading must not start a live job now
    return transcribe(blob, 'the recording');
  }
  return runJob({ starting: 'Transcribing the rest of the recording…', waiting: 'Transcribing…', failed: 'Could not transcribe the recording.' }, async (signal) => {
    signal.addEventListener('abort', () => current.controller.abort(), { once: true });
    current.started = performance.now();
    const result = await current.live.end();
    showResult(result, blob, 'the recording', { ...current, live: true });
  });
}

/** Recording time shown beside the buttons: it stands still while the recording is paused. */
function showRecordTime(current) {
  const running = current.resumedAt === null ? 0 : Date.now() - current.resumedAt;
  ui.recordTime.textContent = formatTime((current.recordedMs + running) / 1000);
}

function showPaused(paused) {
  ui.pause.textContent = paused ? 'Resume' : 'Pause';
  ui.pause.setAttribute('aria-pressed', String(paused));
}

/** Holds the recording and takes it up again: what is said meanwhile is neither kept nor transcribed. */
function togglePause() {
  const current = recording;
  if (!current) return;
  if (current.resumedAt === null) {
    current.recorder.resume();
    levels.resume();
    current.resumedAt = Date.now();
    setStatus(current.statusText);
  } else {
    current.recorder.pause();
    levels.pause();
    current.recordedMs += Date.now() - current.resumedAt;
    current.resumedAt = null;
    setStatus('Paused: nothing is recorded or transcribed until you press “Resume”.');
  }
  showPaused(current.resumedAt === null);
  showRecordTime(current);
}

async function toggleRecording() {
  if (recording) {
    const current = recording;
    recording = null;
    clearInterval(timer);
    ui.record.setAttribute('aria-pressed', 'false');
    ui.record.textContent = recordLabel();
    ui.recordTime.hidden = true;
    ui.pause.hidden = true;
    showPaused(false);
    levels.stop();
    try {
      await stopLive(current);
    } catch (err) {
      showError(err);
      setState('error');
    }
    return;
  }
  if (!mayReplaceVisit()) return;
  ui.error.hidden = true;
  try {
    recording = await startLive();
  } catch (err) {
    levels.stop();
    showError(err.name === 'NotAllowedError' || err.name === 'NotFoundError'
      ? new Error(`The microphone could not be opened: ${err.message}`) : err, err.name === 'CallAudioError' ? CALL_HINT : '');
    return;
  }
  setState('recording');
  ui.record.setAttribute('aria-pressed', 'true');
  ui.record.textContent = 'Stop and transcribe';
  const current = recording;
  Object.assign(current, { recordedMs: 0, resumedAt: Date.now() });
  showRecordTime(current);
  ui.recordTime.hidden = false;
  ui.pause.hidden = false;
  timer = setInterval(() => showRecordTime(current), 500);
  const what = current.recorder.channels === 2
    ? `Recording the call: you on channel ${Number(ui.clinicianChannel.value)}, the call’s sound on the other`
    : 'Recording';
  current.statusText = current.recorder.sampleRate === null
    ? `${what}… press “Stop and transcribe” when the visit ends.`
    : `${what}… a first reading of the words appears below within seconds, and each 30 seconds of speech is then transcribed for good; press “Stop and transcribe” when the visit ends.`;
  setStatus(current.statusText);
}

// ---- wiring ----

ui.sample.addEventListener('click', async () => {
  if (!mayReplaceVisit()) return;
  try {
    const res = await fetch('sample/visit.flac');
    if (!res.ok) throw new Error(`the sample could not be loaded (HTTP ${res.status})`);
    await transcribe(await res.blob(), 'the sample visit');
  } catch (err) {
    showError(err);
    setState('error');
  }
});

ui.file.addEventListener('change', () => {
  const file = ui.file.files[0];
  ui.file.value = ''; // choosing the same file again should run again
  if (file && mayReplaceVisit()) transcribe(file, file.name);
});

ui.record.addEventListener('click', toggleRecording);
ui.pause.addEventListener('click', togglePause);
ui.cancel.addEventListener('click', () => jobController?.abort());
ui.model.addEventListener('change', () => loadModel());
ui.writer.addEventListener('change', () => loadModel());
ui.rewrite.addEventListener('click', rewriteNote);
ui.sectionView.addEventListener('change', () => showView(ui.segments, ui.sectionView.value));
for (const radio of [ui.setupRoom, ui.setupTelehealth]) radio.addEventListener('change', () => showSetup());

ui.download.addEventListener('click', () => {
  if (!transcript) return;
  saveFile('transcript.json', JSON.stringify(transcript, null, 2), 'application/json');
  unsaved.saved('transcript');
});
ui.downloadSummary.addEventListener('click', () => {
  if (!notePanel.doc) return;
  saveFile('summary.json', JSON.stringify(notePanel.doc, null, 2), 'application/json');
  unsaved.saved('note');
});
ui.downloadNote.addEventListener('click', () => {
  if (!notePanel.doc) return;
  saveFile('note.txt', notePanel.doc.toText(), 'text/plain');
  unsaved.saved('note');
});

// For pasting into the record system: the same text as note.txt, with the reviewer's corrections.
ui.copyNote.addEventListener('click', async () => {
  if (!notePanel.doc) return;
  try {
    await navigator.clipboard.writeText(notePanel.doc.toText());
    unsaved.saved('note');
    setStatus('Copied the draft note, with your corrections, to the clipboard. Review it before use.');
  } catch (err) {
    showError(new Error(`Could not copy the note (${err.message}); “Download note.txt” saves the same text.`));
  }
});

setState('idle');
loadModel();
