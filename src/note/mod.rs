//! The clinical note, with evidence for every sentence (HealthScribe's clinical documentation file).
//!
//! Input: a transcript file (segments with roles; section groups and insights when earlier stages ran),
//! a template, and optionally a chat model. Output: a [`SummaryFile`] whose every sentence links to the
//! segments it was written from, and [`render_text`] for a plain-text view.
//!
//! ```text
//! transcript ─► evidence (facts: a question and its answer, or a short statement; routed to a section kind)
//!            ─► select (clinical weight, a length budget) ─► per fact: write a sentence (model or rules)
//!            ─► check (numbers, sides, negation, terms found in the fact's segments; a model sentence that
//!               fails is replaced by the rule-based one, which only restates the evidence)
//!            ─► sections in template order, empty ones omitted
//! ```
//! Limits: one sentence per fact, so the note restates rather than synthesises (no "Medical Reasoning"
//! paragraphs); routing and the rule-based rewrite are English.

pub mod check;
pub mod clean;
pub mod evidence;
pub mod template;
pub mod writer;

use serde::{Deserialize, Serialize};

use crate::error::{BedsideError, Result};
use crate::insights::Lexicon;
use crate::llm::ChatModel;
use crate::schema::summary::{ClinicalDocumentation, EvidenceLink, NoteSection, SummarizedSegment, SummaryFile};
use crate::schema::transcript::TranscriptFile;
pub use clean::Pronouns;
pub use template::{Kind, SectionSpec, Template};

/// How to write the note. `Default`: HISTORY_AND_PHYSICAL, length budget scaled to the visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteOptions {
    pub template: Template,
    /// Facts lighter than this (content words, numbers count double) are small talk and left out.
    pub min_weight: f32,
    /// Words the note aims at, as a share of the transcript's words…
    pub length_ratio: f32,
    /// …kept within these bounds. The floor (120 by default) matters for short recordings only: a
    /// minute-long visit of ~200 words would otherwise get a 76-word budget and lose clinical statements;
    /// ACI-Bench visits (800+ words) are well above it.
    pub min_words: usize,
    pub max_words: usize,
    /// The patient's pronouns as the clinician gave them (HealthScribe's
    /// `MedicalScribeContext.PatientContext.Pronouns`). `None`: guessed from how the clinician speaks of
    /// the patient, which a "he" about a relative or a misheard word can get wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pronouns: Option<Pronouns>,
}

impl Default for NoteOptions {
    fn default() -> Self {
        Self { template: Template::built_in("HISTORY_AND_PHYSICAL").expect("built-in"), min_weight: 2.5, length_ratio: 0.38, min_words: 120, max_words: 700, pronouns: None }
    }
}

impl NoteOptions {
    /// Options for a built-in template by name (`Settings` error for an unknown name).
    pub fn for_template(name: &str) -> Result<Self> {
        Ok(Self { template: Template::built_in(name)?, ..Self::default() })
    }
}

/// Progress of note writing; the callback returns `false` to cancel.
#[derive(Debug, Clone, Copy)]
pub enum NoteProgress<'a> {
    /// Evidence grouped: how many sentences will be written.
    Planned { sentences: usize },
    /// A piece of model output (streaming).
    Token { text: &'a str },
    /// A model sentence failed the fact check (it is replaced by the rule-based sentence).
    Rejected { text: &'a str, unsupported: &'a [String] },
    /// A sentence is final (after the check).
    Sentence { done: usize, total: usize, section: &'a str, text: &'a str, by_model: bool },
}

/// Counts from one run (for reports and benchmarks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoteStats {
    pub facts: usize,
    pub sentences: usize,
    pub by_model: usize,
    /// Model sentences that failed the check and were replaced by the rule-based sentence.
    pub replaced: usize,
    /// Facts dropped because neither writer produced a supported sentence.
    pub dropped: usize,
    /// Prompt tokens the model ran (after the cached prefix) and tokens it generated: the note's cost.
    pub prompt_tokens: usize,
    pub generated_tokens: usize,
}

