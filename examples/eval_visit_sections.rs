//! Section accuracy turn by turn on whole visits: the bundled visits whose every turn was labelled by hand
//! (`tests/fixtures/sections/`, see its README). MTS-Dialog snippets (`eval_sections`) hold one section
//! each; a visit moves from history to examination to plan and back, which is what the demo shows.
//!
//!     cargo run --release --example eval_visit_sections -- [--labels tests/fixtures/sections] [--errors] [--as-spoken]
//!
//! Prints, per visit and over all, the share of turns whose section matches the label, the 4 × 4
//! confusion, each section's recall and precision, and the mean recall over the four sections.
//! `--errors` lists the turns that differ (line number, speaker, label, prediction, the turn's opening
//! words): these are bundled fixture dialogues, never user text. `--as-spoken` reads every turn as a
//! recogniser that writes no punctuation would give it (`bedside::eval::sections::as_spoken`).

use bedside::dialogue::transcript_from_dialogue;
use bedside::embed::Embedder;
use bedside::eval::sections::{as_spoken, read_labels, score_turns};
use bedside::sections::{best_group, predict, SectionModel, GROUPS};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = arg(&args, "--labels").unwrap_or_else(|| "tests/fixtures/sections".into());
    let errors = args.iter().any(|a| a == "--errors");
    let spoken = args.iter().any(|a| a == "--as-spoken");
    let embedder = Embedder::load(
        &std::fs::read("models/minilm-l6-v2-f16.safetensors")?,
        &std::fs::read("models/minilm-l6-v2-config.json")?,
        &std::fs::read("models/minilm-l6-v2-tokenizer.json")?,
    )?;
    let model = SectionModel::load(&std::fs::read(arg(&args, "--model").unwrap_or_else(|| "models/sections-minilm.safetensors".into()))?)?;

    let mut paths: Vec<_> = std::fs::read_dir(&dir)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|e| e == "tsv")).collect();
    paths.sort();
    let mut total = [[0usize; 4]; 4];
    for path in paths {
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("?").to_string();
        let visit = read_labels(&std::fs::read_to_string(&path)?).map_err(|e| format!("{name}: {e}"))?;
        let mut file = transcript_from_dialogue(&std::fs::read_to_string(&visit.dialogue)?)?;
        if spoken {
            for s in &mut file.conversation.transcript_segments {
                s.content = as_spoken(&s.content);
            }
        }
        let segs = &file.conversation.transcript_segments;
        if segs.len() != visit.labels.len() {
            return Err(format!("{name}: {} labels for {} turns", visit.labels.len(), segs.len()).into());
        }
        let probs = predict(&file, &embedder, &model)?;
        let right = score_turns(&probs, &visit.labels, &mut total);
        if errors {
            for (i, (p, &truth)) in probs.iter().zip(&visit.labels).enumerate() {
                let pick = best_group(p);
                if pick != truth {
                    let s = &segs[i];
                    let who = if s.participant_details.participant_role.starts_with("CLINICIAN") { "C" } else { "P" };
                    let opening: String = s.content.chars().take(90).collect();
                    println!("  {name}:{:<3} {who} {:>10} → {:<10} {opening}", i + 1, &GROUPS[truth][..3], &GROUPS[pick][..3]);
                }
            }
        }
        println!("{name:12} {right:3} / {:3} turns ({:.3})", segs.len(), right as f64 / segs.len().max(1) as f64);
    }
    let n: usize = total.iter().flatten().sum();
    let right: usize = (0..4).map(|g| total[g][g]).sum();
    println!("all          {right:3} / {n:3} turns ({:.3})", right as f64 / n.max(1) as f64);
    println!("label \\ predicted: {:?}", GROUPS.map(|g| &g[..3]));
    let mut recalls = Vec::new();
    for g in 0..4 {
        let row: usize = total[g].iter().sum();
        let col: usize = (0..4).map(|t| total[t][g]).sum();
        let recall = total[g][g] as f64 / row.max(1) as f64;
        recalls.push(recall);
        println!(
            "{:20} {:?}  recall {recall:.3} (n = {row}), precision {:.3}",
            GROUPS[g],
            total[g],
            total[g][g] as f64 / col.max(1) as f64
        );
    }
    println!("mean recall over the four sections {:.3}", recalls.iter().sum::<f64>() / 4.0);
    Ok(())
}
