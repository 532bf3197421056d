//! Chat with a GGUF model from the command line, printing tokens as they come and the speed.
//! `cargo run --release --example chat -- models/SmolLM2-135M-Instruct.wasm-q8_0.gguf "What is hypertension?"`

use std::io::Write;
use std::time::Instant;

use bedside::llm::{ChatModel, GenerateOptions, Message};

fn main() -> bedside::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(question)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: chat MODEL.gguf QUESTION [MAX_TOKENS]");
        std::process::exit(2);
    };
    let max_tokens = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(128);
    let bytes = std::fs::read(path).map_err(|source| bedside::BedsideError::Io { path: path.clone(), source })?;
    let t0 = Instant::now();
    let mut model = ChatModel::load(&bytes)?;
    eprintln!("loaded {} ({}) in {:.2} s", model.name(), model.architecture(), t0.elapsed().as_secs_f64());
    let system = Message::system("You are a concise medical assistant.");
    model.cache_prefix(&model.chat_prompt(std::slice::from_ref(&system)).replace("<|im_start|>assistant\n", ""))?;
    let prompt = model.chat_prompt(&[system, Message::user(question.as_str())]);
    let t1 = Instant::now();
    let out = model.generate(&prompt, &GenerateOptions { max_tokens, ..Default::default() }, &mut |piece| {
        print!("{piece}");
        std::io::stdout().flush().ok();
        true
    })?;
    let secs = t1.elapsed().as_secs_f64();
    println!();
    eprintln!(
        "{} prompt tokens ({} from cache), {} generated in {:.2} s ({:.1} tok/s overall), stop {:?}",
        out.prompt_tokens, out.cached_tokens, out.generated_tokens, secs, out.generated_tokens as f64 / secs, out.stop
    );
    Ok(())
}
