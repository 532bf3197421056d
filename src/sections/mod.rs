//! Transcript sections: every segment → `SUBJECTIVE`, `OBJECTIVE`, `ASSESSMENT_AND_PLAN` or `OTHER`.
//!
//! Input: a transcript file, a sentence [`Embedder`] and a trained [`SectionModel`]. Output: each
//! segment's `SectionDetails.SectionName` is set.
//! Method: the classifier reads utterances (`crate::utterance`: a sentence cut across segments is read
//! whole; each segment takes its utterance's label). Each utterance is described by its own MiniLM
//! embedding, the mean embedding of its neighbours (up to [`CONTEXT`] turns either side: a bare "No."
//! takes its meaning from the question before it) and a role one-hot (clinician / patient). A small
//! softmax classifier (logistic regression, or one hidden ReLU layer when the weights file has one) maps
//! that to the four groups; wording cues then raise a group ([`cues`]: history-taking, plan, examination,
//! greetings and logistics), and the visit's phases decide the turns that say little on their own
//! ([`sequence`]: a visit runs in stretches, so "yes." during the examination is examination). It is trained offline by
//! `examples/train_sections.rs` on MTS-Dialog's training and validation splits (section headers grouped by
//! [`header_group`]) plus greeting / logistics lines labelled `OTHER` by rule. The output bias carries
//! per-group offsets (raising `OBJECTIVE` and `ASSESSMENT_AND_PLAN` against the far more common history
//! talk) chosen by snippet-level cross-validation on that training split, not on the validation split.
//! A transcript written without punctuation (Whisper tiny.en often writes one; see [`unpunctuated`]) is
//! read by a second head of the same form, trained on the same dialogues plus each turn lower-cased with
//! its punctuation taken out: the main head, which has only seen written dialogues, reads unpunctuated
//! history as plan (hand-labelled visits with the punctuation taken out: 0.76 / 0.82 of turns right
//! with the main head, 0.89 / 0.88 with the spoken one).
//! Limits: English only; the training data has few examination and results snippets, so `OBJECTIVE`
//! is the least certain group; speaker roles must already be set (unknown roles count as neither).

pub mod cues;
pub mod sequence;

use std::collections::HashMap;

use candle_core::{DType, Device, Tensor};

use crate::embed::{Embedder, DIM};
use crate::error::{BedsideError, Result};
use crate::schema::transcript::TranscriptFile;
use crate::utterance::utterances;

/// The four groups, in the classifier's output order.
pub const GROUPS: [&str; 4] = ["SUBJECTIVE", "OBJECTIVE", "ASSESSMENT_AND_PLAN", "OTHER"];
/// Neighbouring turns on each side that form a segment's context. One turn (the question before an
/// answer, the answer after a question) gave the best section changes along whole visits; two or four
/// turns blurred the boundaries between history, examination and plan.
pub const CONTEXT: usize = 1;
/// Wider context: the mean embedding of up to this many turns either side (the segment itself left
/// out), as an extra feature block when non-zero. Measured by snippet-level cross-validation on the
/// MTS-Dialog training split, four turns did not help (balanced accuracy 0.674 against 0.678 without),
/// so the runtime leaves it out; `examples/train_sections.rs --wide N` tries it again.
pub const WIDE: usize = 0;
/// Feature width: own embedding, near neighbours' mean, (wider neighbours' mean,) role one-hot.
pub const FEATURES: usize = (2 + (WIDE != 0) as usize) * DIM + 2;

/// Maps an MTS-Dialog section header to its group; `None` for headers outside the four groups.
pub fn header_group(header: &str) -> Option<usize> {
    match header.trim().to_ascii_uppercase().as_str() {
        "GENHX" | "CC" | "ROS" | "PASTMEDICALHX" | "FAM/SOCHX" | "MEDICATIONS" | "ALLERGY" | "PASTSURGICAL"
        | "OTHER_HISTORY" | "IMMUNIZATIONS" | "GYNHX" => Some(0),
        "EXAM" | "LABS" | "IMAGING" | "PROCEDURES" => Some(1),
        "ASSESSMENT" | "PLAN" | "DIAGNOSIS" | "DISPOSITION" | "EDCOURSE" => Some(2),
        _ => None,
    }
}

