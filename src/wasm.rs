//! The WebAssembly shell: one `#[wasm_bindgen]` type that moves bytes in and typed objects out.
//! No decisions here. Errors become JS `Error`s with `code` and `stage` in exactly one place (`js_error`).
//!
//! Long work is driven from JS one step (a 30-s window) at a time — `begin*`, then `step()` until it
//! returns `done`, then `finish()` — so a worker can yield to its event loop, report progress and honour
//! cancellation between steps. A visit being recorded (`beginLive`) takes its audio through `pushPcm`
//! between steps, and `step()` says `waiting` until a window (30 s of speech) of it waits, meanwhile
//! `draft()` drafts the speech waiting; `endLive()` ends it.

use js_sys::{Array, Float32Array, Object, Reflect, Uint8Array};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::asr::vocabulary::{FilterMethod, VocabularyFilter};
use crate::clinical::ClinicalBytes;
use crate::error::BedsideError;
use crate::{audio, Job, LiveJob, ModelBytes, Progress, Scribe, Settings};

/// Samples copied out of JS per piece; small enough that the pieces cost nothing next to the audio.
const PIECE_FRAMES: usize = 1 << 16;

/// Copies decoded channels out of JS a piece at a time, resampling to 16 kHz on the way, so an hour
/// at 48 kHz (690 MB per channel) never sits whole in wasm memory. A recording over
/// [`audio::MAX_CHANNEL_SECONDS`] is refused before anything is copied.
fn channels_from_js(channels: &Array, sample_rate_hz: u32) -> crate::Result<audio::Audio> {
    let arrays: Vec<Float32Array> =
        channels.iter().map(|c| c.dyn_into::<Float32Array>().unwrap_or_else(|other| Float32Array::new(&other))).collect();
    let frames = arrays.first().map_or(0, |a| a.length() as usize);
    if let Some((index, other)) = arrays.iter().enumerate().find(|(_, a)| a.length() as usize != frames) {
        return Err(BedsideError::audio(format!(
            "channels differ in length: channel 0 has {frames} samples, channel {index} has {}",
            other.length()
        )));
    }
    audio::check_length(frames as u64, sample_rate_hz, arrays.len())?;
    let mut piece = vec![0.0f32; PIECE_FRAMES.min(frames)];
    let mut out = Vec::with_capacity(arrays.len());
    for (index, array) in arrays.iter().enumerate() {
        let mut resampler = audio::ChannelResampler::new(sample_rate_hz, audio::SAMPLE_RATE_HZ, frames)?;
        for start in (0..frames).step_by(PIECE_FRAMES) {
            let end = (start + PIECE_FRAMES).min(frames);
            let buf = &mut piece[..end - start];
            array.subarray(start as u32, end as u32).copy_to(buf);
            if let Some(at) = buf.iter().position(|s| !s.is_finite()) {
                return Err(BedsideError::EmptyAudio {
                    reason: format!("channel {index} sample {} is {} (not a finite number)", start + at, buf[at]),
                });
            }
            resampler.push(buf)?;
        }
        out.push(resampler.finish()?);
    }
    audio::from_channels(out, audio::SAMPLE_RATE_HZ)
}

fn js_error(e: BedsideError) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    let _ = Reflect::set(&err, &"code".into(), &e.code().into());
    let _ = Reflect::set(&err, &"stage".into(), &e.stage().into());
    err.into()
}

fn bytes_field(obj: &JsValue, name: &str) -> Result<Option<Vec<u8>>, JsValue> {
    let v = Reflect::get(obj, &name.into())?;
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if let Some(s) = v.as_string() {
        return Ok(Some(s.into_bytes()));
    }
    Ok(Some(Uint8Array::new(&v).to_vec()))
}

fn required(obj: &JsValue, name: &str) -> Result<Vec<u8>, JsValue> {
    bytes_field(obj, name)?.ok_or_else(|| js_error(BedsideError::model(name, "missing from the model files given")))
}

