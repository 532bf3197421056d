//! Scores Bedside's notes against ACI-Bench reference notes: ROUGE-1/2/L F1 (percent), plus evidence
//! figures (share of sentences with evidence links, share of note entities not found in the transcript).
//!
//! ```text
//! cargo run --release --example eval_note -- --csv PATH/TO/aci-bench/valid.csv [--llm none|MODEL.gguf]… [--limit N] [--skip N]
//!     [--lexicon models/lexicon-en.txt.gz] [--show N]
//! ```
//! Also printed per writer: section placement, the share of note sentences that land in the same part
//! of the note (history, examination, results, assessment and plan) as the reference-note section that
//! shares most of their content words (sentences sharing under half their words with any one reference
//! section are not counted). ROUGE over the whole note cannot see a sentence in the wrong section.
//! `--misplaced` lists the sentences placed elsewhere than that section (development data only).
//! `--as-spoken` writes each note from the transcript lower-cased with its punctuation taken out, as
//! Whisper tiny.en often writes a recording (`bedside::eval::sections::as_spoken`).
//!
//! ACI-Bench (Yim et al., 2023; CC BY 4.0) test-set baselines: GPT-4 51.8 ROUGE-1, BART 53.5,
//! transcript-copy 32.8. The transcript-copy row here is the same baseline on the rows scored.

use std::time::Instant;

use bedside::eval::rouge::{rouge, Rouge};
use bedside::insights::Lexicon;
use bedside::llm::ChatModel;
use bedside::note::{self, check, NoteOptions};

struct Row {
    id: String,
    dialogue: String,
    reference: String,
}

fn arg_values(args: &[String], name: &str) -> Vec<String> {
    args.windows(2).filter(|w| w[0] == name).map(|w| w[1].clone()).collect()
}

#[derive(Default)]
struct Totals {
    n: usize,
    r: Rouge,
    sentences: usize,
    with_evidence: usize,
    entities: usize,
    absent: usize,
    by_model: usize,
    replaced: usize,
    /// Of those, replaced for a pronoun that fits neither the patient nor the evidence.
    wrong_pronoun: usize,
    words: usize,
    secs: f64,
    placed: usize,
    placed_right: usize,
    /// Note part × reference part.
    confusion: [[usize; 4]; 4],
}

/// The part of a note a section heading belongs to: 0 history, 1 examination, 2 results, 3 assessment
/// and plan.
fn part(heading: &str) -> usize {
    let h = heading.to_ascii_uppercase();
    if h.contains("EXAM") || h.contains("VITALS") {
        1
    } else if h.contains("RESULTS") || h.contains("DIAGNOSTIC") || h.contains("IMAGING") || h.contains("LAB") {
        2
    } else if h.contains("ASSESSMENT") || h.contains("PLAN") || h.contains("IMPRESSION") || h.contains("INSTRUCTIONS") {
        3
    } else {
        0
    }
}

fn content(text: &str) -> std::collections::HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 3).map(str::to_ascii_lowercase).collect()
}