/// Feature rows for a run of turns: `embeddings[i]` is turn *i*'s vector, `clinician[i]` its role
/// (`Some(true)` clinician, `Some(false)` patient, `None` unknown). Each row is [`FEATURES`] wide.
pub fn features(embeddings: &[Vec<f32>], clinician: &[Option<bool>]) -> Vec<Vec<f32>> {
    features_with(embeddings, clinician, CONTEXT, WIDE)
}

/// [`features`] with other context sizes (for training experiments); `wide == 0` leaves the wider mean
/// out, so rows are `2 * dim + 2` wide (`dim`: the embeddings' width, [`DIM`] for the runtime's encoder).
pub fn features_with(embeddings: &[Vec<f32>], clinician: &[Option<bool>], context: usize, wide: usize) -> Vec<Vec<f32>> {
    let n = embeddings.len();
    let dim = embeddings.first().map_or(DIM, Vec::len);
    let mean = |i: usize, k: usize| {
        let lo = i.saturating_sub(k);
        let hi = (i + k + 1).min(n);
        let mut ctx = vec![0f32; dim];
        let mut count = 0f32;
        for j in (lo..hi).filter(|&j| j != i) {
            for (c, v) in ctx.iter_mut().zip(&embeddings[j]) {
                *c += v;
            }
            count += 1.0;
        }
        if count > 0.0 {
            ctx.iter_mut().for_each(|c| *c /= count);
        }
        ctx
    };
    (0..n)
        .map(|i| {
            let mut row = Vec::with_capacity((2 + (wide > 0) as usize) * dim + 2);
            row.extend_from_slice(&embeddings[i]);
            row.extend(mean(i, context));
            if wide > 0 {
                row.extend(mean(i, wide));
            }
            let role = clinician.get(i).copied().flatten();
            row.push(if role == Some(true) { 1.0 } else { 0.0 });
            row.push(if role == Some(false) { 1.0 } else { 0.0 });
            row
        })
        .collect()
}

/// One dense layer, row-major `out × in` weights.
struct Dense {
    w: Vec<f32>,
    b: Vec<f32>,
    inputs: usize,
}

impl Dense {
    fn apply(&self, x: &[f32]) -> Vec<f32> {
        self.b
            .iter()
            .enumerate()
            .map(|(o, b)| b + self.w[o * self.inputs..(o + 1) * self.inputs].iter().zip(x).map(|(w, x)| w * x).sum::<f32>())
            .collect()
    }
}

/// The trained classifier: `l1` (and, for the MLP form, a ReLU and `l2`) then softmax; optionally a
/// second head of the same form (`spoken.l1`, …) trained also on the dialogues without punctuation.
pub struct SectionModel {
    layers: Vec<Dense>,
    spoken: Option<Vec<Dense>>,
}

impl SectionModel {
    /// Reads `l1.weight` / `l1.bias` (and optional `l2.*`, and the optional spoken head `spoken.l1.*`, …)
    /// from safetensors bytes.
    pub fn load(bytes: &[u8]) -> Result<Self> {
        let bad = |why: String| BedsideError::model("sections", why);
        let tensors = candle_core::safetensors::load_buffer(bytes, &Device::Cpu).map_err(|e| bad(e.to_string()))?;
        let layers = Self::head(&tensors, "")?;
        let spoken = if tensors.contains_key("spoken.l1.weight") { Some(Self::head(&tensors, "spoken.")?) } else { None };
        Ok(Self { layers, spoken })
    }

    fn head(tensors: &HashMap<String, Tensor>, prefix: &str) -> Result<Vec<Dense>> {
        let bad = |why: String| BedsideError::model("sections", why);
        let mut layers = Vec::new();
        let mut inputs = FEATURES;
        for name in ["l1", "l2"].map(|n| format!("{prefix}{n}")) {
            let (Some(w), Some(b)) = (tensors.get(&format!("{name}.weight")), tensors.get(&format!("{name}.bias"))) else {
                break;
            };
            let (out, inp) = w.dims2().map_err(|e| bad(e.to_string()))?;
            if inp != inputs || b.dims() != [out] {
                return Err(bad(format!("{name}: shape {:?} / {:?}, expected ({}, {inputs}) ", w.dims(), b.dims(), out)));
            }
            let flat = |t: &Tensor| t.to_dtype(DType::F32).and_then(|t| t.flatten_all()).and_then(|t| t.to_vec1::<f32>());
            layers.push(Dense { w: flat(w).map_err(|e| bad(e.to_string()))?, b: flat(b).map_err(|e| bad(e.to_string()))?, inputs });
            inputs = out;
        }
        if layers.is_empty() || inputs != GROUPS.len() {
            return Err(bad(format!("{prefix}: expected layers ending in {} outputs", GROUPS.len())));
        }
        Ok(layers)
    }

