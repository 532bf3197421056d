//! Channel identification: each participant on a channel of their own (a telehealth call), recognized
//! channel by channel; here the channels' words become one conversation.
//!
//! Input: the channels' 16 kHz samples and, for each channel in the same order, its id and recognizer
//! segments. Output: [`Turn`]s (speaker = the channel's index) in time order, and warnings.
//!
//! Steps: (1) each channel's own voice activity, from 10 ms frame power against that channel's speech
//! level (the 95th percentile of its non-silent frames' power), so channel gains do not matter, minus the
//! frames where another channel is much louder (relative to its own level): those are leaks;
//! (2) crosstalk: a word on channel A is dropped when another channel B, over the word's time, is
//! `CROSSTALK_RATIO` times louder relative to its speech level and B's recognizer heard a word there too:
//! A only picked up B's voice; (3) word times are re-anchored to the activity: the recognizer sometimes
//! stretches a word across a long silence of its channel (while the other side talks), which would put a
//! turn in the wrong place, so a run of words lying mostly outside the channel's own speech is packed into
//! the active speech next to the words it belongs with; (4) turns are cut per recognizer segment and
//! interleaved by start time.
//!
//! Limits: genuine double talk survives only where each voice is louder on its own channel; a channel
//! quieter than `SILENT_POWER` is reported silent. The channels are expected to have the same length
//! (they come from one file); a shorter one is treated as silent past its end.

use super::roles::Role;
use super::{build_turns, Turn};
use crate::asr::{AsrSegment, Word};
use crate::error::{BedsideError, Result};

const HOP: usize = 160;
/// Frame power (full scale = 1) below which a whole channel counts as silent (-60 dBFS).
const SILENT_POWER: f32 = 1e-6;
/// A channel with fewer frames than this (0.5 s) above `SILENT_POWER` is silent.
const MIN_SOUND_FRAMES: usize = 50;
/// A frame is active speech when within this many dB of the channel's speech level.
const ACTIVE_DB: f32 = 30.0;
/// Activity is widened by this many frames each side, so word edges (soft consonants) count as speech.
const HANGOVER_FRAMES: usize = 5;
/// A word lies "mostly in silence" below this active fraction.
const MIN_ACTIVE_FRACTION: f64 = 0.5;
/// A word is crosstalk when another channel's relative power over it is at least this many times larger
/// (6 dB).
const CROSSTALK_RATIO: f32 = 4.0;
/// No spoken word lasts longer than this (s); a longer span is a recognizer timing error.
const MAX_WORD_S: f64 = 2.0;
/// Crosstalk is judged over at least this span (s) around a word.
const MIN_JUDGED_S: f64 = 0.1;
/// Normalised correlation above which two channels are copies of one signal.
const IDENTICAL_CORRELATION: f64 = 0.999;

/// The warning to show when a declared two-channel recording turns out to be one signal twice.
pub const IDENTICAL_CHANNELS_WARNING: &str =
    "the two channels carry the same signal (duplicated mono); speakers were separated by voice instead of by channel";

/// Checks HealthScribe's `ChannelDefinitions`: exactly two, different channels, one per role.
pub fn validate_channel_definitions(definitions: &[(u32, Role)]) -> Result<()> {
    let err = |reason: String| Err(BedsideError::Settings { reason });
    if definitions.len() != 2 {
        return err(format!("channelDefinitions must name exactly two channels, got {}", definitions.len()));
    }
    let ((c0, r0), (c1, r1)) = (definitions[0], definitions[1]);
    if c0 == c1 {
        return err(format!("channelDefinitions name channel {c0} twice"));
    }
    if r0 == r1 {
        return err(format!("channelDefinitions give the role {} to both channels", r0.label()));
    }
    Ok(())
}

