//! Entity recognition and negation on the hand-annotated development set (tests/fixtures/insights).
//!
//!     cargo run --release --example eval_insights -- [--lexicon models/lexicon-en.txt.gz] [--show] [FIXTURE.json…]
//!
//! Scoring (as the issue defines it): a predicted entity matches a gold one when both are in the same
//! segment, their character spans overlap and the categories are equal (MEDICATION, MEDICAL_CONDITION,
//! TEST_TREATMENT_PROCEDURE, ANATOMY); matching is one-to-one. Negation accuracy is over matched pairs.
//! Also prints lexicon load time and extraction speed. `--show` lists misses and false alarms; `--dump` prints every insight.

use std::time::Instant;

use bedside::dialogue::transcript_from_dialogue;
use bedside::insights::{extract, Lexicon};

const CATS: [&str; 4] = ["MEDICATION", "MEDICAL_CONDITION", "TEST_TREATMENT_PROCEDURE", "ANATOMY"];

/// Char offsets of the `occ`-th whole-word occurrence of `needle` in `hay` (case-insensitive).
fn locate(hay: &str, needle: &str, occ: usize) -> Option<(usize, usize)> {
    let h: Vec<char> = hay.to_lowercase().chars().collect();
    let n: Vec<char> = needle.to_lowercase().chars().collect();
    let mut seen = 0;
    for i in 0..h.len().saturating_sub(n.len() - 1) {
        let word_edge = |j: usize| j >= h.len() || !h[j].is_alphanumeric();
        if h[i..i + n.len()] == n[..] && (i == 0 || !h[i - 1].is_alphanumeric()) && word_edge(i + n.len()) {
            if seen == occ {
                return Some((i, i + n.len()));
            }
            seen += 1;
        }
    }
    None
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show = args.iter().any(|a| a == "--show");
    let lex_path = args.iter().position(|a| a == "--lexicon").map(|i| args[i + 1].clone()).unwrap_or_else(|| "models/lexicon-en.txt.gz".into());
    let mut files: Vec<String> = args.iter().filter(|a| a.ends_with(".json")).cloned().collect();
    if files.is_empty() {
        let mut all: Vec<String> = std::fs::read_dir("tests/fixtures/insights")?
            .filter_map(|e| e.ok().map(|e| e.path().display().to_string()))
            .filter(|p| p.ends_with(".json"))
            .collect();
        all.sort();
        files = all;
    }
    let bytes = std::fs::read(&lex_path)?;
    let t0 = Instant::now();
    let lex = Lexicon::load(&bytes)?;
    let (concepts, variants, rules) = lex.counts();
    println!("lexicon {lex_path}: {} bytes, {concepts} concepts, {variants} terms, {rules} ConText rules, loaded in {:.0} ms", bytes.len(), t0.elapsed().as_secs_f64() * 1e3);

    let (mut tp, mut fp, mut fn_) = ([0usize; 4], [0usize; 4], [0usize; 4]);
    let (mut neg_ok, mut neg_n) = (0, 0);
    let (mut secs, mut segs, mut chars) = (0.0, 0, 0);
    for path in &files {
        let fixture: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
        let mut file = transcript_from_dialogue(fixture["dialogue"].as_str().ok_or("no dialogue")?)?;
        let t = Instant::now();
        extract(&mut file, &lex)?;
        secs += t.elapsed().as_secs_f64();
        let s = &file.conversation.transcript_segments;
        if args.iter().any(|a| a == "--dump") {
            for i in &file.conversation.clinical_insights {
                let attrs: Vec<String> = i.attributes.iter().map(|a| format!("{}={}", a.kind, a.spans[0].content)).collect();
                let traits: Vec<&str> = i.traits.iter().map(|t| t.name.as_str()).collect();
                println!("  {} {}/{} `{}` {:?} {:?} {:?}", i.spans[0].segment_id, i.category, i.kind, i.spans[0].content, attrs, traits, i.codes.first().map(|c| &c.code));
            }
        }
        segs += s.len();
        chars += s.iter().map(|x| x.content.chars().count()).sum::<usize>();
        // Gold: (segment id, begin, end, category, negated, text)
        let mut gold = Vec::new();
        for e in fixture["entities"].as_array().ok_or("no entities")? {
            let seg = e[0].as_u64().ok_or("segment")? as usize;
            let text = e[1].as_str().ok_or("text")?;
            let occ = e.get(4).and_then(|o| o.as_u64()).unwrap_or(0) as usize;
            let (b, en) = locate(&s[seg].content, text, occ).ok_or_else(|| format!("{path}: `{text}` not in segment {seg}"))?;
            gold.push((s[seg].segment_id.clone(), b, en, e[2].as_str().unwrap_or("").to_string(), e[3].as_bool().unwrap_or(false), text.to_string()));
        }
        let mut used = vec![false; gold.len()];
        for ins in file.conversation.clinical_insights.iter().filter(|i| CATS.contains(&i.category.as_str())) {
            let c = CATS.iter().position(|c| *c == ins.category).unwrap_or(0);
            let sp = &ins.spans[0];
            let hit = gold.iter().enumerate().position(|(g, x)| {
                !used[g] && x.0 == sp.segment_id && x.3 == ins.category && sp.begin_character_offset < x.2 && x.1 < sp.end_character_offset
            });
            match hit {
                Some(g) => {
                    used[g] = true;
                    tp[c] += 1;
                    let negated = ins.traits.iter().any(|t| t.name == "NEGATION");
                    neg_n += 1;
                    if negated == gold[g].4 {
                        neg_ok += 1;
                    } else if show {
                        println!("  negation wrong: {} `{}` (gold {})", sp.segment_id, sp.content, gold[g].4);
                    }
                }
                None => {
                    fp[c] += 1;
                    if show {
                        println!("  false alarm: {} {} `{}`", sp.segment_id, ins.category, sp.content);
                    }
                }
            }
        }
        for (g, x) in gold.iter().enumerate().filter(|(g, _)| !used[*g]) {
            let c = CATS.iter().position(|c| *c == x.3).unwrap_or(0);
            fn_[c] += 1;
            if show {
                println!("  missed: {} {} `{}` ({g})", x.0, x.3, x.5);
            }
        }
    }
    let prf = |tp: usize, fp: usize, fn_: usize| {
        let p = tp as f64 / (tp + fp).max(1) as f64;
        let r = tp as f64 / (tp + fn_).max(1) as f64;
        (p, r, if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 })
    };
    for c in 0..4 {
        let (p, r, f) = prf(tp[c], fp[c], fn_[c]);
        println!("{:26} P {p:.3}  R {r:.3}  F1 {f:.3}  (tp {} fp {} fn {})", CATS[c], tp[c], fp[c], fn_[c]);
    }
    let (p, r, f) = prf(tp.iter().sum(), fp.iter().sum(), fn_.iter().sum());
    println!("{:26} P {p:.3}  R {r:.3}  F1 {f:.3}", "ALL (4 categories)");
    println!("negation accuracy {:.3} ({neg_ok} / {neg_n} matched entities)", neg_ok as f64 / neg_n.max(1) as f64);
    println!("extraction: {segs} segments, {chars} characters in {:.1} ms ({:.0} chars/ms)", secs * 1e3, chars as f64 / (secs * 1e3).max(1e-9));
    Ok(())
}
