//! The whole pipeline behind one object: load models from bytes once, then process visits.
//! Shells (CLI, wasm) only move bytes and events; every decision lives here.

use std::borrow::Cow;
use std::cell::RefCell;

use serde::Serialize;

use crate::clinical::{Clinical, ClinicalBytes};
use crate::asr::{AsrModel, AsrOptions, AsrSegment, StepReport, Transcription};
use crate::audio::{self, Audio};
use crate::error::{BedsideError, Result};
use crate::live::LiveJob;
use crate::llm::ChatModel;
use crate::note::{self, NoteOptions, NoteProgress};
use crate::schema::summary::SummaryFile;
use crate::schema::transcript::{RunInfo, TranscriptFile};
use crate::speakers::{self, Role, RoleAssignment, Turn};
use crate::vad::{Vad, VadOptions};

/// Model files as bytes (the CLI reads them from disk, the browser fetches them).
pub struct ModelBytes {
    pub asr_name: String,
    pub weights: Vec<u8>,
    pub config: Vec<u8>,
    pub tokenizer: Vec<u8>,
    pub mel_filters: Vec<u8>,
    /// Silero VAD weights; without them every window is decoded (slower, more prone to invented text).
    pub vad: Option<Vec<u8>>,
    /// Sections and clinical entities; without them segments are `OTHER` and there are no insights.
    pub clinical: Option<ClinicalBytes>,
    /// A GGUF chat model (llama or qwen2 family) that writes the note's sentences; without one the note
    /// is built from the evidence by rules.
    pub llm: Option<Vec<u8>>,
}

/// Speakers told apart on one mixed channel unless the caller says otherwise: a clinician, a patient and
/// room for a relative or an interpreter (clusters with little speech are dissolved, so two people stay two).
pub const DEFAULT_MAX_SPEAKERS: usize = 4;

/// Who spoke: HealthScribe's two modes, exactly one of which applies.
#[derive(Debug, Clone, PartialEq)]
pub enum SpeakerMode {
    /// Telehealth: each side on its own channel (`ChannelDefinitions`, exactly two).
    Channels(Vec<(u32, Role)>),
    /// One mixed channel: tell up to this many speakers apart (`MaxSpeakerLabels`, 2 to 10).
    Mixed { max_speakers: usize },
}