/// True when two channels carry the same signal (equal up to gain and rounding), e.g. a mono recording
/// saved as stereo. Two silent channels are identical too.
pub fn channels_identical(a: &[f32], b: &[f32]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut ab, mut aa, mut bb) = (0f64, 0f64, 0f64);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (if x.is_finite() { x as f64 } else { 0.0 }, if y.is_finite() { y as f64 } else { 0.0 });
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    let floor = SILENT_POWER as f64 * a.len() as f64;
    if aa <= floor && bb <= floor {
        return true;
    }
    aa > 0.0 && bb > 0.0 && ab / (aa.sqrt() * bb.sqrt()) >= IDENTICAL_CORRELATION
}

/// One channel's frame powers, speech level (95th percentile of its non-silent frames) and activity.
struct Activity {
    power: Vec<f32>,
    level: f32,
    active: Vec<bool>,
}

impl Activity {
    fn new(samples: &[f32], n_frames: usize) -> Self {
        let power: Vec<f32> = (0..n_frames)
            .map(|t| {
                let frame = samples.get(t * HOP..((t + 1) * HOP).min(samples.len())).unwrap_or(&[]);
                let sum: f32 = frame.iter().map(|x| if x.is_finite() { x * x } else { 0.0 }).sum();
                sum / HOP as f32
            })
            .collect();
        // The speech level comes from the frames above the silence floor only, so a participant who
        // speaks for a small share of a digitally clean channel still has a level of their own.
        let mut sorted: Vec<f32> = power.iter().copied().filter(|&p| p >= SILENT_POWER).collect();
        sorted.sort_by(f32::total_cmp);
        let level = if sorted.len() < MIN_SOUND_FRAMES { 0.0 } else { sorted[sorted.len() * 95 / 100] };
        let threshold = (level * 10f32.powf(-ACTIVE_DB / 10.0)).max(SILENT_POWER * 0.1);
        let loud: Vec<bool> = power.iter().map(|&p| p >= threshold).collect();
        let active = (0..n_frames)
            .map(|t| loud[t.saturating_sub(HANGOVER_FRAMES)..(t + HANGOVER_FRAMES + 1).min(n_frames)].iter().any(|&l| l))
            .collect();
        Self { power, level, active }
    }

    fn silent(&self) -> bool {
        self.level <= 0.0
    }

    fn frames(&self, start: f64, end: f64) -> (usize, usize) {
        let n = self.power.len();
        let a = ((start.max(0.0) * 100.0).floor() as usize).min(n);
        let b = ((end.max(0.0) * 100.0).ceil() as usize).clamp(a, n);
        // A zero-length word still looks at the frame it sits in.
        if a == b && a < n { (a, a + 1) } else { (a, b) }
    }

    fn active_fraction(&self, start: f64, end: f64) -> f64 {
        let (a, b) = self.frames(start, end);
        if a == b {
            return 0.0;
        }
        self.active[a..b].iter().filter(|&&x| x).count() as f64 / (b - a) as f64
    }

    /// Power over a time span relative to the channel's speech level.
    fn relative_power(&self, start: f64, end: f64) -> f32 {
        let (a, b) = self.frames(start, end);
        if a == b || self.level <= 0.0 {
            return 0.0;
        }
        self.power[a..b].iter().sum::<f32>() / (b - a) as f32 / self.level
    }

    /// The end (s) of the active stretch that contains or follows `t`, stopping at `limit`.
    fn active_end_after(&self, t: f64, limit: f64) -> f64 {
        let (mut f, _) = self.frames(t, t);
        while f < self.active.len() && !self.active[f] && (f as f64) * 0.01 < limit {
            f += 1;
        }
        while f < self.active.len() && self.active[f] {
            f += 1;
        }
        (f as f64 * 0.01).min(limit)
    }

    /// The start (s) of the active stretch that contains or precedes `t`, not before `limit`.
    fn active_start_before(&self, t: f64, limit: f64) -> f64 {
        let mut f = ((t.max(0.0) * 100.0).floor() as usize).min(self.active.len());
        while f > 0 && !self.active[f - 1] && (f as f64) * 0.01 > limit {
            f -= 1;
        }
        while f > 0 && self.active[f - 1] {
            f -= 1;
        }
        (f as f64 * 0.01).max(limit)
    }
}

