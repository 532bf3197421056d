//! Trains the section classifier (`models/sections-minilm.safetensors`) from development data.
//!
//!     cargo run --release --example train_sections -- \
//!       --mts PATH/TO/MTS-Dialog-TrainingSet.csv \
//!       --aci PATH/TO/aci-bench/train.csv,PATH/TO/aci-bench/valid.csv \
//!       --out models/sections-minilm.safetensors --cache target/sections-embeddings.bin
//!
//! The MTS-Dialog and ACI-Bench CSVs (CC BY 4.0) are development data, not shipped in this repository.
//!
//! Data: every turn of an MTS-Dialog training snippet is labelled with its snippet's section group
//! (`bedside::sections::header_group`); `OTHER` examples are greeting / small-talk / logistics turns from
//! the opening and closing turns of ACI-Bench dialogues (rule `is_small_talk`), plus ACI-Bench clinician
//! turns labelled `OBJECTIVE` / `ASSESSMENT_AND_PLAN` by the cue-and-position rule in `aci_label` (MTS-Dialog
//! alone has under 200 examination turns).
//! MTS-Dialog snippets are also chained four at a time, in visit order, into pseudo-visits (see `main`).
//! Features: `bedside::sections::features` over MiniLM embeddings (models/minilm-l6-v2-*).
//! Training: full-batch gradient descent (Adam) on class-weighted cross-entropy (each group weighs the
//! same in total, so the rare OBJECTIVE group is not drowned) with L2 decay; zero (or fixed-seed)
//! initialisation, so the same data gives the same weights. Options: --hidden N (0 = logistic
//! regression), --epochs N, --lr X, --decay X, --models DIR, --cache FILE (embeddings kept between runs).

use std::collections::HashMap;

use bedside::dialogue::transcript_from_dialogue;
use bedside::embed::Embedder;
use bedside::sections::{features, header_group, role_flag, FEATURES, GROUPS};
use candle_core::{DType, Device, Tensor, Var, D};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

/// Greeting, thanks, farewells and visit logistics (the rule that labels `OTHER` training turns).
pub fn is_small_talk(text: &str) -> bool {
    let t = text.to_lowercase();
    let words = t.split_whitespace().count();
    const CUES: &[&str] = &[
        "hi ", "hi,", "hello", "how are you", "nice to meet", "good morning", "good afternoon", "thank you", "thanks",
        "bye", "see you", "take care", "dax", "nurse will", "check out", "front desk", "have a good", "have a great",
        "you're welcome", "sounds good", "nice to see", "how's it going", "how have you been", "i'm good",
        "i'm doing well", "i'm doing okay", "doing good", "appreciate it", "great to see", "good to see",
    ];
    words <= 25 && CUES.iter().any(|c| t.starts_with(c) || t.contains(&format!(" {c}")) || t.contains(&format!(", {c}")))
}

/// Rule labels for ACI-Bench turns: small talk anywhere at the start or end; the clinician's examination
/// and results talk, and assessment and plan talk, by cue words and where in the visit they fall
/// (examination after the first quarter, plans after the first half). Unmatched turns are not used.
fn aci_label(text: &str, clinician: bool, position: f64) -> Option<usize> {
    let t = text.to_lowercase();
    let has = |cues: &[&str]| cues.iter().any(|c| t.contains(c));
    if (position < 0.1 || position > 0.9) && is_small_talk(text) {
        return Some(3);
    }
    if !clinician || t.split_whitespace().count() < 6 {
        return None;
    }
    const EXAM: &[&str] = &[
        "on exam", "physical exam", "your exam", "on examination", "lungs are clear", "lungs sound", "heart sounds",
        "murmur", "tenderness", "range of motion", "no edema", "x-ray", "x ray", "mri", "ct scan", "results",
        "vital signs", "vitals", "blood pressure is", "blood pressure was", "heart rate", "oxygen", "ultrasound",
        "echocardiogram", "ekg", "i reviewed", "shows", "showed", "on auscultation", "palpation", "exam",
    ];
    const PLAN: &[&str] = &[
        "assessment", "my plan", "the plan", "i want to", "i'm going to prescribe", "i'd like to", "we'll", "we will",
        "i'm going to order", "recommend", "follow up", "come back", "refer you", "diagnosis", "continue", "start you on",
        "increase", "prescribe", "schedule", "for your", "impression",
    ];
    let exam = has(EXAM);
    let plan = has(PLAN);
    if exam && !plan && position > 0.25 {
        Some(1)
    } else if plan && !exam && position > 0.5 {
        Some(2)
    } else {
        None
    }
}