/// HealthScribe's settings → a mode: channel definitions (`(channel id, "CLINICIAN" | "PATIENT")`) or a
/// speaker count, never both (as in HealthScribe); neither gives the default mixed mode (up to 4 speakers).
pub fn speaker_mode(channel_definitions: Option<Vec<(u32, String)>>, max_speakers: Option<usize>) -> Result<SpeakerMode> {
    match (channel_definitions, max_speakers) {
        (Some(_), Some(_)) => Err(BedsideError::Settings {
            reason: "give channel definitions or a maximum speaker count, not both (as in HealthScribe)".into(),
        }),
        (Some(defs), None) => {
            let parsed = defs
                .into_iter()
                .map(|(id, role)| {
                    Role::parse(&role).map(|r| (id, r)).ok_or_else(|| BedsideError::Settings {
                        reason: format!("participant role `{role}` is neither CLINICIAN nor PATIENT"),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            speakers::validate_channel_definitions(&parsed)?;
            Ok(SpeakerMode::Channels(parsed))
        }
        (None, Some(n)) => {
            speakers::validate_max_speakers(n)?;
            Ok(SpeakerMode::Mixed { max_speakers: n })
        }
        (None, None) => Ok(SpeakerMode::Mixed { max_speakers: DEFAULT_MAX_SPEAKERS }),
    }
}

/// Settings for one visit, with documented defaults (`Settings::default()`).
#[derive(Debug, Clone)]
pub struct Settings {
    pub asr: AsrOptions,
    /// Skip stretches without voice activity (default on when a VAD model is loaded).
    pub use_vad: bool,
    /// Default: one mixed channel with up to `DEFAULT_MAX_SPEAKERS` speakers.
    pub speakers: SpeakerMode,
    /// Replace protected health information (names, ages, dates, phone numbers, …) with `[TYPE]` in
    /// every output. Default off.
    pub redact: bool,
    /// The clinical note to write (template and length); `None` skips the note. Default: H&P.
    pub note: Option<NoteOptions>,
    /// Write note sentences with the loaded language model (default); `false` builds them by rules.
    pub use_llm: bool,
    pub job_name: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            asr: AsrOptions::default(),
            use_vad: true,
            speakers: SpeakerMode::Mixed { max_speakers: DEFAULT_MAX_SPEAKERS },
            redact: false,
            note: Some(NoteOptions::default()),
            use_llm: true,
            job_name: "bedside-visit".into(),
        }
    }
}

/// What a long call reports; the callback answers `false` to stop.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum Progress {
    #[serde(rename_all = "camelCase")]
    Stage { stage: &'static str, done: f64, total: f64 },
    /// A piece of the language model's output while it writes the note.
    Token { text: String },
    /// A note sentence as it will stand (after the fact check), so a viewer can show the note growing.
    #[serde(rename_all = "camelCase")]
    Sentence { section: String, text: String, by_model: bool },
}

pub struct Visit {
    pub transcript: TranscriptFile,
    /// HealthScribe's clinical documentation (`summary.json`), when a note was asked for.
    pub documentation: Option<SummaryFile>,
}

impl Visit {
    pub fn transcript_json(&self) -> String {
        serde_json::to_string_pretty(&self.transcript).expect("transcript serializes")
    }

    pub fn documentation_json(&self) -> Option<String> {
        self.documentation.as_ref().map(|d| serde_json::to_string_pretty(d).expect("summary serializes"))
    }
}

pub struct Scribe {
    pub asr: AsrModel,
    vad: Option<Vad>,
    pub clinical: Option<Clinical>,
    /// Generation needs `&mut` (its KV cache); the core is single-threaded, so a `RefCell` suffices.
    llm: Option<RefCell<ChatModel>>,
}

/// One visit in progress; `step` advances it by one unit of work (a 30-s window of one channel).
pub struct Job {
    /// One recognition per channel with channel identification, else one of the mono mix.
    passes: Vec<Pass>,
    current: usize,
    audio: Audio,
    mode: SpeakerMode,
    info: RunInfo,
    job_name: String,
    redact: bool,
    note: Option<NoteOptions>,
    use_llm: bool,
    /// Per pass, how many of its recognised segments `take_heard` has handed out.
    heard: Vec<usize>,
}

/// Words recognised so far, for a live view while a visit is transcribed: provisional, as the recogniser
/// wrote them (speakers, sections and terms come with `finish`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Heard {
    /// The audio channel, when each channel is recognised on its own (telehealth).
    pub channel_id: Option<u32>,
    pub begin_audio_time: f64,
    pub end_audio_time: f64,
    pub text: String,
}

struct Pass {
    channel: Option<u32>,
    transcription: Transcription,
}
impl Scribe {
    pub fn load(m: ModelBytes) -> Result<Self> {
        let asr = AsrModel::load(&m.asr_name, &m.weights, &m.config, &m.tokenizer, &m.mel_filters)?;
        let vad = m.vad.as_deref().map(Vad::load).transpose()?;
        let clinical = m.clinical.map(Clinical::load).transpose()?;
        let llm = m.llm.as_deref().map(ChatModel::load).transpose()?.map(RefCell::new);
        Ok(Self { asr, vad, clinical, llm })
    }

    /// Redaction finds PHI with the clinical files; asked for without them, a run would hand back the
    /// words unredacted, so it is refused instead.
    pub fn check_redaction(&self, redact: bool) -> Result<()> {
        if redact && self.clinical.is_none() {
            return Err(BedsideError::Settings {
                reason: "redaction needs the clinical files (sections and lexicon), and this scribe was loaded without them".into(),
            });
        }
        Ok(())
    }

    /// A custom vocabulary too long for Whisper's prompt is refused before any audio is read.
    pub fn check_vocabulary(&self, asr: &AsrOptions) -> Result<()> {
        crate::asr::vocabulary::prompt_tokens(&self.asr, &asr.vocabulary).map(|_| ())
    }

    /// Starts a visit from already-decoded audio (any rate, any channel count).
    pub fn begin(&self, audio: Audio, settings: &Settings) -> Result<Job> {
        self.check_redaction(settings.redact)?;
        self.check_vocabulary(&settings.asr)?;
        audio::check_length(audio.frames() as u64, audio.sample_rate_hz, audio.channels.len())?;
        let audio = audio::into_rate(audio, audio::SAMPLE_RATE_HZ)?;
        let mut warnings = Vec::new();
        let mut mode = checked_mode(&settings.speakers, audio.channels.len())?;
        if let SpeakerMode::Channels(defs) = &mode {
            if speakers::channels_identical(&audio.channels[defs[0].0 as usize], &audio.channels[defs[1].0 as usize]) {
                warnings.push(speakers::IDENTICAL_CHANNELS_WARNING.to_string());
                mode = SpeakerMode::Mixed { max_speakers: DEFAULT_MAX_SPEAKERS };
            }
        }
        // Borrowed where possible: on an hour-long call each copy of the audio is 230 MB per channel.
        let sources: Vec<(Option<u32>, Cow<[f32]>)> = match &mode {
            SpeakerMode::Channels(defs) => defs.iter().map(|&(id, _)| (Some(id), Cow::Borrowed(audio.channels[id as usize].as_slice()))).collect(),
            SpeakerMode::Mixed { .. } => vec![(None, audio.mono())],
        };
        let mut passes = Vec::with_capacity(sources.len());
        for (channel, samples) in sources {
            let speech = match self.speech_regions(&samples, settings)? {
                Some(regions) if regions.is_empty() => {
                    warnings.push(no_speech_warning(channel));
                    Some(regions)
                }
                speech => speech,
            };
            passes.push(Pass { channel, transcription: Transcription::new(&self.asr, &samples, speech, settings.asr.clone())? });
        }
        let info = RunInfo {
            asr_model: self.asr.name.clone(),
            audio_seconds: audio.duration_seconds(),
            channels: audio.channels.len() as u32,
            warnings,
        };
        Ok(Job { passes, current: 0, audio, mode, info, job_name: settings.job_name.clone(), redact: settings.redact, note: settings.note.clone(), use_llm: settings.use_llm, heard: Vec::new() })
    }

    /// Voice activity in 16-kHz samples as sample ranges, or `None` when every stretch is to be decoded
    /// (no VAD model loaded, or the caller turned it off).
    pub(crate) fn speech_regions(&self, samples: &[f32], settings: &Settings) -> Result<Option<Vec<(usize, usize)>>> {
        match (&self.vad, settings.use_vad) {
            (Some(vad), true) => {
                let regions = vad.speech_regions(samples, &VadOptions::default())?;
                Ok(Some(regions.into_iter().map(|r| (r.start_sample, r.end_sample)).collect()))
            }
            _ => Ok(None),
        }
    }

    /// Starts a visit that is still being recorded: its audio comes in pieces through
    /// [`LiveJob::push`] at `sample_rate_hz`, with `channels` channels, and is recognised as it comes.
    pub fn begin_live(&self, sample_rate_hz: u32, channels: usize, settings: &Settings) -> Result<LiveJob> {
        self.check_vocabulary(&settings.asr)?;
        LiveJob::new(self, sample_rate_hz, channels, settings)
    }

    pub fn has_vad(&self) -> bool {
        self.vad.is_some()
    }

    /// Starts a visit from file bytes (WAV or FLAC).
    pub fn begin_bytes(&self, bytes: &[u8], settings: &Settings) -> Result<Job> {
        self.begin_owned_bytes(bytes.to_vec(), settings)
    }

    /// [`Scribe::begin_bytes`] for bytes the caller hands over: the file is not copied, and it is freed once
    /// decoded, before recognition allocates (in wasm, a long recording's file is a large share of memory).
    pub fn begin_owned_bytes(&self, bytes: Vec<u8>, settings: &Settings) -> Result<Job> {
        self.begin(audio::prepare_owned(bytes)?, settings)
    }

    /// Runs a whole visit, reporting progress between windows.
    pub fn process(&self, audio: Audio, settings: &Settings, progress: &mut dyn FnMut(Progress) -> bool) -> Result<Visit> {
        let mut job = self.begin(audio, settings)?;
        while let Some(report) = job.step(self)? {
            if !progress(report) {
                return Err(BedsideError::Cancelled);
            }
        }
        job.finish(self, &mut |p| progress(p))
    }

    pub fn process_bytes(&self, bytes: &[u8], settings: &Settings, progress: &mut dyn FnMut(Progress) -> bool) -> Result<Visit> {
        self.process(audio::prepare(bytes)?, settings, progress)
    }

    /// The note for a transcript (from audio, or read from a dialogue text), written from its evidence.
    pub fn write_note(&self, transcript: &TranscriptFile, opts: &NoteOptions, use_llm: bool, progress: &mut dyn FnMut(Progress) -> bool) -> Result<SummaryFile> {
        write_note_with(transcript, opts, self.clinical.as_ref(), if use_llm { self.llm.as_ref() } else { None }, progress)
    }
}

/// The note stage on its own (the text-only path has no recognizer): sentences from evidence groups,
/// checked against the lexicon when it is loaded, written by the model when one is given.
pub fn write_note_with(
    transcript: &TranscriptFile,
    opts: &NoteOptions,
    clinical: Option<&Clinical>,
    llm: Option<&RefCell<ChatModel>>,
    progress: &mut dyn FnMut(Progress) -> bool,
) -> Result<SummaryFile> {
    let mut guard = llm.map(|m| m.borrow_mut());
    let mut on_note = |p: NoteProgress| match p {
        NoteProgress::Sentence { done, total, section, text, by_model } => {
            progress(Progress::Sentence { section: section.to_string(), text: text.to_string(), by_model })
                && progress(Progress::Stage { stage: "note", done: done as f64, total: total as f64 })
        }
        NoteProgress::Token { text } => progress(Progress::Token { text: text.to_string() }),
        _ => true,
    };
    let (summary, _) = note::write_note_checked(transcript, opts, guard.as_deref_mut(), clinical.map(|c| c.lexicon()), &mut on_note)?;
    Ok(summary)
}

/// The speaker mode checked against the recording's channel count (channel identification needs every
/// defined channel to exist).
pub(crate) fn checked_mode(mode: &SpeakerMode, n_channels: usize) -> Result<SpeakerMode> {
    match mode {
        SpeakerMode::Channels(defs) => {
            speakers::validate_channel_definitions(defs)?;
            if n_channels < 2 {
                return Err(BedsideError::Settings {
                    reason: format!("channel identification needs two channels; this recording has {n_channels}"),
                });
            }
            if let Some(&(id, _)) = defs.iter().find(|(id, _)| *id as usize >= n_channels) {
                return Err(BedsideError::Settings {
                    reason: format!("channel {id} is defined but the recording has {n_channels} channels"),
                });
            }
        }
        SpeakerMode::Mixed { max_speakers } => speakers::validate_max_speakers(*max_speakers)?,
    }
    Ok(mode.clone())
}

pub(crate) fn no_speech_warning(channel: Option<u32>) -> String {
    match channel {
        Some(c) => format!("no speech detected on channel {c}"),
        None => "no speech detected".to_string(),
    }
}

/// What a visit's recognition hands to the finishing stages: per pass, its channel and its segments.
pub(crate) struct Recognised {
    pub audio: Audio,
    pub mode: SpeakerMode,
    pub passes: Vec<(Option<u32>, Vec<AsrSegment>)>,
    pub info: RunInfo,
    pub job_name: String,
    pub redact: bool,
    pub note: Option<NoteOptions>,
    pub use_llm: bool,
}

/// The segments recognised since the last call (`reported` counts, per pass, what was handed out), with
/// redaction applied to everything heard so far when asked for.
pub(crate) fn heard_since<'a>(
    scribe: &Scribe,
    passes: impl Iterator<Item = (Option<u32>, &'a [AsrSegment])>,
    reported: &mut Vec<usize>,
    redact: bool,
) -> Result<Vec<Heard>> {
    let mut all: Vec<(bool, Heard)> = Vec::new(); // (new since the last call, segment)
    for (i, (channel, segments)) in passes.enumerate() {
        if reported.len() <= i {
            reported.resize(i + 1, 0);
        }
        all.extend(segments.iter().enumerate().map(|(j, seg)| (j >= reported[i], heard(channel, seg))));
        reported[i] = segments.len();
    }
    shown(scribe, all, redact)
}

/// The lines of live drafts, redacted (when asked for) reading what was recognised before them too.
pub(crate) fn drafted_lines<'a>(
    scribe: &Scribe,
    recognised: impl Iterator<Item = (Option<u32>, &'a [AsrSegment])>,
    drafts: impl Iterator<Item = (Option<u32>, &'a [AsrSegment])>,
    redact: bool,
) -> Result<Vec<Heard>> {
    let mut all: Vec<(bool, Heard)> = Vec::new(); // (a draft line, segment)
    for (channel, segments) in recognised {
        all.extend(segments.iter().map(|seg| (false, heard(channel, seg))));
    }
    for (channel, segments) in drafts {
        all.extend(segments.iter().map(|seg| (true, heard(channel, seg))));
    }
    shown(scribe, all, redact)
}

fn heard(channel: Option<u32>, seg: &AsrSegment) -> Heard {
    Heard { channel_id: channel, begin_audio_time: seg.start, end_audio_time: seg.end, text: seg.text.trim().to_string() }
}

/// The lines marked to be shown, not empty; with redaction, PHI is found reading every line given, since a
/// name or a date is often told apart by the words around it.
fn shown(scribe: &Scribe, mut all: Vec<(bool, Heard)>, redact: bool) -> Result<Vec<Heard>> {
    if !all.iter().any(|(show, _)| *show) {
        return Ok(Vec::new());
    }
    if redact {
        let Some(clinical) = &scribe.clinical else { return Ok(Vec::new()) }; // `begin` refuses this
        let mut file = crate::dialogue::transcript_from_turns(all.iter().map(|(_, h)| ("PATIENT_0", h.text.clone())).collect());
        clinical.extract_insights(&mut file)?;
        crate::insights::redact(&mut file);
        for ((_, h), seg) in all.iter_mut().zip(&file.conversation.transcript_segments) {
            h.text.clone_from(&seg.content);
        }
    }
    Ok(all.into_iter().filter(|(show, h)| *show && !h.text.is_empty()).map(|(_, h)| h).collect())
}

impl Recognised {
    /// Speaker turns and roles from the recognized words, then the transcript file, then its clinical
    /// reading (sections, entities) when those models are loaded, then the note.
    pub fn finish(self, scribe: &Scribe, progress: &mut dyn FnMut(Progress) -> bool) -> Result<Visit> {
        let mut info = self.info;
        let (turns, roles): (Vec<Turn>, RoleAssignment) = match &self.mode {
            SpeakerMode::Channels(defs) => {
                let per_channel: Vec<(u32, Vec<AsrSegment>)> = self.passes.into_iter().map(|(c, s)| (c.unwrap_or(0), s)).collect();
                let channels: Vec<&[f32]> = per_channel.iter().map(|(id, _)| self.audio.channels[*id as usize].as_slice()).collect();
                let (turns, warnings) = speakers::turns_from_channels(&channels, &per_channel)?;
                info.warnings.extend(warnings);
                // Turn speakers are indexes into `per_channel`, which follows the definitions' order.
                let fixed: Vec<(usize, Role)> = defs.iter().enumerate().map(|(i, &(_, role))| (i, role)).collect();
                let roles = speakers::assign_roles(&turns, Some(&fixed));
                (turns, roles)
            }
            SpeakerMode::Mixed { max_speakers } => {
                let segments = self.passes.into_iter().next().map(|(_, s)| s).unwrap_or_default();
                let turns = speakers::diarize(&self.audio.mono(), &segments, *max_speakers)?;
                let roles = speakers::assign_roles(&turns, None);
                (turns, roles)
            }
        };
        info.warnings.extend(roles.warnings.iter().cloned());
        let mut transcript = crate::transcript::build(&turns, &roles, info, &self.job_name);
        if let Some(clinical) = &scribe.clinical {
            clinical.annotate(&mut transcript, self.redact)?;
        }
        let documentation = match &self.note {
            Some(opts) => Some(scribe.write_note(&transcript, opts, self.use_llm, progress)?),
            None => None,
        };
        Ok(Visit { transcript, documentation })
    }
}

impl Job {
    pub fn step(&mut self, scribe: &Scribe) -> Result<Option<Progress>> {
        while self.current < self.passes.len() {
            if let Some(StepReport { processed_seconds, total_seconds, .. }) = self.passes[self.current].transcription.step(&scribe.asr)? {
                // Progress over all passes: each channel is a full pass over the recording.
                let n = self.passes.len() as f64;
                let done = (self.current as f64 * total_seconds + processed_seconds) / n;
                return Ok(Some(Progress::Stage { stage: "transcribe", done, total: total_seconds }));
            }
            self.current += 1;
        }
        Ok(None)
    }

    /// The text recognised since the last call, segment by segment. With redaction asked for, protected
    /// health information is found by the extractor the finished transcript uses, reading everything heard
    /// so far (a name greeted in an earlier window is known), and replaced.
    pub fn take_heard(&mut self, scribe: &Scribe) -> Result<Vec<Heard>> {
        let passes = self.passes.iter().map(|p| (p.channel, p.transcription.segments.as_slice()));
        heard_since(scribe, passes, &mut self.heard, self.redact)
    }

    /// Speaker turns, roles, sections, entities and the note; see [`Recognised::finish`].
    pub fn finish(self, scribe: &Scribe, progress: &mut dyn FnMut(Progress) -> bool) -> Result<Visit> {
        Recognised {
            audio: self.audio,
            mode: self.mode,
            passes: self.passes.into_iter().map(|p| (p.channel, p.transcription.segments)).collect(),
            info: self.info,
            job_name: self.job_name,
            redact: self.redact,
            note: self.note,
            use_llm: self.use_llm,
        }
        .finish(scribe, progress)
    }
}