pub fn turns_from_channels<C: AsRef<[f32]>>(channels: &[C], per_channel: &[(u32, Vec<AsrSegment>)]) -> Result<(Vec<Turn>, Vec<String>)> {
    if channels.len() != per_channel.len() || channels.is_empty() {
        return Err(BedsideError::Input {
            reason: format!("{} channels of audio but {} channel recognitions", channels.len(), per_channel.len()),
        });
    }
    for (i, (id, _)) in per_channel.iter().enumerate() {
        if per_channel[..i].iter().any(|(other, _)| other == id) {
            return Err(BedsideError::Input { reason: format!("channel id {id} appears twice") });
        }
    }
    let n_frames = channels.iter().map(|c| c.as_ref().len().div_ceil(HOP)).max().unwrap_or(0);
    let mut activity: Vec<Activity> = channels.iter().map(|c| Activity::new(c.as_ref(), n_frames)).collect();
    dominance(&mut activity);
    let mut warnings = Vec::new();
    for ((id, segments), act) in per_channel.iter().zip(&activity) {
        if act.silent() {
            warnings.push(format!("channel {id} is silent throughout; nobody was heard on it"));
        } else if segments.iter().all(|s| s.words.iter().all(Word::is_punctuation) && s.text.trim().is_empty()) {
            warnings.push(format!("no speech was recognized on channel {id}"));
        }
    }

    let mut turns = Vec::new();
    for (c, (id, segments)) in per_channel.iter().enumerate() {
        // Crosstalk is judged on the recognizer's own times; what remains is re-anchored and cut into turns.
        let kept: Vec<AsrSegment> = segments
            .iter()
            .map(|seg| {
                let mut seg = seg.clone();
                let mut keep_prev = true;
                let keep: Vec<bool> = seg
                    .words
                    .iter()
                    .map(|w| {
                        if w.is_punctuation() {
                            keep_prev
                        } else {
                            keep_prev = !is_crosstalk(w, c, &activity, per_channel);
                            keep_prev
                        }
                    })
                    .collect();
                let mut k = keep.iter();
                seg.words.retain(|_| *k.next().expect("one flag per word"));
                // Punctuation left at the start of a segment belonged to a dropped word.
                let lead = seg.words.iter().take_while(|w| w.is_punctuation()).count();
                seg.words.drain(..lead);
                seg
            })
            .filter(|seg| !seg.words.is_empty() || (segments.iter().all(|s| s.words.is_empty()) && !seg.text.trim().is_empty()))
            .collect();
        let kept = reanchor(&kept, &activity[c]);
        let labels: Vec<Vec<Option<usize>>> = kept.iter().map(|s| vec![Some(c); s.words.len()]).collect();
        let segment_label: Vec<Option<usize>> = kept.iter().map(|_| Some(c)).collect();
        turns.extend(build_turns(&kept, &labels, &segment_label, Some(*id)));
    }
    turns.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.speaker.cmp(&b.speaker)));
    Ok((turns, warnings))
}

/// Narrows each channel's activity to the frames where it is not another channel's leak: a frame stays
/// active only if no other channel is `CROSSTALK_RATIO` times louder there, relative to speech levels.
fn dominance(activity: &mut [Activity]) {
    let n = activity.first().map_or(0, |a| a.power.len());
    let rel: Vec<Vec<f32>> = activity.iter().map(|a| a.power.iter().map(|p| if a.level > 0.0 { p / a.level } else { 0.0 }).collect()).collect();
    for t in 0..n {
        for c in 0..activity.len() {
            let dominated = (0..activity.len()).any(|o| o != c && rel[o][t] >= CROSSTALK_RATIO * rel[c][t] && activity[o].active[t]);
            if dominated {
                activity[c].active[t] = false;
            }
        }
    }
}