/// Options a JS caller may pass to `begin*` (all optional, camelCase).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
struct JsOptions {
    vad: Option<bool>,
    word_timestamps: Option<bool>,
    job_name: Option<String>,
    beam_size: Option<usize>,
    redact: Option<bool>,
    /// `false` skips the clinical note.
    note: Option<bool>,
    /// Note template name (HISTORY_AND_PHYSICAL, PHYSICAL_SOAP, BEHAVIORAL_SOAP, DAP, BIRP, SIRP, GIRPP).
    template: Option<String>,
    /// The patient's pronouns for the note (`HE_HIM`, `SHE_HER`, `THEY_THEM`; HealthScribe's
    /// `PatientContext.Pronouns`); unset, they are guessed from the clinician's speech.
    patient_pronouns: Option<String>,
    /// `false` writes the note by rules even when a language model is loaded.
    use_llm: Option<bool>,
    /// HealthScribe's `ChannelDefinitions`: `[{ channelId, participantRole }]`, exactly two.
    channel_definitions: Option<Vec<JsChannel>>,
    /// HealthScribe's `MaxSpeakerLabels` for one mixed channel.
    max_speaker_labels: Option<usize>,
    /// Custom vocabulary: words and phrases to favour.
    vocabulary: Option<Vec<String>>,
    /// Words to filter out of the transcript, and how (`mask`, the default, `remove` or `tag`).
    vocabulary_filter: Option<Vec<String>>,
    vocabulary_filter_method: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsChannel {
    channel_id: u32,
    participant_role: String,
}

fn settings(options: JsValue) -> Result<Settings, JsValue> {
    let o: JsOptions = if options.is_undefined() || options.is_null() {
        JsOptions::default()
    } else {
        serde_wasm_bindgen::from_value(options)
            .map_err(|e| js_error(BedsideError::Settings { reason: e.to_string() }))?
    };
    let mut s = Settings::default();
    if let Some(v) = o.vad {
        s.use_vad = v;
    }
    if let Some(w) = o.word_timestamps {
        s.asr.word_timestamps = w;
    }
    if let Some(n) = o.job_name {
        s.job_name = n;
    }
    if let Some(r) = o.redact {
        s.redact = r;
    }
    if let Some(t) = o.template {
        s.note = Some(crate::note::NoteOptions::for_template(&t).map_err(js_error)?);
    }
    if o.note == Some(false) {
        s.note = None;
    }
    if let Some(p) = o.patient_pronouns {
        let pronouns = crate::note::Pronouns::parse(&p).map_err(js_error)?;
        if let Some(note) = s.note.as_mut() {
            note.pronouns = Some(pronouns);
        }
    }
    if let Some(u) = o.use_llm {
        s.use_llm = u;
    }
    if let Some(b) = o.beam_size {
        s.asr.beam_size = b.max(1);
    }
    if let Some(v) = o.vocabulary {
        s.asr.vocabulary = v;
    }
    s.asr.vocabulary_filter = match (o.vocabulary_filter, o.vocabulary_filter_method) {
        (Some(words), method) => {
            let method = FilterMethod::parse(method.as_deref().unwrap_or("mask")).map_err(js_error)?;
            Some(VocabularyFilter::new(&words, method).map_err(js_error)?)
        }
        (None, Some(_)) => return Err(js_error(BedsideError::Settings { reason: "vocabularyFilterMethod without vocabularyFilter".into() })),
        (None, None) => None,
    };
    s.speakers = crate::scribe::speaker_mode(
        o.channel_definitions.map(|c| c.into_iter().map(|c| (c.channel_id, c.participant_role)).collect()),
        o.max_speaker_labels,
    )
    .map_err(js_error)?;
    Ok(s)
}

fn to_js<T: serde::Serialize>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))
}

/// Adapts an optional JS callback to the core's progress callback (only the note stage reports through
/// it): `{ stage: 'note', sentencesWritten, sentences }`, model output as `{ token }`, and each checked
/// sentence as `{ sentence, section, byModel }`. The callback cancels by returning `false`; a callback
/// that throws stops the work too (the run ends with `CANCELLED`, since its exception cannot cross back).
fn js_progress(callback: Option<&js_sys::Function>) -> impl FnMut(Progress) -> bool + '_ {
    move |p| {
        let Some(f) = callback else { return true };
        let event = Object::new();
        match p {
            Progress::Stage { stage, done, total } => {
                let _ = Reflect::set(&event, &"stage".into(), &stage.into());
                let _ = Reflect::set(&event, &"sentencesWritten".into(), &done.into());
                let _ = Reflect::set(&event, &"sentences".into(), &total.into());
            }
            Progress::Token { text } => {
                let _ = Reflect::set(&event, &"token".into(), &text.into());
            }
            Progress::Sentence { section, text, by_model } => {
                let _ = Reflect::set(&event, &"sentence".into(), &text.into());
                let _ = Reflect::set(&event, &"section".into(), &section.into());
                let _ = Reflect::set(&event, &"byModel".into(), &by_model.into());
            }
        }
        match f.call1(&JsValue::NULL, &event) {
            Ok(v) => v.as_bool() != Some(false),
            Err(_) => false,
        }
    }
}

