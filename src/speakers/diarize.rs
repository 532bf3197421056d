//! Speaker diarization of one mixed channel, guided by the recognizer's word times.
//!
//! Input: 16 kHz mono samples, recognizer segments with word times, `max_speakers` (2..=10). Output:
//! [`Turn`]s with speaker ids numbered by first appearance.
//!
//! Method (classical, no trained model): MFCCs (`features`) of the frames inside spoken words, standardised
//! per recording; the words are cut into stretches at recognizer-segment boundaries and pauses, then each
//! stretch is split again at speaker changes found by ΔBIC between adjacent windows of words (Chen &
//! Gopalakrishnan 1998, with word boundaries as the candidate points); stretches long enough to model are
//! clustered bottom-up, always merging the pair with the lowest ΔBIC per frame, stopping when that exceeds
//! `MERGE_THRESHOLD` (a length-independent form of the BIC stopping rule; merging further while there are
//! more clusters than `max_speakers`; the last two clusters merge only if plain ΔBIC says one voice, since
//! a visit has at least two people); clusters with under 3 s of speech are dissolved when there are more
//! than two; then every stretch is reassigned to the cluster whose Gaussian explains its frames best (a few
//! rounds, as in resegmentation), and a stretch too short to judge joins its neighbour.
//!
//! Limits: one full-covariance Gaussian per speaker captures voice timbre but not much else, so two
//! similar voices can merge and one voice in very different conditions can split; overlapping speech is
//! given to one speaker; words the recognizer missed are not seen at all. Cost is linear in audio length
//! for features and change detection, about quadratic in the number of stretches for clustering (`pairs`).

use super::features::{self, Features, N_CEPS};
use super::gauss::{delta_bic, delta_bic_given, Gaussian, Stats};
use super::pairs::PairCosts;
use super::{build_turns, label_punctuation, Turn, MAX_SPEAKERS, MIN_SPEAKERS};
use crate::asr::AsrSegment;
use crate::error::{BedsideError, Result};

/// A pause between words at least this long (s) starts a new stretch.
const PAUSE_S: f64 = 0.3;
/// Change detection compares up to this much speech (s) on each side of a candidate boundary.
const WINDOW_S: f64 = 4.0;
/// Frames of speech needed on each side of a candidate boundary before ΔBIC is trusted.
const MIN_SIDE_FRAMES: f64 = 100.0;
/// Frames a stretch needs to found a cluster (1 s of speech).
const MIN_CLUSTER_FRAMES: f64 = 100.0;
/// Speech (frames) a cluster needs to count as a speaker of its own when there are more than two.
const MIN_SPEAKER_FRAMES: f64 = 300.0;
/// Frames a stretch needs to be scored against the clusters; shorter ones join a neighbour.
const MIN_SCORE_FRAMES: f64 = 30.0;
/// BIC penalty weight for change detection. 1.0 is the textbook value, but with 13-dimensional full
/// covariances estimated from a second or two of speech it finds a change almost everywhere; 3 was chosen
/// on the fixtures (clean, reverberant and noisy variants; 2-4 behaved alike there).
const LAMBDA_CHANGE: f64 = 3.0;
/// Clustering stops when the cheapest merge costs more than this: textbook ΔBIC per frame of the merged
/// cluster. Unlike ΔBIC itself, whose data term grows with the amount of speech while its penalty grows
/// only with its logarithm (so long recordings split one voice into several), the per-frame value does not
/// depend on length. On the fixtures same-voice merges cost up to 0.25 and different voices 0.7 or more;
/// 0.3-0.5 gave identical results, even with a two-minute visit repeated to an hour.
const MERGE_THRESHOLD: f64 = 0.4;
/// Frames quieter than the loudest speech by more than this (dB) are left out of the statistics.
const GATE_DB: f32 = 35.0;
/// Reassignment rounds after clustering.
const RESEGMENT_ROUNDS: usize = 3;

/// A spoken word (or a segment without word times) on the recording's time line.
struct Unit {
    segment: usize,
    /// Index of the word in its segment (`None`: the whole segment).
    word: Option<usize>,
    start: f64,
    end: f64,
    stats: Stats,
}

