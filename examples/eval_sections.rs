//! Section accuracy on MTS-Dialog snippets, the way the issue measures it: each snippet is read as a
//! dialogue (as `bedside note` does), every segment is classified, and the snippet's section is the one
//! most of its clinical (non-`OTHER`) segments get. Prints per-section recall and balanced accuracy.
//!
//!     cargo run --release --example eval_sections -- PATH/TO/MTS-Dialog-ValidationSet.csv \
//!       [--model models/sections-minilm.safetensors] [--weights models/minilm-l6-v2-f16.safetensors] [--errors]
//!
//! `--errors` prints the examination and plan snippets read wrong, turn by turn (development data only).
//! The MTS-Dialog CSVs (CC BY 4.0) are development data and are not shipped in this repository.
//! The same figures by snippet-level cross-validation on the training split (a steadier estimate than
//! the validation split's 4 examination and 13 plan snippets): `train_sections --cv 5 --cv-only`.

use bedside::dialogue::transcript_from_dialogue;
use bedside::embed::Embedder;
use bedside::eval::sections::snippet_vote;
use bedside::sections::{best_group, header_group, predict, SectionModel, GROUPS};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let csv_path = args.first().filter(|a| !a.starts_with("--")).ok_or("usage: eval_sections VALIDATION.csv [--model F] [--weights F] [--errors]")?;
    let model = arg(&args, "--model").unwrap_or_else(|| "models/sections-minilm.safetensors".into());
    let errors = args.iter().any(|a| a == "--errors");
    let weights = arg(&args, "--weights").unwrap_or_else(|| "models/minilm-l6-v2-f16.safetensors".into());
    let t0 = std::time::Instant::now();
    let embedder = Embedder::load(&std::fs::read(&weights)?, &std::fs::read("models/minilm-l6-v2-config.json")?, &std::fs::read("models/minilm-l6-v2-tokenizer.json")?)?;
    let classifier = SectionModel::load(&std::fs::read(&model)?)?;
    eprintln!("loaded in {:.2} s", t0.elapsed().as_secs_f64());

    // Confusions under three readings of ties (the rule leaves them open): summed probability
    // decides, the tied section that comes first in the snippet wins, a tie counts as wrong.
    let mut confusion = [[[0usize; 4]; 3]; 3];
    let mut segments = 0;
    let mut ties = 0;
    let t0 = std::time::Instant::now();
    for row in csv::Reader::from_path(csv_path)?.records() {
        let row = row?;
        let (Some(header), Some(dialogue)) = (row.get(1), row.get(3)) else { continue };
        let Some(truth) = header_group(header) else { continue };
        let file = transcript_from_dialogue(dialogue)?;
        let probs = predict(&file, &embedder, &classifier)?;
        segments += probs.len();
        let vote = snippet_vote(&probs);
        ties += vote.tied as usize;
        if errors && truth > 0 && vote.by_probability != truth {
            println!("--- {} snippet read as {}", GROUPS[truth], GROUPS[vote.by_probability]);
            for (seg, p) in file.conversation.transcript_segments.iter().zip(&probs) {
                println!("  [{}] {}", &GROUPS[best_group(p)][..3], seg.content.chars().take(100).collect::<String>());
            }
        }
        let picks = [vote.by_probability, vote.by_order, vote.strict];
        for (c, pick) in confusion.iter_mut().zip(picks) {
            c[truth][pick] += 1;
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    println!("truth \\ predicted: {:?} (ties decided by summed probability)", GROUPS);
    let balanced = |c: &[[usize; 4]; 3]| (0..3).map(|g| c[g][g] as f64 / c[g].iter().sum::<usize>().max(1) as f64).sum::<f64>() / 3.0;
    for (g, row) in confusion[0].iter().enumerate() {
        let total: usize = row.iter().sum();
        println!("{:20} {:?}  recall {:.3} (n = {total})", GROUPS[g], row, row[g] as f64 / total.max(1) as f64);
    }
    println!("balanced accuracy {:.3}", balanced(&confusion[0]));
    println!(
        "{ties} snippets tied; ties to the section that comes first: {:.3}; ties counted wrong: {:.3}",
        balanced(&confusion[1]),
        balanced(&confusion[2])
    );
    println!("{segments} segments classified in {secs:.1} s ({:.1} ms per segment)", 1000.0 * secs / segments.max(1) as f64);
    Ok(())
}