struct Example {
    texts: Vec<String>,
    roles: Vec<Option<bool>>,
    labels: Vec<Option<usize>>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mts = arg(&args, "--mts").ok_or("usage: train_sections --mts TRAIN.csv [--aci train.csv] --out FILE")?;
    let out = arg(&args, "--out").unwrap_or_else(|| "models/sections-minilm.safetensors".into());
    let models = arg(&args, "--models").unwrap_or_else(|| "models".into());
    let hidden: usize = arg(&args, "--hidden").map(|s| s.parse()).transpose()?.unwrap_or(0);
    let epochs: usize = arg(&args, "--epochs").map(|s| s.parse()).transpose()?.unwrap_or(400);
    let lr: f64 = arg(&args, "--lr").map(|s| s.parse()).transpose()?.unwrap_or(0.01);
    let decay: f64 = arg(&args, "--decay").map(|s| s.parse()).transpose()?.unwrap_or(0.01);

    let mut examples = Vec::new();
    for row in csv::Reader::from_path(&mts)?.records() {
        let row = row?;
        let (Some(header), Some(dialogue)) = (row.get(1), row.get(3)) else { continue };
        let Some(group) = header_group(header) else { continue };
        let Ok(file) = transcript_from_dialogue(dialogue) else { continue };
        let segs = &file.conversation.transcript_segments;
        examples.push(Example {
            texts: segs.iter().map(|s| s.content.clone()).collect(),
            roles: segs.iter().map(|s| role_flag(&s.participant_details.participant_role)).collect(),
            labels: vec![Some(group); segs.len()],
        });
    }
    // Pseudo-visits: MTS-Dialog snippets are single-section, so a model trained on them alone learns that
    // neighbours always share a section. Chains of snippets in visit order (history, examination, plan)
    // teach it that the section changes along a visit. Fixed-seed shuffle: repeatable.
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut state = 0x9E3779B97F4A7C15u64;
    for i in (1..order.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        order.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let mut chains = Vec::new();
    for chunk in order.chunks(4) {
        let mut parts: Vec<&Example> = chunk.iter().map(|&i| &examples[i]).collect();
        parts.sort_by_key(|e| e.labels[0]);
        chains.push(Example {
            texts: parts.iter().flat_map(|e| e.texts.clone()).collect(),
            roles: parts.iter().flat_map(|e| e.roles.clone()).collect(),
            labels: parts.iter().flat_map(|e| e.labels.clone()).collect(),
        });
    }
    examples.extend(chains);
    for aci in arg(&args, "--aci").map(|a| a.split(',').map(String::from).collect::<Vec<_>>()).unwrap_or_default() {
        for row in csv::Reader::from_path(&aci)?.records() {
            let row = row?;
            let Some(dialogue) = row.get(2) else { continue };
            let Ok(file) = transcript_from_dialogue(dialogue) else { continue };
            let segs = &file.conversation.transcript_segments;
            let n = segs.len();
            examples.push(Example {
                texts: segs.iter().map(|s| s.content.clone()).collect(),
                roles: segs.iter().map(|s| role_flag(&s.participant_details.participant_role)).collect(),
                labels: segs
                    .iter()
                    .enumerate()
                    .map(|(i, s)| aci_label(&s.content, s.participant_details.participant_role.starts_with("CLINICIAN"), i as f64 / n as f64))
                    .collect(),
            });
        }
    }

    let embedder = Embedder::load(
        &std::fs::read(format!("{models}/minilm-l6-v2-f16.safetensors"))?,
        &std::fs::read(format!("{models}/minilm-l6-v2-config.json"))?,
        &std::fs::read(format!("{models}/minilm-l6-v2-tokenizer.json"))?,
    )?;
    let mut unique: HashMap<String, usize> = HashMap::new();
    let mut texts: Vec<String> = Vec::new();
    for e in &examples {
        for t in &e.texts {
            let t = t.trim().to_string();
            if !unique.contains_key(&t) {
                unique.insert(t.clone(), texts.len());
                texts.push(t);
            }
        }
    }
    eprintln!("{} examples, {} unique turns to embed", examples.len(), texts.len());
    let start = std::time::Instant::now();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let cache = arg(&args, "--cache");
    let mut cached: HashMap<String, Vec<f32>> = cache.as_deref().and_then(|c| std::fs::read(c).ok()).map(|b| read_cache(&b)).unwrap_or_default();
    let missing: Vec<&str> = refs.iter().copied().filter(|t| !cached.contains_key(*t)).collect();
    for (i, chunk) in missing.chunks(512).enumerate() {
        for (t, v) in chunk.iter().zip(embedder.embed(chunk)?) {
            cached.insert(t.to_string(), v);
        }
        eprintln!("  embedded {} / {} ({:.0} s)", ((i + 1) * 512).min(missing.len()), missing.len(), start.elapsed().as_secs_f64());
    }
    if let (Some(c), false) = (&cache, missing.is_empty()) {
        std::fs::write(c, write_cache(&cached))?;
    }
    let vectors: Vec<Vec<f32>> = texts.iter().map(|t| cached[t].clone()).collect();

    let mut xs: Vec<f32> = Vec::new();
    let mut ys: Vec<u32> = Vec::new();
    for e in &examples {
        let emb: Vec<Vec<f32>> = e.texts.iter().map(|t| vectors[unique[t.trim()]].clone()).collect();
        for (row, label) in features(&emb, &e.roles).into_iter().zip(&e.labels) {
            if let Some(l) = label {
                xs.extend(row);
                ys.push(*l as u32);
            }
        }
    }
    let n = ys.len();
    let mut counts = [0usize; 4];
    ys.iter().for_each(|&y| counts[y as usize] += 1);
    eprintln!("training turns per group: {:?}", GROUPS.iter().zip(counts).collect::<Vec<_>>());

    let dev = Device::Cpu;
    let x = Tensor::from_vec(xs, (n, FEATURES), &dev)?;
    let y = Tensor::from_vec(ys.clone(), n, &dev)?;
    // Each group weighs the same in total.
    let w: Vec<f32> = ys.iter().map(|&c| n as f32 / (4.0 * counts[c as usize].max(1) as f32)).collect();
    let w = Tensor::from_vec(w, n, &dev)?;

    // Fixed-seed small init for the hidden layer (a linear model starts from zero).
    let mut seed = 0x2545F4914F6CDD1Du64;
    let mut rand = |count: usize, scale: f32| -> Vec<f32> {
        (0..count)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                ((seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 2.0 * scale
            })
            .collect()
    };
    let mut params: Vec<(String, Var)> = Vec::new();
    if hidden == 0 {
        params.push(("l1.weight".into(), Var::zeros((4, FEATURES), DType::F32, &dev)?));
        params.push(("l1.bias".into(), Var::zeros(4, DType::F32, &dev)?));
    } else {
        let s1 = (1.0 / FEATURES as f32).sqrt();
        params.push(("l1.weight".into(), Var::from_tensor(&Tensor::from_vec(rand(hidden * FEATURES, s1), (hidden, FEATURES), &dev)?)?));
        params.push(("l1.bias".into(), Var::zeros(hidden, DType::F32, &dev)?));
        let s2 = (1.0 / hidden as f32).sqrt();
        params.push(("l2.weight".into(), Var::from_tensor(&Tensor::from_vec(rand(4 * hidden, s2), (4, hidden), &dev)?)?));
        params.push(("l2.bias".into(), Var::zeros(4, DType::F32, &dev)?));
    }
    let mut opt = AdamW::new(params.iter().map(|(_, v)| v.clone()).collect(), ParamsAdamW { lr, weight_decay: decay, ..Default::default() })?;
    let forward = |params: &[(String, Var)]| -> candle_core::Result<Tensor> {
        let mut h = x.matmul(&params[0].1.as_tensor().t()?)?.broadcast_add(params[1].1.as_tensor())?;
        if params.len() == 4 {
            h = h.relu()?.matmul(&params[2].1.as_tensor().t()?)?.broadcast_add(params[3].1.as_tensor())?;
        }
        Ok(h)
    };
    for epoch in 0..epochs {
        let logits = forward(&params)?;
        let logp = candle_nn::ops::log_softmax(&logits, D::Minus1)?;
        let picked = logp.gather(&y.unsqueeze(1)?, 1)?.squeeze(1)?;
        let loss = (picked * &w)?.sum_all()?.neg()?.affine(1.0 / n as f64, 0.0)?;
        opt.backward_step(&loss)?;
        if epoch % 50 == 0 || epoch + 1 == epochs {
            let pred = logits.argmax(D::Minus1)?.to_vec1::<u32>()?;
            let mut hit = [0usize; 4];
            pred.iter().zip(&ys).filter(|(p, y)| p == y).for_each(|(_, &y)| hit[y as usize] += 1);
            let recall: Vec<String> = (0..4).map(|g| format!("{:.2}", hit[g] as f64 / counts[g].max(1) as f64)).collect();
            eprintln!("epoch {epoch:4}  loss {:.4}  train recall {:?}", loss.to_scalar::<f32>()?, recall);
        }
    }
    let tensors: HashMap<String, Tensor> = params.iter().map(|(k, v)| (k.clone(), v.as_tensor().clone())).collect();
    candle_core::safetensors::save(&tensors, &out)?;
    eprintln!("wrote {out} ({} bytes)", std::fs::metadata(&out)?.len());
    Ok(())
}

/// Embedding cache for repeated training runs: `u32 len, utf-8 text, DIM f32` per entry.
fn write_cache(map: &HashMap<String, Vec<f32>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    for k in keys {
        out.extend((k.len() as u32).to_le_bytes());
        out.extend(k.as_bytes());
        map[k].iter().for_each(|v| out.extend(v.to_le_bytes()));
    }
    out
}

fn read_cache(b: &[u8]) -> HashMap<String, Vec<f32>> {
    let mut map = HashMap::new();
    let mut i = 0;
    let dim = bedside::embed::DIM;
    while i + 4 <= b.len() {
        let n = u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as usize;
        let Some(text) = b.get(i + 4..i + 4 + n) else { break };
        let Some(vals) = b.get(i + 4 + n..i + 4 + n + 4 * dim) else { break };
        let v = vals.chunks(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        map.insert(String::from_utf8_lossy(text).into_owned(), v);
        i += 4 + n + 4 * dim;
    }
    map
}