/// Checks `maxSpeakerLabels` (2..=10, as HealthScribe); call it before recognition to fail early.
pub fn validate_max_speakers(max_speakers: usize) -> Result<()> {
    if (MIN_SPEAKERS..=MAX_SPEAKERS).contains(&max_speakers) {
        Ok(())
    } else {
        Err(BedsideError::Settings { reason: format!("maxSpeakerLabels must be {MIN_SPEAKERS} to {MAX_SPEAKERS}, got {max_speakers}") })
    }
}

pub fn diarize(samples_16k: &[f32], segments: &[AsrSegment], max_speakers: usize) -> Result<Vec<Turn>> {
    validate_max_speakers(max_speakers)?;
    let feats = features::mfcc(samples_16k);
    let units = units(segments, &feats);
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let stretches = split_at_changes(&units, initial_stretches(&units));
    let speaker_of_stretch = cluster(&units, &stretches, max_speakers);

    let mut labels: Vec<Vec<Option<usize>>> = segments.iter().map(|s| vec![None; s.words.len()]).collect();
    let mut segment_label = vec![None; segments.len()];
    for (stretch, &speaker) in stretches.iter().zip(&speaker_of_stretch) {
        for &u in stretch {
            match units[u].word {
                Some(w) => labels[units[u].segment][w] = Some(speaker),
                None => segment_label[units[u].segment] = Some(speaker),
            }
        }
    }
    for (s, seg) in segments.iter().enumerate() {
        label_punctuation(&seg.words, &mut labels[s]);
    }
    Ok(build_turns(segments, &labels, &segment_label, None))
}

/// Standardised cepstra of the frames loud enough to be speech; `None` for the others.
fn speech_frames(feats: &Features) -> Vec<Option<Vec<f32>>> {
    let n = feats.n_frames;
    let loudest = (0..n).map(|t| feats.frame(t)[0]).fold(f32::NEG_INFINITY, f32::max);
    // c0 is sqrt(24) times the mean log band energy; convert the dB gate into that unit.
    let gate = loudest - GATE_DB / (10.0 / std::f32::consts::LN_10) * (24f32).sqrt();
    let keep: Vec<bool> = (0..n).map(|t| feats.frame(t)[0] >= gate && feats.frame(t)[0].is_finite()).collect();
    let kept = keep.iter().filter(|&&k| k).count().max(1) as f64;
    let mut mean = [0f64; N_CEPS];
    let mut var = [0f64; N_CEPS];
    for t in (0..n).filter(|&t| keep[t]) {
        for (k, &c) in feats.frame(t).iter().enumerate() {
            mean[k] += c as f64 / kept;
        }
    }
    for t in (0..n).filter(|&t| keep[t]) {
        for (k, &c) in feats.frame(t).iter().enumerate() {
            var[k] += (c as f64 - mean[k]).powi(2) / kept;
        }
    }
    (0..n)
        .map(|t| {
            keep[t].then(|| {
                feats.frame(t).iter().enumerate().map(|(k, &c)| ((c as f64 - mean[k]) / var[k].sqrt().max(1e-6)) as f32).collect()
            })
        })
        .collect()
}

fn units(segments: &[AsrSegment], feats: &Features) -> Vec<Unit> {
    let frames = speech_frames(feats);
    let stats_between = |start: f64, end: f64| {
        let (a, b) = feats.frames_between(start, end);
        let mut s = Stats::new(N_CEPS);
        frames[a..b].iter().flatten().for_each(|f| s.add(f));
        s
    };
    let mut out = Vec::new();
    for (s, seg) in segments.iter().enumerate() {
        if seg.words.is_empty() {
            if !seg.text.trim().is_empty() && seg.end > seg.start {
                out.push(Unit { segment: s, word: None, start: seg.start, end: seg.end, stats: stats_between(seg.start, seg.end) });
            }
            continue;
        }
        for (w, word) in seg.words.iter().enumerate() {
            if word.is_punctuation() || !(word.start.is_finite() && word.end.is_finite()) {
                continue;
            }
            out.push(Unit { segment: s, word: Some(w), start: word.start, end: word.end.max(word.start), stats: stats_between(word.start, word.end) });
        }
    }
    out
}

/// Cuts the unit sequence at recognizer-segment boundaries and at pauses.
fn initial_stretches(units: &[Unit]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    for (i, u) in units.iter().enumerate() {
        let cut = i == 0 || units[i - 1].segment != u.segment || u.start - units[i - 1].end >= PAUSE_S;
        if cut {
            out.push(vec![i]);
        } else {
            out.last_mut().expect("first unit always cuts").push(i);
        }
    }
    out
}