/// True when a spoken word on channel `c` is another channel's voice leaking in. A word spanning more
/// than `MAX_WORD_S` is mistimed (see `reanchor`) and its span says nothing about crosstalk, so it stays.
fn is_crosstalk(w: &Word, c: usize, activity: &[Activity], per_channel: &[(u32, Vec<AsrSegment>)]) -> bool {
    let plausible = |x: &Word| !x.is_punctuation() && x.end - x.start <= MAX_WORD_S;
    if !plausible(w) {
        return false;
    }
    // Words the recognizer squeezed to (almost) no time are judged over a short span around them.
    let pad = ((MIN_JUDGED_S - (w.end - w.start)) / 2.0).max(0.0);
    let (start, end) = (w.start - pad, w.end + pad);
    let own = activity[c].relative_power(start, end);
    (0..activity.len()).filter(|&o| o != c).any(|o| {
        activity[o].relative_power(start, end) >= CROSSTALK_RATIO * own
            && per_channel[o].1.iter().flat_map(|s| &s.words).any(|x| plausible(x) && x.start < end && x.end > start)
    })
}

/// Re-anchors runs of words that lie mostly in the channel's silence (see the module header); words of
/// the segment before the run go right after the last well-placed word, the others right before the next
/// one, each group spread over the active speech there in proportion to its words' lengths.
fn reanchor(segments: &[AsrSegment], act: &Activity) -> Vec<AsrSegment> {
    let mut out = segments.to_vec();
    let spoken: Vec<(usize, usize)> = out
        .iter()
        .enumerate()
        .flat_map(|(s, seg)| seg.words.iter().enumerate().filter(|(_, w)| !w.is_punctuation()).map(move |(w, _)| (s, w)))
        .collect();
    let reliable: Vec<bool> = spoken.iter().map(|&(s, w)| act.active_fraction(out[s].words[w].start, out[s].words[w].end) >= MIN_ACTIVE_FRACTION).collect();
    let end_time = act.power.len() as f64 * 0.01;
    let mut k = 0;
    while k < spoken.len() {
        if reliable[k] {
            k += 1;
            continue;
        }
        let run_start = k;
        while k < spoken.len() && !reliable[k] {
            k += 1;
        }
        let prev = run_start.checked_sub(1).map(|p| spoken[p]);
        let next = spoken.get(k).copied();
        let p = prev.map_or(0.0, |(s, w)| out[s].words[w].end);
        let q = next.map_or(end_time, |(s, w)| out[s].words[w].start).max(p);
        let run = &spoken[run_start..k];
        let split = match (prev, next) {
            (Some((ps, _)), Some(_)) => run.iter().take_while(|&&(s, _)| s == ps).count(),
            (Some(_), None) => run.len(),
            (None, _) => 0,
        };
        let (head, tail) = run.split_at(split);
        if !head.is_empty() {
            let end = act.active_end_after(p, q);
            spread(&mut out, head, p, end);
        }
        if !tail.is_empty() {
            let start = act.active_start_before(q, if head.is_empty() { p } else { act.active_end_after(p, q) });
            spread(&mut out, tail, start, q);
        }
    }
    // Punctuation sits at the end of the word before it; segment bounds follow their words.
    for seg in &mut out {
        let mut last_end = None;
        for w in &mut seg.words {
            if w.is_punctuation() {
                if let Some(e) = last_end {
                    w.start = e;
                    w.end = e;
                }
            } else {
                last_end = Some(w.end);
            }
        }
        if let (Some(first), Some(last)) = (seg.words.first(), seg.words.last()) {
            seg.start = first.start;
            seg.end = last.end;
        }
    }
    out
}

/// Lays words end to end over `start..end`, each taking a share proportional to its length in characters.
fn spread(segments: &mut [AsrSegment], words: &[(usize, usize)], start: f64, end: f64) {
    let end = end.max(start);
    let total: usize = words.iter().map(|&(s, w)| segments[s].words[w].text.chars().count().max(1)).sum();
    let mut t = start;
    for &(s, w) in words {
        let share = (end - start) * segments[s].words[w].text.chars().count().max(1) as f64 / total as f64;
        segments[s].words[w].start = t;
        t += share;
        segments[s].words[w].end = t;
    }
}
