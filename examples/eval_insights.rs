//! Entity recognition and negation on the hand-annotated development set (tests/fixtures/insights).
//!
//!     cargo run --release --example eval_insights -- [--lexicon models/lexicon-en.txt.gz] [--show] [--dump] [FIXTURE.json…]
//!
//! Scoring is `bedside::eval::insights` (the rule: same segment, overlapping span, same
//! category). Also prints lexicon load time and extraction speed. `--show` lists, per file, misses, false alarms
//! and wrong negations; `--dump` prints every insight.

use std::time::Instant;

use bedside::eval::insights::{Fixture, Score, CATEGORIES};
use bedside::insights::Lexicon;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show = args.iter().any(|a| a == "--show");
    let lex_path = args.iter().position(|a| a == "--lexicon").map(|i| args[i + 1].clone()).unwrap_or_else(|| "models/lexicon-en.txt.gz".into());
    let mut files: Vec<String> = args.iter().filter(|a| a.ends_with(".json")).cloned().collect();
    if files.is_empty() {
        files = std::fs::read_dir("tests/fixtures/insights")?
            .filter_map(|e| e.ok().map(|e| e.path().display().to_string()))
            .filter(|p| p.ends_with(".json"))
            .collect();
        files.sort();
    }
    let bytes = std::fs::read(&lex_path)?;
    let t0 = Instant::now();
    let lex = Lexicon::load(&bytes)?;
    let (concepts, variants, rules) = lex.counts();
    println!("lexicon {lex_path}: {} bytes, {concepts} concepts, {variants} terms, {rules} ConText rules, loaded in {:.0} ms", bytes.len(), t0.elapsed().as_secs_f64() * 1e3);

    let mut total = Score::default();
    let (mut secs, mut segs, mut chars) = (0.0, 0, 0);
    for path in &files {
        let fixture = Fixture::parse(&std::fs::read_to_string(path)?).map_err(|e| format!("{path}: {e}"))?;
        let t = Instant::now();
        let file = fixture.extract(&lex)?;
        secs += t.elapsed().as_secs_f64();
        let s = &file.conversation.transcript_segments;
        segs += s.len();
        chars += s.iter().map(|x| x.content.chars().count()).sum::<usize>();
        if args.iter().any(|a| a == "--dump") {
            for i in &file.conversation.clinical_insights {
                let attrs: Vec<String> = i.attributes.iter().map(|a| format!("{}={}", a.kind, a.spans[0].content)).collect();
                let traits: Vec<&str> = i.traits.iter().map(|t| t.name.as_str()).collect();
                println!("  {} {}/{} `{}` {:?} {:?} {:?}", i.spans[0].segment_id, i.category, i.kind, i.spans[0].content, attrs, traits, i.codes.first().map(|c| &c.code));
            }
        }
        let score = fixture.score(&file).map_err(|e| format!("{path}: {e}"))?;
        if show && !score.notes.is_empty() {
            println!("== {path}");
            for n in &score.notes {
                println!("  {n}");
                // A wrong negation is read in its sentence (bundled fixture text, not user data).
                if let Some(id) = n.strip_prefix("negation wrong: ").and_then(|r| r.split(' ').next()) {
                    if let Some(seg) = s.iter().find(|x| x.segment_id == id) {
                        println!("      {}", seg.content);
                    }
                }
            }
        }
        total.add(score);
    }
    for (c, name) in CATEGORIES.iter().enumerate() {
        let (p, r, f) = total.prf(Some(c));
        println!("{name:26} P {p:.3}  R {r:.3}  F1 {f:.3}  (tp {} fp {} fn {})", total.tp[c], total.fp[c], total.fn_[c]);
    }
    let (p, r, f) = total.prf(None);
    println!("{:26} P {p:.3}  R {r:.3}  F1 {f:.3}", "ALL (4 categories)");
    println!("negation accuracy {:.3} ({} / {} matched entities)", total.negation_accuracy(), total.negation_right, total.matched);
    println!("extraction: {segs} segments, {chars} characters in {:.1} ms ({:.0} chars/ms)", secs * 1e3, chars as f64 / (secs * 1e3).max(1e-9));
    Ok(())
}
