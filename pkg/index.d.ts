// Types for the `bedside` package. Errors are `Error`s with `code` and `stage` (see BedsideErrorCode);
// aborts are `DOMException`s named "AbortError".

export type BedsideErrorCode =
  | 'AUDIO_INVALID'
  | 'AUDIO_EMPTY'
  /** Over 4 channel-hours (4 h of one channel, 2 h of two): split the recording. */
  | 'AUDIO_TOO_LONG'
  | 'MODEL_INVALID'
  | 'MODEL_CHECKSUM'
  | 'SETTINGS_INVALID'
  | 'INPUT_INVALID'
  | 'CANCELLED'
  | 'RUNTIME'
  | 'IO';

export interface BedsideError extends Error {
  code: BedsideErrorCode;
  /** Where it failed: 'audio', 'load', 'settings', 'input', 'cancelled', 'worker', 'io', … */
  stage: string;
}

/** Model loading, per file in manifest order (the language model last), then once `ready`. `file` is the
 * file's path in the manifest, or the URL / path given as `llm`. `total` is 0 while unknown (a GGUF the
 * manifest does not list, served without Content-Length). */
export type LoadProgress =
  | { status: 'initiate'; file: string; total: number }
  | { status: 'progress'; file: string; loaded: number; total: number; cached?: true }
  | { status: 'done'; file: string }
  | { status: 'ready'; asr: string; llm: string | null };

/** Words recognised in one window, as the recogniser wrote them: provisional (speaker roles, sections and
 * clinical terms come with the finished transcript). With `redact: true` their PHI is already replaced. */
export interface HeardText {
  /** The audio channel, when channels are recognised one by one (`channelDefinitions`); else null. */
  channelId: number | null;
  beginAudioTime: number;
  endAudioTime: number;
  text: string;
}

/** Transcription, after each 30-s window, with the words that window added (for a live view). */
export interface TranscribeProgress {
  status: 'progress';
  stage: 'transcribe';
  processedSeconds: number;
  totalSeconds: number;
  heard: HeardText[];
  /** Live recordings only: drafts of the speech not yet recognised for good, every channel's, in time
   * order. Each event's `draft` replaces the last one's (an empty one clears it); a draft is read quickly
   * (greedy, one pass) and its words may differ from the `heard` lines that later cover its time. */
  draft?: HeardText[];
}

/** Note writing: once as it starts (`sentencesWritten: 0`, no `sentences` yet), then after each sentence is
 * final (written and checked against its evidence). `sentences` is how many the note plans; a sentence that
 * fails its check and has no rule-based fallback is left out, so counts can skip. */
export interface NoteProgress {
  status: 'progress';
  stage: 'note';
  sentencesWritten: number;
  sentences?: number;
}

/** A piece of the language model's output while it writes a sentence (raw: the sentence that lands in the
 * note is the checked one, which may differ, or be the rule-based one when the model's fails its check). */
export interface TokenProgress {
  status: 'token';
  stage: 'note';
  text: string;
}

/** A note sentence as it will stand in `documentation`: written (by the language model, or by rules), then
 * checked against its evidence. Sent just before the `NoteProgress` that counts it, so a viewer can show the
 * note growing under its section headings. Sentences come in the order they are written (the chief complaint,
 * a phrase picked from the transcript, first; then the transcript's order), which can differ from the finished
 * note's order (the template's sections); within one section the order is the note's. */
export interface SentenceProgress {
  status: 'sentence';
  stage: 'note';
  /** The template section it goes under, e.g. 'HISTORY_OF_PRESENT_ILLNESS' (a `SectionName` of the note). */
  section: string;
  /** The sentence, as `SummarizedSegment` will say it. */
  text: string;
  /** Worded by the language model (true) or built from the evidence by rules (false). */
  byModel: boolean;
}

/** The note's events: its start and counts, each checked sentence, and (with a language model) raw tokens. */
export type NoteEvent = NoteProgress | SentenceProgress | TokenProgress;

/** What `process()` reports: transcription windows, then the note. */
export type ProcessProgress = TranscribeProgress | NoteEvent;