/// The visit in progress: a recording handed over whole, or one still being recorded.
enum Work {
    Whole(Job),
    Live(LiveJob),
}

#[wasm_bindgen]
pub struct WasmScribe {
    scribe: Scribe,
    job: Option<Work>,
}

fn no_visit(call: &str) -> JsValue {
    js_error(BedsideError::Settings { reason: format!("{call} before begin*()") })
}

/// Copies one pushed piece out of JS: an Array of Float32Arrays, one per channel.
fn piece_from_js(channels: &Array) -> Result<Vec<Vec<f32>>, JsValue> {
    channels
        .iter()
        .enumerate()
        .map(|(index, c)| {
            c.dyn_into::<Float32Array>()
                .map(|a| a.to_vec())
                .map_err(|_| js_error(BedsideError::audio(format!("pushed channel {index} is not a Float32Array"))))
        })
        .collect()
}

#[wasm_bindgen]
impl WasmScribe {
    /// `files`: `{ asrName, weights, config, tokenizer, melFilters, vad?, embedderWeights?, embedderConfig?,
    /// embedderTokenizer?, sections?, lexicon? }` as Uint8Arrays (JSON files may be strings); the last five
    /// together turn on sections and clinical entities. Checksums are the caller's job (the package checks them on download).
    #[wasm_bindgen(constructor)]
    pub fn new(files: JsValue) -> Result<WasmScribe, JsValue> {
        console_error_panic_hook::set_once();
        let asr_name = Reflect::get(&files, &"asrName".into())?.as_string().unwrap_or_else(|| "whisper".into());
        let scribe = Scribe::load(ModelBytes {
            asr_name,
            weights: required(&files, "weights")?,
            config: required(&files, "config")?,
            tokenizer: required(&files, "tokenizer")?,
            mel_filters: required(&files, "melFilters")?,
            vad: bytes_field(&files, "vad")?,
            llm: bytes_field(&files, "llm")?,
            clinical: match bytes_field(&files, "lexicon")? {
                None => None,
                Some(lexicon) => Some(ClinicalBytes {
                    embedder_weights: required(&files, "embedderWeights")?,
                    embedder_config: required(&files, "embedderConfig")?,
                    embedder_tokenizer: required(&files, "embedderTokenizer")?,
                    sections: required(&files, "sections")?,
                    lexicon,
                }),
            },
        })
        .map_err(js_error)?;
        Ok(WasmScribe { scribe, job: None })
    }

    /// Starts a visit from WAV or FLAC file bytes.
    #[wasm_bindgen(js_name = beginBytes)]
    pub fn begin_bytes(&mut self, bytes: Vec<u8>, options: JsValue) -> Result<(), JsValue> {
        let s = settings(options)?;
        self.job = Some(Work::Whole(self.scribe.begin_owned_bytes(bytes, &s).map_err(js_error)?));
        Ok(())
    }

    /// Starts a visit from decoded channels (e.g. from `AudioContext.decodeAudioData`).
    #[wasm_bindgen(js_name = beginPcm)]
    pub fn begin_pcm(&mut self, channels: Array, sample_rate: f32, options: JsValue) -> Result<(), JsValue> {
        let s = settings(options)?;
        let audio = channels_from_js(&channels, sample_rate.round() as u32).map_err(js_error)?;
        self.job = Some(Work::Whole(self.scribe.begin(audio, &s).map_err(js_error)?));
        Ok(())
    }

    /// Starts a visit that is still being recorded: `channelCount` channels at `sampleRate` arrive through
    /// `pushPcm`, and `step()` recognises each window (30 s of speech) once it waits.
    #[wasm_bindgen(js_name = beginLive)]
    pub fn begin_live(&mut self, channel_count: u32, sample_rate: f32, options: JsValue) -> Result<(), JsValue> {
        let s = settings(options)?;
        if !(sample_rate.is_finite() && sample_rate >= 1.0) {
            return Err(js_error(BedsideError::audio(format!("sample rate {sample_rate} is not a positive number"))));
        }
        self.job = Some(Work::Live(self.scribe.begin_live(sample_rate.round() as u32, channel_count as usize, &s).map_err(js_error)?));
        Ok(())
    }