    /// Class probabilities for one feature row, by the main head.
    pub fn probabilities(&self, row: &[f32]) -> [f32; 4] {
        run(&self.layers, row)
    }

    /// Class probabilities by the head for text without punctuation (the main head when the file has
    /// no spoken head).
    pub fn probabilities_spoken(&self, row: &[f32]) -> [f32; 4] {
        run(self.spoken.as_ref().unwrap_or(&self.layers), row)
    }
}

fn run(layers: &[Dense], row: &[f32]) -> [f32; 4] {
    let mut x = row.to_vec();
    for (i, layer) in layers.iter().enumerate() {
        x = layer.apply(&x);
        if i + 1 < layers.len() {
            x.iter_mut().for_each(|v| *v = v.max(0.0));
        }
    }
    softmax4(&x)
}

/// Whether a transcript was written without punctuation: fewer than one in five of its utterances of
/// four words or more has a sentence mark. Whisper tiny.en often writes a whole recording that way.
pub fn unpunctuated(texts: &[&str]) -> bool {
    let long: Vec<&&str> = texts.iter().filter(|t| t.split_whitespace().count() >= 4).collect();
    let marked = long.iter().filter(|t| t.contains(['.', '?', '!'])).count();
    !long.is_empty() && marked * 5 < long.len()
}

fn softmax4(x: &[f32]) -> [f32; 4] {
    let m = x.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f32> = x.iter().map(|v| (v - m).exp()).collect();
    let s: f32 = e.iter().sum();
    [e[0] / s, e[1] / s, e[2] / s, e[3] / s]
}

/// The index of a row's most likely group (ties go to the later group, `OTHER` for an empty row).
pub fn best_group(p: &[f32; 4]) -> usize {
    (0..4).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap_or(3)
}

/// Role string → clinician flag (`CLINICIAN_*` / `PATIENT_*`).
pub fn role_flag(role: &str) -> Option<bool> {
    if role.starts_with("CLINICIAN") {
        Some(true)
    } else if role.starts_with("PATIENT") {
        Some(false)
    } else {
        None
    }
}

/// Per-segment probabilities for the four groups. Whole utterances are classified (a sentence cut
/// across segments is read once, whole) and each segment takes its utterance's probabilities.
pub fn predict(file: &TranscriptFile, embedder: &Embedder, model: &SectionModel) -> Result<Vec<[f32; 4]>> {
    let segs = &file.conversation.transcript_segments;
    if segs.is_empty() {
        return Ok(Vec::new());
    }
    let units = utterances(segs);
    // Identical utterances ("Okay.", "Yes.") are embedded once.
    let mut unique: HashMap<&str, usize> = HashMap::new();
    let mut texts = Vec::new();
    for u in &units {
        let t = u.text.trim();
        unique.entry(t).or_insert_with(|| {
            texts.push(t);
            texts.len() - 1
        });
    }
    let vectors = embedder.embed(&texts)?;
    let embeddings: Vec<Vec<f32>> = units.iter().map(|u| vectors[unique[u.text.trim()]].clone()).collect();
    let roles: Vec<Option<bool>> = units.iter().map(|u| role_flag(&segs[u.segments.start].participant_details.participant_role)).collect();
    let unit_texts: Vec<&str> = units.iter().map(|u| u.text.as_str()).collect();
    let spoken = unpunctuated(&unit_texts);
    let mut probs: Vec<[f32; 4]> = features(&embeddings, &roles)
        .iter()
        .zip(units.iter().zip(&roles))
        .map(|(r, (u, role))| {
            let p = if spoken { model.probabilities_spoken(r) } else { model.probabilities(r) };
            cues::apply(p, cues::boosts(&u.text, *role))
        })
        .collect();
    cues::follow_small_talk(&mut probs, &unit_texts);
    cues::follow_neighbours(&mut probs, &unit_texts, &roles);
    let probs = sequence::smooth(&probs, sequence::STAY);
    Ok(units.iter().zip(probs).flat_map(|(u, p)| u.segments.clone().map(move |_| p)).collect())
}