fn sum_stats<'a>(units: impl Iterator<Item = &'a Unit>) -> Stats {
    units.fold(Stats::new(N_CEPS), |acc, u| acc.merged(&u.stats))
}

/// Splits each stretch at the word boundary with the highest positive ΔBIC between the words just
/// before and just after it, and again inside both halves, until no boundary shows a change.
fn split_at_changes(units: &[Unit], stretches: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut todo: Vec<Vec<usize>> = stretches.into_iter().rev().collect();
    while let Some(stretch) = todo.pop() {
        let mut best: Option<(usize, f64)> = None;
        for cut in 1..stretch.len() {
            let boundary = units[stretch[cut]].start;
            let left = stretch[..cut].iter().rev().map(|&u| &units[u]).take_while(|u| boundary - u.start <= WINDOW_S);
            let right = stretch[cut..].iter().map(|&u| &units[u]).take_while(|u| u.end - boundary <= WINDOW_S);
            let (l, r) = (sum_stats(left), sum_stats(right));
            if l.n < MIN_SIDE_FRAMES || r.n < MIN_SIDE_FRAMES {
                continue;
            }
            let score = delta_bic(&l, &r, LAMBDA_CHANGE);
            if score > 0.0 && best.is_none_or(|(_, b)| score > b) {
                best = Some((cut, score));
            }
        }
        match best {
            Some((cut, _)) => {
                todo.push(stretch[cut..].to_vec());
                todo.push(stretch[..cut].to_vec());
            }
            None => out.push(stretch),
        }
    }
    out
}

/// The cost of merging two clusters: textbook ΔBIC (λ = 1) per frame of the merged cluster.
fn merge_cost((a, a_log_det): (&Stats, f64), (b, b_log_det): (&Stats, f64)) -> f64 {
    delta_bic_given(a, a_log_det, b, b_log_det, 1.0) / (a.n + b.n).max(1.0)
}