    /// Appends the next piece of a live recording: an Array of Float32Arrays, one per channel, of equal length.
    #[wasm_bindgen(js_name = pushPcm)]
    pub fn push_pcm(&mut self, channels: Array) -> Result<(), JsValue> {
        let Some(Work::Live(live)) = self.job.as_mut() else { return Err(no_visit("pushPcm()")) };
        let piece = piece_from_js(&channels)?;
        let slices: Vec<&[f32]> = piece.iter().map(Vec::as_slice).collect();
        live.push(&slices).map_err(js_error)
    }

    /// The live recording is over: the next steps recognise what is left of it, then `finish()`.
    #[wasm_bindgen(js_name = endLive)]
    pub fn end_live(&mut self) -> Result<(), JsValue> {
        let Some(Work::Live(live)) = self.job.as_mut() else { return Err(no_visit("endLive()")) };
        live.end().map_err(js_error)
    }

    /// Does one unit of work (a 30-s window). Returns `{ done: false, stage, processedSeconds,
    /// totalSeconds, heard, draft? }` (`heard`: the words recognised since the last step, `Heard` objects;
    /// `draft`, live only: the drafts still ahead of what is recognised, replacing the last ones),
    /// `{ done: false, waiting: true, recordedSeconds }` (a live recording: nothing to do until more audio
    /// is pushed or it ends) or `{ done: true }`.
    pub fn step(&mut self) -> Result<JsValue, JsValue> {
        let scribe = &self.scribe;
        let job = self.job.as_mut().ok_or_else(|| no_visit("step()"))?;
        let stepped = match job {
            Work::Whole(j) => j.step(scribe),
            Work::Live(l) => l.step(scribe),
        };
        let stepped = stepped.map_err(js_error)?;
        let waiting = match &*job {
            Work::Live(l) if stepped.is_none() && !l.is_done() => Some(l.recorded_seconds()),
            _ => None,
        };
        let out = Object::new();
        match stepped {
            Some(Progress::Stage { stage, done, total }) => {
                Reflect::set(&out, &"done".into(), &false.into())?;
                Reflect::set(&out, &"stage".into(), &stage.into())?;
                Reflect::set(&out, &"processedSeconds".into(), &done.into())?;
                Reflect::set(&out, &"totalSeconds".into(), &total.into())?;
                let heard = match job {
                    Work::Whole(j) => j.take_heard(scribe),
                    Work::Live(l) => l.take_heard(scribe),
                };
                Reflect::set(&out, &"heard".into(), &to_js(&heard.map_err(js_error)?)?)?;
                if let Work::Live(l) = job {
                    // The window just recognised replaces the draft of its stretch.
                    Reflect::set(&out, &"draft".into(), &to_js(&l.drafts(scribe).map_err(js_error)?)?)?;
                }
            }
            None if waiting.is_some() => {
                Reflect::set(&out, &"done".into(), &false.into())?;
                Reflect::set(&out, &"waiting".into(), &true.into())?;
                Reflect::set(&out, &"recordedSeconds".into(), &waiting.into())?;
            }
            // Recognition reports stages only; tokens come from the note, which `finish` writes.
            Some(Progress::Token { .. } | Progress::Sentence { .. }) | None => {
                Reflect::set(&out, &"done".into(), &true.into())?;
            }
        }
        Ok(out.into())
    }

    /// While a live recording waits for audio (`step()` said `waiting`): drafts the speech waiting since its
    /// last recognised window, when enough more has come (see `LiveJob::draft`). Returns `{ processedSeconds,
    /// totalSeconds, draft }` (`draft`: every channel's draft lines, `Heard` objects, replacing the last
    /// ones) or `null` when no draft was due.
    pub fn draft(&mut self) -> Result<JsValue, JsValue> {
        let Some(Work::Live(live)) = self.job.as_mut() else { return Err(no_visit("draft()")) };
        if !live.draft(&self.scribe).map_err(js_error)? {
            return Ok(JsValue::NULL);
        }
        let out = Object::new();
        Reflect::set(&out, &"processedSeconds".into(), &live.recognised_seconds().into())?;
        Reflect::set(&out, &"totalSeconds".into(), &live.recorded_seconds().into())?;
        Reflect::set(&out, &"draft".into(), &to_js(&live.drafts(&self.scribe).map_err(js_error)?)?)?;
        Ok(out.into())
    }

