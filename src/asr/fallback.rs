//! Which reading of a window to keep. A window is read at one temperature after another until a reading
//! passes the checks (Whisper's own: not too repetitive, not too unlikely, unless the window is silence;
//! and ours: not a few words stretched over many seconds of speech).
//!
//! When no temperature passes, openai/whisper keeps the last reading, the most random one. A window whose
//! speech really repeats itself (a phrase said twice, a recording looped) fails the repetition check at
//! every temperature, and the last reading was then a skip: 30 s of speech read as "The", or as one made-up
//! sentence. Like faster-whisper, the reading kept is then the likeliest of those that are not too
//! repetitive; a reading that reads too little ranks below every other.

use super::decode::WindowResult;
use super::tokens::SpecialTokens;
use super::AsrOptions;

/// How one reading fared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Checks {
    silent: bool,
    repetitive: bool,
    unlikely: bool,
    sparse: bool,
}

impl Checks {
    pub fn of(r: &WindowResult, options: &AsrOptions, special: &SpecialTokens) -> Self {
        Self {
            silent: is_silence(r, options),
            repetitive: r.compression_ratio > options.compression_ratio_threshold,
            unlikely: r.avg_logprob < options.logprob_threshold,
            sparse: reads_too_little(&r.tokens, special),
        }
    }

    pub fn passed(&self) -> bool {
        self.silent || !(self.repetitive || self.unlikely || self.sparse)
    }
}

/// Whisper's no-speech rule: the window is taken for silence and passed over.
pub fn is_silence(r: &WindowResult, options: &AsrOptions) -> bool {
    r.no_speech_prob > options.no_speech_threshold && r.avg_logprob < options.logprob_threshold
}

/// The reading to keep when none passed: every reading but a sparse one before any sparse one, then one
/// that is not too repetitive before one that is, then the likeliest.
pub fn best_of_failed(readings: Vec<(Checks, WindowResult)>) -> Option<WindowResult> {
    readings
        .into_iter()
        .max_by(|(a, x), (b, y)| (!a.sparse, !a.repetitive).cmp(&(!b.sparse, !b.repetitive)).then(x.avg_logprob.total_cmp(&y.avg_logprob)))
        .map(|(_, r)| r)
}

/// Whether a window's reading stretches a few tokens over many seconds: a piece between two timestamps
/// of at least `SPARSE_PIECE_SECONDS` with under one token a second. Speech runs at three or more tokens
/// a second; with a vocabulary in the prompt, tiny.en once read 15 s of a visit as "It's not an idea you!".
pub fn reads_too_little(tokens: &[u32], special: &SpecialTokens) -> bool {
    let mut start: Option<u32> = None;
    let mut text_tokens = 0usize;
    for &t in tokens {
        if special.is_timestamp(t) {
            match start {
                Some(s) if text_tokens > 0 => {
                    let seconds = t.saturating_sub(s) as f64 * 0.02;
                    if seconds >= SPARSE_PIECE_SECONDS && (text_tokens as f64) < seconds {
                        return true;
                    }
                    start = None;
                }
                _ => start = Some(t),
            }
            text_tokens = 0;
        } else if t < special.eot {
            text_tokens += 1;
        }
    }
    false
}

/// See [`reads_too_little`].
const SPARSE_PIECE_SECONDS: f64 = 5.0;

#[cfg(test)]
mod tests {
    use super::*;

    // tiny.en's ids: text below 50256 (end of text), timestamps from 50364 in steps of 0.02 s.
    fn special() -> SpecialTokens {
        SpecialTokens { eot: 50256, sot: 50257, sot_prev: 50360, no_timestamps: 50363, timestamp_begin: 50364, no_speech: 50361, sot_sequence: vec![50257] }
    }

    fn ts(seconds: f64) -> u32 {
        50364 + (seconds / 0.02).round() as u32
    }

    fn reading(tokens: Vec<u32>, avg_logprob: f32, compression_ratio: f32, temperature: f32) -> WindowResult {
        WindowResult { probs: vec![0.5; tokens.len()], tokens, avg_logprob, no_speech_prob: 0.0, compression_ratio, temperature }
    }

    #[test]
    fn a_few_tokens_stretched_over_many_seconds_is_reading_too_little() {
        let sp = special();
        // 4 tokens over 15.4 s: too little.
        assert!(reads_too_little(&[ts(1.0), 1, 2, 3, 4, ts(16.4), ts(16.4), 5, 6, ts(18.0)], &sp));
        // Speech at three tokens a second, and a short piece with one word, are not.
        let normal: Vec<u32> = [ts(0.0)].into_iter().chain(1..=30).chain([ts(10.0), ts(10.0), 7, ts(12.0)]).collect();
        assert!(!reads_too_little(&normal, &sp));
    }

    #[test]
    fn a_reading_passes_unless_repetitive_unlikely_or_sparse() {
        let (sp, o) = (special(), AsrOptions::default());
        let speech: Vec<u32> = [ts(0.0)].into_iter().chain(1..=30).chain([ts(10.0)]).collect();
        assert!(Checks::of(&reading(speech.clone(), -0.3, 1.8, 0.0), &o, &sp).passed());
        assert!(!Checks::of(&reading(speech.clone(), -0.3, 2.7, 0.0), &o, &sp).passed());
        assert!(!Checks::of(&reading(speech.clone(), -1.3, 1.8, 0.0), &o, &sp).passed());
        assert!(!Checks::of(&reading(vec![ts(0.0), 1, ts(20.0)], -0.3, 1.0, 0.0), &o, &sp).passed());
        // Silence is silence however unlikely its (empty) reading.
        let silence = WindowResult { no_speech_prob: 0.9, ..reading(vec![], -1.5, 0.0, 0.0) };
        assert!(Checks::of(&silence, &o, &sp).passed());
    }

    #[test]
    fn when_no_reading_passes_the_likeliest_that_reads_the_speech_is_kept() {
        let (sp, o) = (special(), AsrOptions::default());
        let speech: Vec<u32> = [ts(0.0)].into_iter().chain(1..=60).chain([ts(20.0)]).collect();
        // A window whose speech repeats itself: every full reading too repetitive, the last a skip.
        let readings: Vec<WindowResult> = vec![
            reading(speech.clone(), -0.22, 2.72, 0.0),
            reading(speech.clone(), -0.40, 2.66, 0.4),
            reading(speech.clone(), -0.58, 2.59, 0.8),
            reading(vec![ts(0.0), 1, 2, ts(28.0)], -4.4, 0.33, 1.0),
        ];
        let checked = readings.into_iter().map(|r| (Checks::of(&r, &o, &sp), r)).collect::<Vec<_>>();
        assert!(checked.iter().all(|(c, _)| !c.passed()));
        assert_eq!(best_of_failed(checked).unwrap().temperature, 0.0);
        // Not too repetitive beats likelier but repetitive.
        let readings = [reading(speech.clone(), -0.3, 2.9, 0.0), reading(speech.clone(), -1.2, 2.0, 0.2)];
        let checked = readings.into_iter().map(|r| (Checks::of(&r, &o, &sp), r)).collect::<Vec<_>>();
        assert_eq!(best_of_failed(checked).unwrap().temperature, 0.2);
        assert!(best_of_failed(Vec::new()).is_none());
    }
}