/// Speaker of each stretch, numbered by first appearance.
fn cluster(units: &[Unit], stretches: &[Vec<usize>], max_speakers: usize) -> Vec<usize> {
    let stats: Vec<Stats> = stretches.iter().map(|s| sum_stats(s.iter().map(|&u| &units[u]))).collect();
    // Bottom-up clustering of the stretches long enough to model.
    let mut clusters: Vec<(Vec<usize>, Stats)> =
        (0..stretches.len()).filter(|&i| stats[i].n >= MIN_CLUSTER_FRAMES).map(|i| (vec![i], stats[i].clone())).collect();
    if clusters.is_empty() {
        // Nothing long enough to tell voices apart: the longest stretch stands for everyone.
        let longest = (0..stretches.len()).max_by(|&a, &b| stats[a].n.total_cmp(&stats[b].n)).unwrap_or(0);
        clusters.push((vec![longest], stats[longest].clone()));
    }
    let mut log_dets: Vec<f64> = clusters.iter().map(|(_, s)| s.log_det()).collect();
    let mut pairs = PairCosts::new(clusters.len(), |a, b| merge_cost((&clusters[a].1, log_dets[a]), (&clusters[b].1, log_dets[b])));
    while pairs.len() > 1 {
        let Some((i, j, score)) = pairs.cheapest() else { break };
        if score > MERGE_THRESHOLD && pairs.len() <= max_speakers {
            break;
        }
        // A visit has at least two people: the last two clusters merge only when the textbook
        // criterion (λ = 1) agrees that one voice explains them.
        if pairs.len() == 2 && delta_bic(&clusters[i].1, &clusters[j].1, 1.0) > 0.0 {
            break;
        }
        let (members, s) = std::mem::replace(&mut clusters[j], (Vec::new(), Stats::new(N_CEPS)));
        clusters[i].0.extend(members);
        clusters[i].1 = clusters[i].1.merged(&s);
        log_dets[i] = clusters[i].1.log_det();
        pairs.merge(i, j, |k| {
            let (a, b) = (k.min(i), k.max(i));
            merge_cost((&clusters[a].1, log_dets[a]), (&clusters[b].1, log_dets[b]))
        });
    }
    let mut clusters: Vec<(Vec<usize>, Stats)> =
        clusters.into_iter().enumerate().filter(|(k, _)| pairs.is_alive(*k)).map(|(_, c)| c).collect();

    // A "speaker" heard for under MIN_SPEAKER_FRAMES is more likely one odd-sounding stretch (a cough,
    // an onset in a reverberant room) than a person; beyond two clusters, such clusters are dissolved and
    // their stretches rejoin the others in resegmentation.
    while clusters.len() > 2 {
        let smallest = (0..clusters.len()).min_by(|&a, &b| clusters[a].1.n.total_cmp(&clusters[b].1.n)).expect("non-empty");
        if clusters[smallest].1.n >= MIN_SPEAKER_FRAMES {
            break;
        }
        clusters.remove(smallest);
    }

    // Resegmentation: every stretch that can be judged goes to the cluster that explains it best.
    let mut assignment: Vec<Option<usize>> = vec![None; stretches.len()];
    for (c, (members, _)) in clusters.iter().enumerate() {
        members.iter().for_each(|&m| assignment[m] = Some(c));
    }
    let mut models: Vec<Stats> = clusters.into_iter().map(|(_, s)| s).collect();
    for _ in 0..RESEGMENT_ROUNDS {
        let gaussians: Vec<Gaussian> = models.iter().map(Stats::gaussian).collect();
        let mut changed = false;
        for (i, stretch) in stretches.iter().enumerate() {
            if stats[i].n < MIN_SCORE_FRAMES {
                continue;
            }
            let best = best_model(&gaussians, stretch.iter().map(|&u| &units[u]));
            changed |= assignment[i] != Some(best);
            assignment[i] = Some(best);
        }
        let mut fresh = vec![Stats::new(N_CEPS); models.len()];
        for (i, a) in assignment.iter().enumerate() {
            if let Some(c) = a {
                fresh[*c] = fresh[*c].merged(&stats[i]);
            }
        }
        // A cluster that lost every stretch keeps its old model (it simply wins nothing).
        for (m, f) in models.iter_mut().zip(fresh) {
            if f.n >= MIN_CLUSTER_FRAMES {
                *m = f;
            }
        }
        if !changed {
            break;
        }
    }

    // Stretches too short to judge join the nearer neighbour in time (the one in the same recognizer
    // segment when there is one).
    let judged = assignment.clone();
    for i in 0..stretches.len() {
        if judged[i].is_some() {
            continue;
        }
        let seg = |k: usize| units[stretches[k][0]].segment;
        let before = (0..i).rev().find(|&k| judged[k].is_some());
        let after = (i + 1..stretches.len()).find(|&k| judged[k].is_some());
        let gap_before = before.map(|k| units[stretches[i][0]].start - units[*stretches[k].last().expect("non-empty")].end);
        let gap_after = after.map(|k| units[stretches[k][0]].start - units[*stretches[i].last().expect("non-empty")].end);
        let pick = match (before, after) {
            (Some(b), Some(a)) => {
                let same_b = seg(b) == seg(i);
                let same_a = seg(a) == seg(i);
                if same_b != same_a {
                    if same_b { b } else { a }
                } else if gap_before.unwrap_or(f64::INFINITY) <= gap_after.unwrap_or(f64::INFINITY) {
                    b
                } else {
                    a
                }
            }
            (Some(b), None) => b,
            (None, Some(a)) => a,
            (None, None) => {
                assignment[i] = Some(0);
                continue;
            }
        };
        assignment[i] = judged[pick];
    }

    // Number speakers by first appearance.
    let mut order: Vec<usize> = Vec::new();
    assignment
        .iter()
        .map(|a| {
            let c = a.unwrap_or(0);
            match order.iter().position(|&o| o == c) {
                Some(p) => p,
                None => {
                    order.push(c);
                    order.len() - 1
                }
            }
        })
        .collect()
}

/// The model with the highest total log-likelihood over the frames of these units.
fn best_model<'a>(models: &[Gaussian], units: impl Iterator<Item = &'a Unit> + Clone) -> usize {
    // Scoring needs the frames themselves, which units only keep as statistics; the expected
    // log-likelihood of a set under a Gaussian follows from its mean and covariance, so use that.
    let s = units.fold(Stats::new(N_CEPS), |acc, u| acc.merged(&u.stats));
    (0..models.len()).max_by(|&a, &b| models[a].expected_log_likelihood(&s).total_cmp(&models[b].expected_log_likelihood(&s))).unwrap_or(0)
}