/// Writes the note. Without a model (or with `llm: None`) the note is rule-based; with one, each sentence is
/// the model's when it passes the check.
pub fn write_note(transcript: &TranscriptFile, opts: &NoteOptions, llm: Option<&mut ChatModel>, progress: &mut dyn FnMut(NoteProgress) -> bool) -> Result<SummaryFile> {
    write_note_checked(transcript, opts, llm, None, progress).map(|(f, _)| f)
}

/// [`write_note`] with the clinical lexicon for the entity check, returning run counts too.
pub fn write_note_checked(
    transcript: &TranscriptFile,
    opts: &NoteOptions,
    mut llm: Option<&mut ChatModel>,
    lexicon: Option<&Lexicon>,
    progress: &mut dyn FnMut(NoteProgress) -> bool,
) -> Result<(SummaryFile, NoteStats)> {
    if opts.template.sections.is_empty() {
        return Err(BedsideError::Settings { reason: "the note template has no sections".into() });
    }
    if opts.length_ratio.is_nan() || opts.length_ratio <= 0.0 || opts.min_words > opts.max_words {
        return Err(BedsideError::Settings { reason: "note length: length_ratio must be > 0 and min_words ≤ max_words".into() });
    }
    let segs = &transcript.conversation.transcript_segments;
    let pronouns = opts.pronouns.unwrap_or_else(|| evidence::pronouns(transcript));
    let mut stats = NoteStats::default();

    // Plan: facts routed to template sections, small talk out, then the length budget.
    let all = evidence::facts(transcript);
    stats.facts = all.len();
    let mut chosen: Vec<(usize, evidence::Fact)> = Vec::new();
    for f in all {
        let Some(section) = opts.template.section_for(f.kind) else { continue };
        if f.weight < opts.min_weight || chosen.iter().any(|(_, c)| c.said == f.said && c.question == f.question) {
            continue;
        }
        chosen.push((section, f));
    }
    let transcript_words: usize = segs.iter().map(|s| s.content.split_whitespace().count()).sum();
    let budget = ((transcript_words as f32 * opts.length_ratio) as usize).clamp(opts.min_words, opts.max_words);
    let fact_words = |f: &evidence::Fact| (f.said.split_whitespace().count() as f32 * 0.8) as usize + 3;
    let mut total: usize = chosen.iter().map(|(_, f)| fact_words(f)).sum();
    if total > budget {
        // Lightest facts go first (ties: later ones), essential ones (allergies, habits…) last, until
        // the note fits.
        let mut order: Vec<usize> = (0..chosen.len()).collect();
        order.sort_by(|&a, &b| {
            let (fa, fb) = (&chosen[a].1, &chosen[b].1);
            fa.essential.cmp(&fb.essential).then(fa.weight.partial_cmp(&fb.weight).unwrap_or(std::cmp::Ordering::Equal)).then(b.cmp(&a))
        });
        let mut drop = vec![false; chosen.len()];
        for i in order {
            if total <= budget {
                break;
            }
            total -= fact_words(&chosen[i].1);
            drop[i] = true;
        }
        let mut k = 0;
        chosen.retain(|_| {
            k += 1;
            !drop[k - 1]
        });
    }

    let mut sections: Vec<Vec<SummarizedSegment>> = vec![Vec::new(); opts.template.sections.len()];
    // The chief complaint is a phrase picked from the transcript, not a fact sentence; it is the note's
    // first sentence, announced like the others so a live view can show it at once.
    let chief = opts
        .template
        .sections
        .iter()
        .position(|s| s.kind == Kind::ChiefComplaint)
        .and_then(|cc| evidence::chief_complaint(transcript).map(|(phrase, seg)| (cc, clean::finish(&phrase), seg)));
    let first = chief.is_some() as usize;
    let total_sentences = chosen.len() + first;
    if !progress(NoteProgress::Planned { sentences: total_sentences }) {
        return Err(BedsideError::Cancelled);
    }
    if let Some((cc, text, seg)) = chief {
        stats.sentences += 1;
        let name = &opts.template.sections[cc].name;
        if !progress(NoteProgress::Sentence { done: 1, total: total_sentences, section: name, text: &text, by_model: false }) {
            return Err(BedsideError::Cancelled);
        }
        sections[cc].push(sentence(&text, &[seg], transcript));
    }
    if let Some(model) = llm.as_deref_mut() {
        let prefix = writer::prompt_prefix(model);
        model.cache_prefix(&prefix)?;
    }

    for (done, (section, fact)) in chosen.iter().enumerate() {
        let done = done + first;
        let spec = &opts.template.sections[*section];
        let evidence_text = fact.segments.iter().map(|&i| segs[i].content.as_str()).collect::<Vec<_>>().join("\n");
        let check_text = format!("{}\n{}", fact.excerpt(), evidence_text);
        let mut written: Option<(String, bool)> = None;
        // A yes/no answer already reads "He denies chest pain." from the rules: no model call needed.
        let rules_suffice = fact.answer.is_some() && fact.said.split_whitespace().count() <= 5;
        if let Some(model) = llm.as_deref_mut().filter(|_| !rules_suffice) {
            let (s, run) = writer::model_sentence(model, fact, spec, &mut |t| progress(NoteProgress::Token { text: t }))?;
            stats.prompt_tokens += run.prompt_tokens - run.cached_tokens;
            stats.generated_tokens += run.generated_tokens;
            if !s.is_empty() {
                let mut missing = check::unsupported(&s, &check_text, lexicon);
                // A note speaks of the patient in the third person; "you" means the model copied speech.
                if s.split(|c: char| !c.is_alphanumeric() && c != '\'').any(|w| matches!(w.to_ascii_lowercase().as_str(), "you" | "your" | "you're" | "yourself")) {
                    missing.push("second person".into());
                }
                if let Some(word) = check::wrong_pronoun(&s, &check_text, pronouns) {
                    missing.push(format!("pronoun \"{word}\""));
                }
                if missing.is_empty() {
                    written = Some((s, true));
                } else {
                    stats.replaced += 1;
                    if !progress(NoteProgress::Rejected { text: &s, unsupported: &missing }) {
                        return Err(BedsideError::Cancelled);
                    }
                }
            }
        }
        if written.is_none() {
            written = writer::extractive_sentence(fact, pronouns)
                .filter(|s| check::unsupported(s, &check_text, lexicon).is_empty())
                .map(|s| (s, false));
        }
        let Some((text, by_model)) = written else {
            stats.dropped += 1;
            continue;
        };
        stats.sentences += 1;
        stats.by_model += by_model as usize;
        if !progress(NoteProgress::Sentence { done: done + 1, total: total_sentences, section: &spec.name, text: &text, by_model }) {
            return Err(BedsideError::Cancelled);
        }
        sections[*section].push(sentence(&text, &fact.segments, transcript));
    }

    let sections = opts
        .template
        .sections
        .iter()
        .zip(sections)
        .filter(|(_, s)| !s.is_empty())
        .map(|(spec, summary)| NoteSection { section_name: spec.name.clone(), summary })
        .collect();
    Ok((SummaryFile { clinical_documentation: ClinicalDocumentation { sections } }, stats))
}

fn sentence(text: &str, segments: &[usize], t: &TranscriptFile) -> SummarizedSegment {
    let segs = &t.conversation.transcript_segments;
    SummarizedSegment {
        summarized_segment: text.to_string(),
        evidence_links: segments.iter().filter_map(|&i| segs.get(i)).map(|s| EvidenceLink { segment_id: s.segment_id.clone() }).collect(),
        unsupported: Vec::new(),
    }
}

/// The note as plain text: each section's heading (`HISTORY OF PRESENT ILLNESS`), then its sentences.
pub fn render_text(file: &SummaryFile) -> String {
    let mut out = String::new();
    for s in &file.clinical_documentation.sections {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&s.section_name.replace('_', " "));
        out.push_str("\n\n");
        let para: Vec<&str> = s.summary.iter().map(|x| x.summarized_segment.as_str()).collect();
        out.push_str(&para.join(" "));
        out.push('\n');
    }
    out
}