export interface CreateScribeOptions {
  /** URL (browser, Node) or folder path / file: URL (Node) holding manifest.json and the model files. */
  modelBase: string | URL;
  /** Speech model by manifest name ('tiny.en', 'base', …). Default: the manifest's `defaults.asr`. */
  asr?: string;
  onProgress?: (event: LoadProgress) => void;
  /** Aborts downloads and start-up; createScribe then rejects with an AbortError. */
  signal?: AbortSignal;
  /** Keep downloaded files in the Cache API ('bedside-models-v1'). Default true. Ignored in Node. */
  cache?: boolean;
  /** Run the core in a module Web Worker (browsers). Default true. Node always runs in-process. */
  worker?: boolean;
  /** Also load the sections/entities files the manifest names (`defaults.clinical`), so transcripts carry
   * SectionDetails and ClinicalInsights. Default true; false is a lighter download (every section OTHER,
   * no insights). */
  clinical?: boolean;
  /** Note-writing language model: a manifest name ('smollm2-135m' ≈ 145 MB, 'qwen2.5-coder-0.5b' ≈ 460 MB,
   * 'qwen2.5-coder-1.5b'), `true` for the manifest's `defaults.llm`, or the URL (a path relative to
   * `modelBase`, or absolute; in Node also a file path) of any llama- or qwen2-family chat GGUF you host (no
   * checksum: only checked to be a GGUF). Default none (`false`, `'none'`): notes are built from the evidence
   * by rules, with no extra download. */
  llm?: string | URL | boolean;
}

export interface ProcessOptions {
  /** Aborts processing; process() then rejects with an AbortError. */
  signal?: AbortSignal;
  /** Transcription windows, then the note's start, counts, checked sentences and (with a language model) tokens. */
  onProgress?: (event: ProcessProgress) => void;
  /** Skip windows where voice activity detection hears no speech. Default true. */
  vad?: boolean;
  /** Word-level timestamps in TranscriptItems. Default true. */
  wordTimestamps?: boolean;
  /** Written to Conversation.JobName. Default 'bedside-visit'. */
  jobName?: string;
  /** Beams searched per 30-s window; 1 is greedy (faster). Default 5. */
  beamSize?: number;
  /** Telehealth: each side on its own channel (HealthScribe's ChannelDefinitions, exactly two).
   * Not together with maxSpeakerLabels. */
  channelDefinitions?: { channelId: number; participantRole: 'CLINICIAN' | 'PATIENT' }[];
  /** One mixed channel: the most speakers to tell apart, 2 to 10 (HealthScribe's MaxSpeakerLabels). Default 4. */
  maxSpeakerLabels?: number;
  /** Required with Float32Array input: the channels' sample rate in Hz. */
  sampleRate?: number;
  /** Replace protected health information with `[TYPE]` (e.g. `[NAME]`) in segments, items and insights.
   * Needs the clinical files (createScribe's `clinical`). Default false. */
  redact?: boolean;
  /** Write the clinical note (`documentation`). Default true. */
  note?: boolean;
  /** Note template: 'HISTORY_AND_PHYSICAL' (default), 'PHYSICAL_SOAP', 'BEHAVIORAL_SOAP', 'DAP', 'BIRP', 'SIRP', 'GIRPP'. */
  template?: NoteTemplate;
  /** The patient's pronouns for the note (HealthScribe's `MedicalScribeContext.PatientContext.Pronouns`).
   * Unset, they are guessed from how the clinician speaks of the patient, which can be wrong. */
  patientPronouns?: PatientPronouns;
  /** `false` writes the note by rules even when the scribe has a language model. Default true. */
  useLlm?: boolean;
  /** Custom vocabulary (HealthScribe's VocabularyName): words and phrases to favour, such as drug brands and
   * colleagues' names. Written into every window's prompt to the recogniser, which then tends to spell them
   * so; about 40 names fit (more rejects with SETTINGS_INVALID). */
  vocabulary?: string[];
  /** Words to filter out of the transcript (HealthScribe's vocabulary filter), one word each, matched whole
   * regardless of case, in every output (lines heard while recording, segments, items, entities, note). */
  vocabularyFilter?: string[];
  /** What the filter does: 'mask' (default) writes `***`, 'remove' takes the word out, 'tag' keeps it and
   * marks its item `VocabularyFilterMatch: true`. */
  vocabularyFilterMethod?: 'mask' | 'remove' | 'tag';
}

/** A visit still being recorded: the audio's format, then process()'s options (`sampleRate` is required). */
export interface LiveOptions extends ProcessOptions {
  /** The pushed audio's sample rate in Hz (an AudioContext's `sampleRate`). */
  sampleRate: number;
  /** Channels in each pushed piece. Default 1; two for telehealth with `channelDefinitions`. */
  channelCount?: number;
  /** Draft the speech waiting while a window fills (progress `draft`). Default true; false spends no time
   * on drafts (a slow device that falls behind the recording). */
  drafts?: boolean;
}

