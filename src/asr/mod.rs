//! Speech recognition over a whole recording with Whisper: window after window as Whisper intends (seeking
//! by timestamp tokens, carrying the previous text as context), with temperature fallback, the no-speech
//! and compression-ratio checks, windows without voice activity skipped, and word timestamps.
//!
//! Input: 16 kHz mono samples (and optionally speech regions from `vad`). Output: `AsrSegment`s with words.
//! The loop is driven one window at a time (`Transcription::step`) so a shell can report progress, yield
//! to its event loop, and cancel between windows. Follows openai/whisper `transcribe.py`.

pub mod align;
pub mod decode;
pub mod fallback;
pub mod model;
pub mod timeline;
pub mod tokens;
pub mod vocabulary;

use candle_core::{Device, Tensor};
use tokenizers::Tokenizer;

use crate::error::{BedsideError, Result};
use crate::mel;
use decode::{compression_ratio, Decoder, SplitMix64, WindowResult};
use fallback::Checks;
use model::{Config, Whisper};
use timeline::Timeline;
use tokens::SpecialTokens;
use vocabulary::VocabularyFilter;

const WINDOW_FRAMES: usize = 3000;
const SECONDS_PER_FRAME: f64 = 0.01;
/// A draft's encoder input is its audio padded to a whole second, and at least this long (10 s).
const DRAFT_MIN_FRAMES: usize = 1000;
const SECONDS_PER_TIMESTAMP: f64 = 0.02;

/// A loaded recognizer: weights, tokenizer, special tokens and mel filters.
pub struct AsrModel {
    pub name: String,
    pub whisper: Whisper,
    pub tokenizer: Tokenizer,
    pub special: SpecialTokens,
    mel_filters: Vec<f32>,
}

impl AsrModel {
    pub fn load(name: &str, weights: &[u8], config_json: &[u8], tokenizer_json: &[u8], mel_filters: &[u8]) -> Result<Self> {
        let config: Config = serde_json::from_slice(config_json)
            .map_err(|e| BedsideError::model(name, format!("config is not a Whisper config.json: {e}")))?;
        let tokenizer = Tokenizer::from_bytes(tokenizer_json).map_err(|e| BedsideError::model(name, format!("tokenizer: {e}")))?;
        let multilingual = config.vocab_size >= 51865;
        let special = SpecialTokens::from_tokenizer(&tokenizer, multilingual, name)?;
        if mel_filters.len() != config.num_mel_bins * mel::N_FREQ_BINS * 4 {
            return Err(BedsideError::model(
                name,
                format!("mel filters are {} bytes, {} mel bins need {}", mel_filters.len(), config.num_mel_bins, config.num_mel_bins * mel::N_FREQ_BINS * 4),
            ));
        }
        let mel_filters = mel_filters.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        let whisper = Whisper::load(weights, config, name)?;
        Ok(Self { name: name.to_string(), whisper, tokenizer, special, mel_filters })
    }

    fn text(&self, tokens: &[u32]) -> String {
        let text_only: Vec<u32> = tokens.iter().copied().filter(|&t| t < self.special.eot).collect();
        self.tokenizer.decode(&text_only, false).unwrap_or_default()
    }
}

/// Decoding settings, with Whisper's own defaults.
#[derive(Debug, Clone)]
pub struct AsrOptions {
    /// Tried in order while a window's output looks wrong (too repetitive or too unlikely).
    pub temperatures: Vec<f32>,
    pub compression_ratio_threshold: f32,
    pub logprob_threshold: f32,
    pub no_speech_threshold: f32,
    pub condition_on_previous_text: bool,
    pub word_timestamps: bool,
    pub max_tokens_per_window: usize,
    /// Beams searched at temperature 0 (1 = greedy). 5 as in faster-whisper and openai/whisper's CLI.
    pub beam_size: usize,
    /// Words and phrases to favour (HealthScribe's custom vocabulary); see [`vocabulary`].
    pub vocabulary: Vec<String>,
    /// Words to mask, remove or tag in every recognised segment.
    pub vocabulary_filter: Option<VocabularyFilter>,
}