/// Sets `SectionName` on every segment.
pub fn classify(file: &mut TranscriptFile, embedder: &Embedder, model: &SectionModel) -> Result<()> {
    let probs = predict(file, embedder, model)?;
    for (seg, p) in file.conversation.transcript_segments.iter_mut().zip(probs) {
        seg.section_details.section_name = GROUPS[best_group(&p)].to_string();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_map_onto_groups() {
        assert_eq!(header_group("GENHX"), Some(0));
        assert_eq!(header_group("fam/sochx"), Some(0));
        assert_eq!(header_group("EXAM"), Some(1));
        assert_eq!(header_group("PLAN"), Some(2));
        assert_eq!(header_group("something"), None);
    }

    #[test]
    fn features_mix_neighbours_and_role() {
        let e = vec![vec![1.0; DIM], vec![0.0; DIM], vec![3.0; DIM]];
        let f = features(&e, &[Some(true), Some(false), None]);
        assert_eq!(f[1].len(), FEATURES);
        assert_eq!(f[1][DIM], 2.0); // mean of rows 0 and 2
        // row 0 sees row 1, and row 2 only when the context reaches two turns
        assert_eq!(f[0][DIM], if CONTEXT >= 2 { 1.5 } else { 0.0 });
        // the wider mean (when used): rows 1 and 2 for row 0, rows 0 and 1 for row 2
        let w = features_with(&e, &[None; 3], 1, 2);
        assert_eq!(w[0].len(), 3 * DIM + 2);
        assert_eq!(w[0][2 * DIM], 1.5);
        assert_eq!(w[2][2 * DIM], 0.5);
        assert_eq!(&f[0][FEATURES - 2..], &[1.0, 0.0]);
        assert_eq!(&f[1][FEATURES - 2..], &[0.0, 1.0]);
        assert_eq!(&f[2][FEATURES - 2..], &[0.0, 0.0]);
        assert_eq!(features_with(&e, &[None; 3], 1, 0)[0].len(), 2 * DIM + 2);
    }

    /// `SectionModel::load` over these tensors written as a safetensors file.
    fn load_tensors(map: &HashMap<String, Tensor>) -> Result<SectionModel> {
        let path = std::env::temp_dir().join(format!("bedside-sections-{}-{}.safetensors", std::process::id(), map.len()));
        candle_core::safetensors::save(map, &path).unwrap();
        let model = SectionModel::load(&std::fs::read(&path).unwrap());
        let _ = std::fs::remove_file(&path);
        model
    }

    #[test]
    fn model_loads_and_predicts_its_weights() {
        // A linear model whose class-2 weight reads the clinician flag.
        let mut w = vec![0f32; 4 * FEATURES];
        w[2 * FEATURES + FEATURES - 2] = 10.0;
        let mut map = HashMap::new();
        map.insert("l1.weight".to_string(), Tensor::from_vec(w, (4, FEATURES), &Device::Cpu).unwrap());
        map.insert("l1.bias".to_string(), Tensor::zeros(4, DType::F32, &Device::Cpu).unwrap());
        let model = load_tensors(&map).unwrap();
        let mut row = vec![0f32; FEATURES];
        row[FEATURES - 2] = 1.0;
        let p = model.probabilities(&row);
        assert!(p[2] > 0.99, "{p:?}");
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert_eq!(model.probabilities_spoken(&row), p, "no spoken head: the main one");
        assert!(SectionModel::load(b"not safetensors").is_err());

        // A spoken head whose class-0 weight reads the clinician flag.
        let mut w = vec![0f32; 4 * FEATURES];
        w[FEATURES - 2] = 10.0;
        map.insert("spoken.l1.weight".to_string(), Tensor::from_vec(w, (4, FEATURES), &Device::Cpu).unwrap());
        map.insert("spoken.l1.bias".to_string(), Tensor::zeros(4, DType::F32, &Device::Cpu).unwrap());
        let model = load_tensors(&map).unwrap();
        assert!(model.probabilities(&row)[2] > 0.99 && model.probabilities_spoken(&row)[0] > 0.99);
        map.insert("spoken.l1.bias".to_string(), Tensor::zeros(3, DType::F32, &Device::Cpu).unwrap());
        assert!(load_tensors(&map).is_err(), "a malformed spoken head is refused");
    }

    #[test]
    fn a_transcript_without_sentence_marks_is_unpunctuated() {
        assert!(unpunctuated(&["ok um how long have you had it", "about three days now i think", "yes"]));
        assert!(!unpunctuated(&["Okay. How long have you had it?", "About three days now, I think.", "yes"]));
        assert!(!unpunctuated(&["yes", "okay"]), "short answers say nothing either way");
    }
}