/** A recording in progress, from `scribe.live()`. */
export interface LiveRecording {
  /** The next piece of audio: one Float32Array per channel, all the same length (a Float32Array alone for
   * one channel). The arrays are copied; the caller may reuse them. */
  push(channels: Float32Array | Float32Array[]): void;
  /** The recording is over; resolves as `result` does, once the rest is recognised and the note written. */
  end(): Promise<{ transcript: Transcript; documentation?: Documentation }>;
  /** The finished visit; rejects when a push was refused (AUDIO_INVALID, AUDIO_TOO_LONG), when the
   * recording ended with no audio (AUDIO_EMPTY), or with an AbortError. */
  readonly result: Promise<{ transcript: Transcript; documentation?: Documentation }>;
}

/** The built-in note templates (an unknown name rejects with SETTINGS_INVALID). */
export type NoteTemplate =
  | 'HISTORY_AND_PHYSICAL'
  | 'PHYSICAL_SOAP'
  | 'BEHAVIORAL_SOAP'
  | 'DAP'
  | 'BIRP'
  | 'SIRP'
  | 'GIRPP';

/** HealthScribe's patient pronoun values (another value rejects with SETTINGS_INVALID). The rule-based
 * writer uses them ("She reports…", "The patient reports…" for THEY_THEM); a model sentence that uses a pronoun
 * of another set (than these, or than the guess when none are given), not found in its evidence, is replaced by
 * the rule-based one. */
export type PatientPronouns = 'HE_HIM' | 'SHE_HER' | 'THEY_THEM';

export interface NoteOptions {
  /** Aborts the note; noteFromText() then rejects with an AbortError. */
  signal?: AbortSignal;
  onProgress?: (event: NoteEvent) => void;
  template?: NoteTemplate;
  /** The patient's pronouns for the note; unset, guessed from the clinician's speech. */
  patientPronouns?: PatientPronouns;
  /** `false` writes by rules even when the scribe has a language model. Default true. */
  useLlm?: boolean;
  /** Write the note. Default true (false returns the transcript only, with sections and insights). */
  note?: boolean;
  /** Replace protected health information with `[TYPE]`. Default false. */
  redact?: boolean;
}

/** HealthScribe's clinical documentation file (summary.json): every sentence links to the transcript
 * segments it was written from. Sentences are written by the scribe's language model (`llm`) when it has one,
 * else built from that evidence by rules; each is checked against its evidence. A draft for review. */
export interface Documentation {
  ClinicalDocumentation: {
    Sections: {
      SectionName: string;
      Summary: { SummarizedSegment: string; EvidenceLinks: { SegmentId: string }[] }[];
    }[];
  };
}

/** Anything process() accepts: a recording file (WAV and FLAC everywhere; in a page also whatever the browser
 * decodes: webm/opus, mp3, m4a…) or decoded channels with `options.sampleRate`. */
export type AudioInput = Blob | ArrayBuffer | ArrayBufferView | Float32Array | Float32Array[];

/** HealthScribe's transcript sections. */
export type SectionName = 'SUBJECTIVE' | 'OBJECTIVE' | 'ASSESSMENT_AND_PLAN' | 'OTHER';

export interface TranscriptSegment {
  SegmentId: string;
  BeginAudioTime: number;
  EndAudioTime: number;
  Content: string;
  ParticipantDetails: { ParticipantRole: string };
  /** OTHER for every line when the scribe was created with `clinical: false`. */
  SectionDetails: { SectionName: SectionName };
  ChannelId?: number;
}

export interface TranscriptItem {
  Alternatives: { Confidence: number; Content: string }[];
  BeginAudioTime: number;
  EndAudioTime: number;
  Type: 'PRONUNCIATION' | 'PUNCTUATION';
  SegmentId?: string;
  /** Present (true) on a word the vocabulary filter listed: masked, or tagged. */
  VocabularyFilterMatch?: true;
}

/** Entity categories, in Amazon Comprehend Medical's vocabulary. */
export type ClinicalCategory =
  | 'MEDICATION'
  | 'MEDICAL_CONDITION'
  | 'TEST_TREATMENT_PROCEDURE'
  | 'ANATOMY'
  | 'PROTECTED_HEALTH_INFORMATION'
  | 'TIME_EXPRESSION'
  | 'BEHAVIORAL_ENVIRONMENTAL_SOCIAL';