    /// Ends the visit and returns `{ transcript, documentation? }` (HealthScribe's transcript and clinical
    /// documentation files as objects). The note is written inside this call; `onProgress`, when given, is
    /// called synchronously with `{ stage: 'note', sentencesWritten, sentences }`, `{ token }` (model output
    /// as it is written) and `{ sentence, section, byModel }` (each sentence once checked); returning
    /// `false` from it cancels (`CANCELLED`).
    pub fn finish(&mut self, on_progress: Option<js_sys::Function>) -> Result<JsValue, JsValue> {
        let job = self.job.take().ok_or_else(|| no_visit("finish()"))?;
        let mut progress = js_progress(on_progress.as_ref());
        let visit = match job {
            Work::Whole(j) => j.finish(&self.scribe, &mut progress),
            Work::Live(l) => l.finish(&self.scribe, &mut progress),
        }
        .map_err(js_error)?;
        let out = Object::new();
        Reflect::set(&out, &"transcript".into(), &to_js(&visit.transcript)?)?;
        if let Some(doc) = &visit.documentation {
            Reflect::set(&out, &"documentation".into(), &to_js(doc)?)?;
        }
        Ok(out.into())
    }

    /// Reads a transcript given as text (an ACI-Bench `[doctor]`/`[patient]` dialogue or a HealthScribe
    /// transcript JSON) and returns `{ transcript, documentation? }`, as `bedside note` does.
    #[wasm_bindgen(js_name = noteFromText)]
    pub fn note_from_text(&mut self, text: &str, options: JsValue, on_progress: Option<js_sys::Function>) -> Result<JsValue, JsValue> {
        let s = settings(options)?;
        self.scribe.check_redaction(s.redact).map_err(js_error)?;
        let mut file = crate::dialogue::transcript_from_text(text).map_err(js_error)?;
        if let Some(clinical) = &self.scribe.clinical {
            clinical.annotate(&mut file, s.redact).map_err(js_error)?;
        }
        let out = Object::new();
        if let Some(opts) = &s.note {
            let doc = self.scribe.write_note(&file, opts, s.use_llm, &mut js_progress(on_progress.as_ref())).map_err(js_error)?;
            Reflect::set(&out, &"documentation".into(), &to_js(&doc)?)?;
        }
        Reflect::set(&out, &"transcript".into(), &to_js(&file)?)?;
        Ok(out.into())
    }

    /// Runs one clinical stage on a transcript (HealthScribe transcript JSON or dialogue text) and returns
    /// the transcript object: `stage` is `'sections'` (every segment's section) or `'insights'` (clinical
    /// entities, replacing earlier ones). For re-running a stage after a reviewer edited the transcript.
    pub fn annotate(&mut self, text: &str, stage: &str) -> Result<JsValue, JsValue> {
        let clinical = self.scribe.clinical.as_ref().ok_or_else(|| js_error(BedsideError::model("clinical", "no sections/lexicon files were loaded")))?;
        let mut file = crate::dialogue::transcript_from_text(text).map_err(js_error)?;
        match stage {
            "sections" => clinical.classify_sections(&mut file),
            "insights" => clinical.extract_insights(&mut file),
            other => Err(BedsideError::Settings { reason: format!("unknown stage `{other}` (sections, insights)") }),
        }
        .map_err(js_error)?;
        to_js(&file)
    }

    /// Drops the visit in progress (after a cancel).
    pub fn cancel(&mut self) {
        self.job = None;
    }

    #[wasm_bindgen(js_name = asrName)]
    pub fn asr_name(&self) -> String {
        self.scribe.asr.name.clone()
    }
}

/// Decodes a WAV or FLAC file to `{ sampleRate, channels }` (one Float32Array per channel, at the file's own
/// rate), for tools that hand decoded audio back in, such as a benchmark replaying a file as a microphone.
#[wasm_bindgen(js_name = decodeAudio)]
pub fn decode_audio(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let decoded = audio::decode(bytes).map_err(js_error)?;
    let out = Object::new();
    Reflect::set(&out, &"sampleRate".into(), &decoded.sample_rate_hz.into())?;
    let channels = Array::new();
    for c in &decoded.channels {
        channels.push(&Float32Array::from(c.as_slice()));
    }
    Reflect::set(&out, &"channels".into(), &channels)?;
    Ok(out.into())
}