/// The reference note's text per part, from its upper-case heading lines.
fn reference_parts(reference: &str) -> [std::collections::HashSet<String>; 4] {
    let mut parts: [String; 4] = Default::default();
    let mut current = 0;
    for line in reference.lines() {
        let t = line.trim();
        if !t.is_empty() && t.len() < 60 && t.chars().any(char::is_alphabetic) && !t.chars().any(char::is_lowercase) {
            current = part(t);
            continue;
        }
        parts[current].push(' ');
        parts[current].push_str(t);
    }
    parts.map(|p| content(&p))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let Some(csv_path) = arg_values(&args, "--csv").pop() else {
        return Err("usage: eval_note --csv PATH/TO/aci-bench/valid.csv [--llm none|MODEL.gguf]… (the ACI-Bench CSVs are not shipped)".into());
    };
    let limit: usize = arg_values(&args, "--limit").pop().and_then(|s| s.parse().ok()).unwrap_or(usize::MAX);
    let skip: usize = arg_values(&args, "--skip").pop().and_then(|s| s.parse().ok()).unwrap_or(0);
    let show: usize = arg_values(&args, "--show").pop().and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut opts = NoteOptions::default();
    if let Some(r) = arg_values(&args, "--ratio").pop().and_then(|s| s.parse().ok()) {
        opts.length_ratio = r;
    }
    if let Some(w) = arg_values(&args, "--min-weight").pop().and_then(|s| s.parse().ok()) {
        opts.min_weight = w;
    }
    if let Some(w) = arg_values(&args, "--max-words").pop().and_then(|s| s.parse().ok()) {
        opts.max_words = w;
    }
    let mut llms = arg_values(&args, "--llm");
    if llms.is_empty() {
        llms.push("none".into());
    }
    let lexicon = match arg_values(&args, "--lexicon").pop() {
        Some(p) => Some(Lexicon::load(&std::fs::read(&p)?)?),
        None => std::fs::read("models/lexicon-en.txt.gz").ok().and_then(|b| Lexicon::load(&b).ok()),
    };
    eprintln!("lexicon: {}", if lexicon.is_some() { "loaded" } else { "none (content-word check only)" });

    let mut reader = csv::Reader::from_path(&csv_path)?;
    let rows: Vec<Row> = reader
        .records()
        .filter_map(|r| r.ok())
        .map(|r| Row { id: r[1].to_string(), dialogue: r[2].to_string(), reference: r[3].to_string() })
        .skip(skip)
        .take(limit)
        .collect();

    // Transcript-copy baseline.
    let mut copy = Totals::default();
    for row in &rows {
        let t = bedside::dialogue::transcript_from_dialogue(&row.dialogue)?;
        let text: Vec<&str> = t.conversation.transcript_segments.iter().map(|s| s.content.as_str()).collect();
        add(&mut copy.r, rouge(&text.join(" "), &row.reference));
        copy.n += 1;
    }

    println!("| writer | dialogues | ROUGE-1 | ROUGE-2 | ROUGE-L | words/note | sentences with evidence | note entities absent from transcript | model sentences kept | s/note |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    print_row("transcript copy", &copy, false);
    for spec in &llms {
        let mut model = if spec == "none" { None } else { Some(ChatModel::load(&std::fs::read(spec)?)?) };
        let label = model.as_ref().map(|m| m.name().to_string()).unwrap_or_else(|| "rules (no model)".into());
        let mut tot = Totals::default();
        for (k, row) in rows.iter().enumerate() {
            let mut t = bedside::dialogue::transcript_from_dialogue(&row.dialogue)?;
            if args.iter().any(|a| a == "--as-spoken") {
                t.conversation.transcript_segments.iter_mut().for_each(|s| s.content = bedside::eval::sections::as_spoken(&s.content));
            }
            let t0 = Instant::now();
            let verbose = args.iter().any(|a| a == "--verbose");
            let mut wrong_pronoun = 0;
            let (summary, stats) = note::write_note_checked(&t, &opts, model.as_mut(), lexicon.as_ref(), &mut |p| {
                if let note::NoteProgress::Rejected { unsupported, .. } = p {
                    wrong_pronoun += unsupported.iter().any(|u| u.starts_with("pronoun")) as usize;
                }
                match p {
                    note::NoteProgress::Rejected { text, unsupported } if verbose => eprintln!("  rejected {text:?}: {unsupported:?}"),
                    note::NoteProgress::Sentence { text, by_model: true, .. } if verbose => eprintln!("  kept {text:?}"),
                    _ => {}
                }
                true
            })?;
            tot.secs += t0.elapsed().as_secs_f64();
            let text = note::render_text(&summary);
            let r = rouge(&text, &row.reference);
            add(&mut tot.r, r);
            tot.n += 1;
            tot.words += text.split_whitespace().count();
            tot.by_model += stats.by_model;
            tot.replaced += stats.replaced;
            tot.wrong_pronoun += wrong_pronoun;
            let transcript_text: String = t.conversation.transcript_segments.iter().map(|s| s.content.as_str()).collect::<Vec<_>>().join("\n");
            let parts = reference_parts(&row.reference);
            for (section, s) in summary.sentences() {
                let words = content(&s.summarized_segment);
                let shared = |p: &std::collections::HashSet<String>| words.intersection(p).count();
                if let Some(best) = (0..4).max_by_key(|&g| shared(&parts[g])).filter(|&g| 2 * shared(&parts[g]) >= words.len() && !words.is_empty()) {
                    tot.placed += 1;
                    tot.placed_right += (part(section) == best) as usize;
                    tot.confusion[part(section)][best] += 1;
                    if part(section) != best && args.iter().any(|a| a == "--misplaced") {
                        // Development aid on development data (never user text).
                        eprintln!("misplaced {} {section} -> {}: {}", row.id, ["history", "exam", "results", "A&P"][best], s.summarized_segment);
                    }
                }
                tot.sentences += 1;
                tot.with_evidence += (!s.evidence_links.is_empty()) as usize;
                let mut ents: Vec<String> = check::numbers(&s.summarized_segment).iter().map(|n| format!("{n}")).collect();
                if let Some(lex) = &lexicon {
                    ents.extend(lex.find_in(&s.summarized_segment).into_iter().map(|(surface, _)| surface));
                }
                for e in ents {
                    tot.entities += 1;
                    if !check::found(&e, &transcript_text, lexicon.as_ref()) {
                        tot.absent += 1;
                        eprintln!("  {}: entity not in transcript: {e:?} in {:?}", row.id, s.summarized_segment);
                    }
                }
            }
            eprintln!(
                "{} {label}: R1 {:.1} R2 {:.1} RL {:.1}, {} sentences ({} by model, {} replaced), {} prompt + {} generated tokens, {:.1} s",
                row.id, r.rouge1, r.rouge2, r.rouge_l, stats.sentences, stats.by_model, stats.replaced, stats.prompt_tokens, stats.generated_tokens,
                t0.elapsed().as_secs_f64()
            );
            if k < show {
                eprintln!("----- {} -----\n{text}", row.id);
            }
        }
        print_row(&label, &tot, true);
        println!(
            "  {label}: section placement {:.1}% ({} of {} sentences traced to one reference section)",
            100.0 * tot.placed_right as f64 / tot.placed.max(1) as f64,
            tot.placed_right,
            tot.placed
        );
        println!("  placement by part (rows: this note's history / exam / results / A&P; columns: the reference's): {:?}", tot.confusion);
        if model.is_some() {
            println!("  {label}: {} of {} model sentences replaced for a pronoun of another set than the patient's (guessed)", tot.wrong_pronoun, tot.by_model + tot.replaced);
        }
    }
    Ok(())
}

fn add(a: &mut Rouge, b: Rouge) {
    a.rouge1 += b.rouge1;
    a.rouge2 += b.rouge2;
    a.rouge_l += b.rouge_l;
}

fn print_row(label: &str, t: &Totals, note: bool) {
    let n = t.n.max(1) as f64;
    if !note {
        println!("| {label} | {} | {:.1} | {:.1} | {:.1} | | | | | |", t.n, t.r.rouge1 / n, t.r.rouge2 / n, t.r.rouge_l / n);
        return;
    }
    println!(
        "| {label} | {} | {:.1} | {:.1} | {:.1} | {:.0} | {:.1}% | {:.2}% ({}/{}) | {}/{} | {:.1} |",
        t.n,
        t.r.rouge1 / n,
        t.r.rouge2 / n,
        t.r.rouge_l / n,
        t.words as f64 / n,
        100.0 * t.with_evidence as f64 / t.sentences.max(1) as f64,
        100.0 * t.absent as f64 / t.entities.max(1) as f64,
        t.absent,
        t.entities,
        t.by_model,
        t.by_model + t.replaced,
        t.secs / n
    );
}