impl Default for AsrOptions {
    fn default() -> Self {
        Self {
            temperatures: vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
            compression_ratio_threshold: 2.4,
            logprob_threshold: -1.0,
            no_speech_threshold: 0.6,
            condition_on_previous_text: true,
            word_timestamps: true,
            max_tokens_per_window: 224,
            beam_size: 5,
            vocabulary: Vec::new(),
            vocabulary_filter: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// The word as spoken, without its leading space; punctuation tokens are words of their own.
    pub text: String,
    pub start: f64,
    pub end: f64,
    pub probability: f32,
    /// Listed by the vocabulary filter (masked, or tagged).
    pub filtered: bool,
}

impl Word {
    /// A masked word (`***`) is still a word, spoken and timed.
    pub fn is_punctuation(&self) -> bool {
        !self.filtered && !self.text.is_empty() && self.text.chars().all(|c| c.is_ascii_punctuation() || "“”‘’…".contains(c))
    }
}

#[derive(Debug, Clone)]
pub struct AsrSegment {
    pub start: f64,
    pub end: f64,
    pub text: String,
    pub words: Vec<Word>,
    pub avg_logprob: f32,
    pub no_speech_prob: f32,
}

/// One recording being transcribed; `step` decodes the next window.
pub struct Transcription {
    n_mels: usize,
    mel: Vec<f32>,
    /// Mel frames of real audio (the mel holds 30 s of padding after them).
    content_frames: usize,
    total_frames: usize,
    /// Maps times in the decoded (speech-only) audio back to the recording.
    timeline: Timeline,
    recording_seconds: f64,
    seek: usize,
    prompt: Vec<u32>,
    /// The custom vocabulary's tokens, at the head of every window's prompt.
    vocabulary: Vec<u32>,
    rng: SplitMix64,
    options: AsrOptions,
    /// Read as a draft (see [`Transcription::as_draft`]).
    draft: bool,
    pub segments: Vec<AsrSegment>,
}

pub struct StepReport {
    pub processed_seconds: f64,
    pub total_seconds: f64,
    pub new_segments: usize,
}

impl Transcription {
    pub fn new(model: &AsrModel, samples_16k: &[f32], speech_regions: Option<Vec<(usize, usize)>>, options: AsrOptions) -> Result<Self> {
        let n_mels = model.whisper.config.num_mel_bins;
        let recording_seconds = samples_16k.len() as f64 / 16_000.0;
        let timeline = match &speech_regions {
            Some(regions) => Timeline::speech(samples_16k.len(), regions),
            None => Timeline::identity(samples_16k.len()),
        };
        // The speech stretches are read where they lie, and Whisper's 30 s of silence after them (so the
        // last window is a full one) is never written out.
        let pieces = timeline.pieces(samples_16k);
        let content_frames = mel::n_frames(pieces.iter().map(|p| p.len()).sum());
        let mel = mel::log_mel_spectrogram_padded(&pieces, WINDOW_FRAMES * mel::HOP_SAMPLES, &model.mel_filters, n_mels)?;
        let total_frames = mel.len() / n_mels;
        let vocabulary = vocabulary::prompt_tokens(model, &options.vocabulary)?;
        Ok(Self {
            n_mels,
            mel,
            content_frames,
            total_frames,
            timeline,
            recording_seconds,
            seek: 0,
            prompt: Vec::new(),
            vocabulary,
            rng: SplitMix64::new(0x5eed),
            options,
            draft: false,
            segments: Vec::new(),
        })
    }

    /// Reads this audio once, quickly, as a draft of words to be recognised properly later: the encoder
    /// sees the audio itself (padded to a whole second, at least 10 s) rather than a full 30-s window,
    /// which costs a third or less for a few seconds of speech, and the words after Whisper's last
    /// finished segment are kept as a segment of their own instead of being left for a next window.
    pub fn as_draft(mut self) -> Self {
        self.draft = true;
        self
    }

    /// Takes over the decoding context of the stretch recognised just before this one (its text as the
    /// prompt, the sampler's state), so a recording recognised in blocks reads on across the seams.
    pub fn continue_from(&mut self, earlier: Transcription) {
        self.prompt = earlier.prompt;
        self.rng = earlier.rng;
    }

    /// Reads on from the same text as `earlier` does, leaving `earlier` as it is (a draft of what follows).
    pub fn prompt_like(&mut self, earlier: &Transcription) {
        self.prompt.clone_from(&earlier.prompt);
    }

    /// Length of the recording (not of the speech-only audio that is decoded).
    pub fn total_seconds(&self) -> f64 {
        self.recording_seconds
    }

    pub fn is_done(&self) -> bool {
        self.seek >= self.content_frames
    }

    fn window(&self, frames: usize) -> Result<Tensor> {
        let width = if self.draft { frames.next_multiple_of(100).clamp(DRAFT_MIN_FRAMES, WINDOW_FRAMES) } else { WINDOW_FRAMES };
        let mut data = Vec::with_capacity(self.n_mels * width);
        for m in 0..self.n_mels {
            let row = &self.mel[m * self.total_frames..(m + 1) * self.total_frames];
            let end = (self.seek + frames).min(self.total_frames);
            data.extend_from_slice(&row[self.seek..end]);
            // Past the real audio, the padding's log-mel value (the row's own padding region).
            let pad_value = row[self.total_frames - 1];
            data.resize((m + 1) * width, pad_value);
        }
        Tensor::from_vec(data, (1, self.n_mels, width), &Device::Cpu).map_err(BedsideError::runtime("asr"))
    }

    fn decode_with_fallback(&mut self, model: &AsrModel, audio: &Tensor) -> Result<WindowResult> {
        let decoder = Decoder::new(&model.whisper, &model.special);
        let o = &self.options;
        let previous = if o.condition_on_previous_text { self.prompt.as_slice() } else { &[] };
        let room = model.whisper.decoder.max_positions() / 2 - 1;
        let prompt = vocabulary::prompt_with(&self.vocabulary, previous, room);
        let mut failed = Vec::new();
        for &temperature in &o.temperatures {
            let mut r = decoder.decode(audio, &prompt, temperature, o.beam_size, &mut self.rng, o.max_tokens_per_window)?;
            if !self.vocabulary.is_empty() && fallback::reads_too_little(&r.tokens, &model.special) {
                // The list led the decoder astray (a few words stretched over many seconds of speech):
                // this window is read as it would be without a vocabulary.
                let plain = vocabulary::prompt_with(&[], previous, room);
                r = decoder.decode(audio, &plain, temperature, o.beam_size, &mut self.rng, o.max_tokens_per_window)?;
            }
            r.compression_ratio = compression_ratio(&model.text(&r.tokens));
            let checks = Checks::of(&r, o, &model.special);
            if checks.passed() {
                return Ok(r);
            }
            failed.push((checks, r));
        }
        fallback::best_of_failed(failed).ok_or_else(|| BedsideError::Settings { reason: "no decoding temperatures".into() })
    }

    /// Decodes the next window. Returns `None` once the whole recording is done.
    pub fn step(&mut self, model: &AsrModel) -> Result<Option<StepReport>> {
        if self.is_done() {
            return Ok(None);
        }
        let frames = WINDOW_FRAMES.min(self.content_frames - self.seek);
        let time_offset = self.seek as f64 * SECONDS_PER_FRAME;
        let mel = self.window(frames)?;
        let audio = model.whisper.encoder.forward(&mel).map_err(BedsideError::runtime("asr"))?;
        let r = self.decode_with_fallback(model, &audio)?;
        let before = self.segments.len();

        let o = &self.options;
        if fallback::is_silence(&r, o) {
            self.seek += frames;
            return Ok(Some(self.report(before)));
        }
        let sp = &model.special;
        let ts = |t: u32| (t - sp.timestamp_begin) as f64 * SECONDS_PER_TIMESTAMP;
        let toks = &r.tokens;
        // Pieces of (start token index, end token index exclusive) delimited by consecutive timestamps.
        let mut pieces = Vec::new();
        let mut last = 0;
        for i in 1..toks.len() {
            if sp.is_timestamp(toks[i]) && sp.is_timestamp(toks[i - 1]) {
                pieces.push((last, i));
                last = i;
            }
        }
        let single_ending = toks.len() >= 2 && sp.is_timestamp(toks[toks.len() - 1]) && !sp.is_timestamp(toks[toks.len() - 2]);
        let mut found: Vec<(f64, f64, Vec<u32>, Vec<f32>)> = Vec::new();
        let mut advance = frames;
        if !pieces.is_empty() {
            if single_ending {
                pieces.push((last, toks.len()));
            }
            for &(a, b) in &pieces {
                let piece = &toks[a..b];
                let (Some(&first), Some(&end)) = (piece.first(), piece.last()) else { continue };
                if !sp.is_timestamp(first) || !sp.is_timestamp(end) {
                    continue;
                }
                found.push((ts(first), ts(end), piece.to_vec(), r.probs[a..b].to_vec()));
            }
            if !single_ending && self.draft {
                // A draft is not read on from: the unfinished last segment runs to the audio's end.
                found.push((ts(toks[last]), frames as f64 * SECONDS_PER_FRAME, toks[last..].to_vec(), r.probs[last..].to_vec()));
            } else if !single_ending {
                let last_ts = toks[last - 1];
                advance = ((ts(last_ts) / SECONDS_PER_FRAME).round() as usize).clamp(1, frames);
            }
        } else {
            let mut duration = frames as f64 * SECONDS_PER_FRAME;
            if let Some(&t) = toks.iter().rev().find(|&&t| sp.is_timestamp(t)) {
                if t != sp.timestamp_begin {
                    duration = ts(t);
                }
            }
            found.push((0.0, duration, toks.clone(), r.probs.clone()));
        }

        // Text tokens of every piece, aligned to the audio together: DTW spans the whole window, so
        // aligning a piece on its own would stretch it over audio that belongs to its neighbours.
        let pieces_text: Vec<(f64, f64, Vec<u32>, Vec<f32>)> = found
            .into_iter()
            .map(|(start, end, piece, probs)| {
                let idx: Vec<usize> = (0..piece.len()).filter(|&i| piece[i] < sp.eot).collect();
                (start, end, idx.iter().map(|&i| piece[i]).collect(), idx.iter().map(|&i| probs[i]).collect())
            })
            .collect();
        let all_text: Vec<u32> = pieces_text.iter().flat_map(|p| p.2.iter().copied()).collect();
        let times = if o.word_timestamps { Some(align::align(&model.whisper, sp, &audio, &all_text, frames)?) } else { None };
        let mut first = 0;
        for (start, end, text_tokens, token_probs) in pieces_text {
            let range = first..first + text_tokens.len();
            first = range.end;
            let text = model.text(&text_tokens).trim().to_string();
            if text.is_empty() {
                continue;
            }
            let mut words = match &times {
                Some(t) if t.start.len() >= range.end => {
                    let piece_times = align::TokenTimes { start: t.start[range.clone()].to_vec(), end: t.end[range].to_vec() };
                    group_words(model, &text_tokens, &token_probs, &piece_times, time_offset)
                }
                _ => Vec::new(),
            };
            // The timestamp tokens bound the piece; alignment may drift across a pause outside them.
            let (piece_start, piece_end) = (time_offset + start, time_offset + end);
            if piece_end > piece_start {
                for w in words.iter_mut() {
                    w.start = w.start.clamp(piece_start, piece_end);
                    w.end = w.end.clamp(w.start, piece_end);
                }
            }
            for w in words.iter_mut() {
                w.start = self.timeline.to_recording(w.start, false, 16_000.0);
                w.end = self.timeline.to_recording(w.end, true, 16_000.0).max(w.start);
            }
            let (mut s, mut e) =
                (self.timeline.to_recording(piece_start, false, 16_000.0), self.timeline.to_recording(piece_end, true, 16_000.0));
            if let (Some(f), Some(l)) = (words.first(), words.last()) {
                s = f.start;
                e = l.end.max(f.start);
            }
            let mut segment = AsrSegment { start: s, end: e, text, words, avg_logprob: r.avg_logprob, no_speech_prob: r.no_speech_prob };
            if let Some(filter) = &self.options.vocabulary_filter {
                filter.apply(&mut segment);
                if segment.text.trim().is_empty() {
                    continue;
                }
            }
            self.segments.push(segment);
        }
        self.seek += advance;
        if self.options.condition_on_previous_text && r.temperature <= 0.5 {
            self.prompt.extend(r.tokens.iter().copied().filter(|&t| t < sp.eot || sp.is_timestamp(t)));
        } else {
            self.prompt.clear();
        }
        Ok(Some(self.report(before)))
    }

    fn report(&self, before: usize) -> StepReport {
        StepReport {
            processed_seconds: if self.is_done() {
                self.recording_seconds
            } else {
                self.timeline.to_recording(self.seek as f64 * SECONDS_PER_FRAME, false, 16_000.0)
            },
            total_seconds: self.total_seconds(),
            new_segments: self.segments.len() - before,
        }
    }
}

/// Joins word pieces: a token that starts with a space, or is punctuation, begins a new word.
fn group_words(model: &AsrModel, tokens: &[u32], probs: &[f32], times: &align::TokenTimes, offset: f64) -> Vec<Word> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, &t) in tokens.iter().enumerate() {
        let piece = model.tokenizer.decode(&[t], false).unwrap_or_default();
        let punct = !piece.trim().is_empty() && piece.trim().chars().all(|c| c.is_ascii_punctuation());
        if groups.is_empty() || piece.starts_with(' ') || punct {
            groups.push(vec![i]);
        } else {
            groups.last_mut().unwrap().push(i);
        }
    }
    groups
        .into_iter()
        .filter_map(|g| {
            let ids: Vec<u32> = g.iter().map(|&i| tokens[i]).collect();
            let text = model.tokenizer.decode(&ids, false).unwrap_or_default().trim().to_string();
            if text.is_empty() {
                return None;
            }
            let start = times.start.get(g[0]).copied().unwrap_or(0.0) as f64 + offset;
            let end = times.end.get(*g.last().unwrap()).copied().unwrap_or(0.0) as f64 + offset;
            let probability = g.iter().map(|&i| probs[i]).sum::<f32>() / g.len() as f32;
            Some(Word { text, start, end: end.max(start), probability, filtered: false })
        })
        .collect()
}
