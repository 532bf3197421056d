//! How much of the patient's identity redaction removes, on ACI-Bench dialogues whose metadata names the
//! patient (first name, family name, age).
//!
//!     cargo run --release --example eval_phi -- \
//!       --aci PATH/aci-bench/train.csv,PATH/aci-bench/valid.csv \
//!       --meta PATH/aci-bench/train_metadata.csv,PATH/aci-bench/valid_metadata.csv [--show]
//!
//! Each time the patient's first or family name is said (a whole word, any case) or the age is given
//! ("50-year-old", "62 years old"), it counts as found when a `PROTECTED_HEALTH_INFORMATION` insight of
//! type `NAME` / `AGE` overlaps it. After `redact`, every segment is searched again for the names: what is
//! left is a leak. Other `NAME` spans (family members, clinicians, places taken for names) are counted
//! and, with `--show`, listed for review: the metadata cannot say whether they are right.
//! ACI-Bench (CC BY 4.0) is development data: the name rules were written while reading it, so these are
//! development figures, not held-out ones.

use std::collections::HashMap;

use bedside::dialogue::transcript_from_dialogue;
use bedside::insights::{extract, redact, Lexicon};
use bedside::schema::transcript::TranscriptFile;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

/// Character ranges where `word` stands as a whole word in `text` (case-insensitive).
fn whole_words(text: &str, word: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    let w: Vec<char> = word.to_lowercase().chars().collect();
    let is_word = |c: char| c.is_alphanumeric();
    let mut out = Vec::new();
    if w.is_empty() || chars.len() < w.len() {
        return out;
    }
    for i in 0..=chars.len() - w.len() {
        if chars[i..i + w.len()] == w[..]
            && (i == 0 || !is_word(chars[i - 1]))
            && chars.get(i + w.len()).is_none_or(|&c| !is_word(c))
        {
            out.push((i, i + w.len()));
        }
    }
    out
}

/// Character ranges of the age given as "50-year-old", "50 year old", "50 years old", "50 years of age".
fn age_mentions(text: &str, age: &str) -> Vec<(usize, usize)> {
    let lower = text.to_lowercase();
    whole_words(text, age)
        .into_iter()
        .filter(|&(_, e)| {
            let rest: String = lower.chars().skip(e).take(16).collect();
            ["-year-old", " year old", " years old", " years of age", " year-old"].iter().any(|s| rest.starts_with(s))
        })
        .collect()
}

/// Whether a PHI insight of `kind` in segment `seg` overlaps `(b, e)`.
fn covered(file: &TranscriptFile, seg: &str, kind: &str, (b, e): (usize, usize)) -> bool {
    file.conversation.clinical_insights.iter().filter(|i| i.category == "PROTECTED_HEALTH_INFORMATION" && i.kind == kind).any(|i| {
        i.spans.iter().any(|s| s.segment_id == seg && s.begin_character_offset < e && b < s.end_character_offset)
    })
}

#[derive(Default)]
struct Count {
    said: usize,
    found: usize,
}

impl Count {
    fn line(&self, name: &str) {
        println!("{name:16} {:4} / {:4} found ({:.3})", self.found, self.said, self.found as f64 / self.said.max(1) as f64);
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show = args.iter().any(|a| a == "--show");
    let usage = "usage: eval_phi --aci train.csv[,valid.csv] --meta train_metadata.csv[,valid_metadata.csv] [--lexicon FILE] [--show]";
    let lex_path = arg(&args, "--lexicon").unwrap_or_else(|| "models/lexicon-en.txt.gz".into());
    let lex = Lexicon::load(&std::fs::read(&lex_path)?)?;

    // encounter id → (first name, family name, age)
    let mut meta: HashMap<String, (String, String, String)> = HashMap::new();
    for path in arg(&args, "--meta").ok_or(usage)?.split(',') {
        let mut r = csv::Reader::from_path(path)?;
        let h = r.headers()?.clone();
        let col = |n: &str| h.iter().position(|x| x == n).ok_or(format!("{path}: no column {n}"));
        let (id, first, family, age) = (col("encounter_id")?, col("patient_firstname")?, col("patient_familyname")?, col("patient_age")?);
        for row in r.records() {
            let row = row?;
            meta.insert(row[id].to_string(), (row[first].trim().to_string(), row[family].trim().to_string(), row[age].trim().to_string()));
        }
    }

    let (mut first, mut family, mut age) = (Count::default(), Count::default(), Count::default());
    let (mut visits, mut leaks, mut leaky_visits, mut other_names) = (0, 0, 0, 0);
    for path in arg(&args, "--aci").ok_or(usage)?.split(',') {
        for row in csv::Reader::from_path(path)?.records() {
            let row = row?;
            let Some((f, l, a)) = meta.get(&row[1]) else { continue };
            let mut file = transcript_from_dialogue(&row[2])?;
            extract(&mut file, &lex)?;
            visits += 1;
            for seg in &file.conversation.transcript_segments {
                for (name, count) in [(f, &mut first), (l, &mut family)] {
                    for m in whole_words(&seg.content, name) {
                        count.said += 1;
                        if covered(&file, &seg.segment_id, "NAME", m) {
                            count.found += 1;
                        } else if show {
                            println!("  missed name `{name}` in {}: {}", &row[1], seg.content);
                        }
                    }
                }
                for m in age_mentions(&seg.content, a) {
                    age.said += 1;
                    age.found += covered(&file, &seg.segment_id, "AGE", m) as usize;
                }
            }
            for i in file.conversation.clinical_insights.iter().filter(|i| i.category == "PROTECTED_HEALTH_INFORMATION" && i.kind == "NAME") {
                let text = i.spans[0].content.to_lowercase();
                if !text.split_whitespace().any(|w| w == f.to_lowercase() || w == l.to_lowercase()) {
                    other_names += 1;
                    if show {
                        println!("  other name `{}` in {}", i.spans[0].content, &row[1]);
                    }
                }
            }
            redact(&mut file);
            let left: usize = file
                .conversation
                .transcript_segments
                .iter()
                .map(|s| whole_words(&s.content, f).len() + whole_words(&s.content, l).len())
                .sum();
            leaks += left;
            leaky_visits += (left > 0) as usize;
        }
    }
    println!("{visits} ACI-Bench visits with the patient's name in their metadata");
    first.line("first name");
    family.line("family name");
    age.line("age");
    println!("after redaction: {leaks} mentions of the patient's names left, in {leaky_visits} of {visits} visits");
    println!("other NAME spans (family, clinicians, or wrong): {other_names}");
    Ok(())
}