/** Where an entity or attribute was said. Offsets count characters (code points) of the segment's Content,
 * zero-based, end exclusive; `Content` is the text they cover. */
export interface InsightSpan {
  SegmentId: string;
  BeginCharacterOffset: number;
  EndCharacterOffset: number;
  Content: string;
}

export interface InsightAttribute {
  AttributeId: string;
  /** 'DOSAGE', 'STRENGTH', 'FORM', 'ROUTE_OR_MODE', 'FREQUENCY', 'DURATION', 'TEST_VALUE', 'TEST_UNIT',
   * 'ACUITY', 'QUALITY', 'DIRECTION', 'SYSTEM_ORGAN_SITE', … */
  Type: string;
  Spans: InsightSpan[];
}

/** Bedside extra. 'NEGATION', 'SIGN', 'SYMPTOM', 'DIAGNOSIS', 'PERTAINS_TO_FAMILY', 'HYPOTHETICAL',
 * 'PAST_HISTORY', 'LOW_CONFIDENCE', 'FUTURE', … */
export interface InsightTrait {
  Name: string;
  Score: number;
}

/** Bedside extra: an ontology concept. */
export interface InsightCode {
  /** 'ICD-10-CM' (conditions), 'DRUGBANK' or 'MESH' (medications), 'LOINC' (lab tests). */
  System: string;
  Code: string;
  Description: string;
  Score: number;
}

/** One clinical entity (HealthScribe's ClinicalInsight with InsightType 'ClinicalEntity'). */
export interface ClinicalInsight {
  InsightId: string;
  InsightType: 'ClinicalEntity';
  Category: ClinicalCategory;
  /** 'GENERIC_NAME', 'BRAND_NAME', 'DX_NAME', 'TEST_NAME', 'SYSTEM_ORGAN_SITE', 'NAME', 'AGE', … */
  Type: string;
  Spans: InsightSpan[];
  Attributes: InsightAttribute[];
  /** Absent when empty. */
  Traits?: InsightTrait[];
  /** Best first; absent when empty. */
  Codes?: InsightCode[];
}

/** AWS HealthScribe's transcript file, plus Bedside's `Bedside` run facts. */
export interface Transcript {
  Conversation: {
    ConversationId: string;
    JobName: string;
    JobType: string;
    LanguageCode: string;
    /** Empty when the scribe was created with `clinical: false`. */
    ClinicalInsights: ClinicalInsight[];
    TranscriptItems: TranscriptItem[];
    TranscriptSegments: TranscriptSegment[];
    Bedside?: { asrModel: string; audioSeconds: number; channels: number; warnings: string[] };
  };
}

export interface Scribe {
  /** The speech model in use. */
  readonly asr: string;
  /** The note-writing language model (manifest name, or the GGUF's file name), or null for rules. */
  readonly llm: string | null;
  /** Transcribes one visit and writes its note. Calls on one scribe run one after another. */
  process(input: AudioInput, options?: ProcessOptions): Promise<{ transcript: Transcript; documentation?: Documentation }>;
  /** Transcribes a visit while it is recorded: each time a Whisper window (30 s of speech) waits it is
   * recognised, as in a whole recording, and its words reach `onProgress` as `heard`; meanwhile the speech
   * waiting is drafted every few seconds (`draft`). After `end()` only what follows the last window is left, then
   * speakers, sections, insights and the note, exactly as process() does them. Throws SETTINGS_INVALID at
   * once for a bad `sampleRate` or `channelCount`. */
  live(options: LiveOptions): LiveRecording;
  /** Writes the note of a visit already in words: a `[doctor]` / `[patient]` dialogue (one turn a line), a
   * HealthScribe transcript JSON as text, or a Transcript object (e.g. one process() returned, after edits).
   * The transcript comes back with sections and insights (when the clinical files are loaded). */
  noteFromText(input: string | Transcript, options?: NoteOptions): Promise<{ transcript: Transcript; documentation?: Documentation }>;
  /** Frees the model and stops the worker; calls in flight reject. */
  dispose(): Promise<void>;
}

/** Loads and verifies the model files, starts the core and resolves to a ready Scribe. */
export function createScribe(options: CreateScribeOptions): Promise<Scribe>;

/** The Cache API cache that holds downloaded model files. */
export const CACHE_NAME: 'bedside-models-v1';
