// Temporary probe: does prefill split change Qwen2 logits (ours vs candle's)?
use candle_core::quantized::gguf_file;
use candle_core::{Device, Tensor};
fn top2(l: &Tensor) -> Vec<(usize, f32)> {
    let v: Vec<f32> = l.squeeze(0).unwrap().to_vec1().unwrap();
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|a, b| v[*b].partial_cmp(&v[*a]).unwrap());
    idx[..3].iter().map(|&i| (i, v[i])).collect()
}
fn main() {
    let path = "models/Qwen2.5-Coder-0.5B-Instruct.Q4_K_M.gguf";
    let bytes = std::fs::read(path).unwrap();
    let model = bedside::llm::ChatModel::load(&bytes).unwrap();
    let system = bedside::llm::Message::system("You are a medical scribe.");
    let prompt = model.chat_prompt(&[system.clone(), bedside::llm::Message::user("Define hypertension in one short sentence.")]);
    let prefix = model.template().render(&[system], false);
    let ids = model.token_ids(&prompt).unwrap();
    let n = model.token_ids(&prefix).unwrap().len();
    let dev = Device::Cpu;
    let mut cur = std::io::Cursor::new(&bytes);
    let ct = gguf_file::Content::read(&mut cur).unwrap();
    let mut ours = bedside::llm::qwen2::Qwen2::from_gguf(&ct, &mut cur, &dev).unwrap();
    let t = |s: &[u32]| Tensor::new(s, &dev).unwrap().unsqueeze(0).unwrap();
    println!("ours full  {:?}", top2(&ours.forward(&t(&ids), 0).unwrap()));
    ours.forward(&t(&ids[..n]), 0).unwrap();
    println!("ours split {:?}", top2(&ours.forward(&t(&ids[n..]), n).unwrap()));
    let mut cur = std::io::Cursor::new(&bytes);
    let ct = gguf_file::Content::read(&mut cur).unwrap();
    let mut theirs = candle_transformers::models::quantized_qwen2::ModelWeights::from_gguf(ct, &mut cur, &dev).unwrap();
    println!("candle full  {:?}", top2(&theirs.forward(&t(&ids), 0).unwrap()));
    theirs.forward(&t(&ids[..n]), 0).unwrap();
    println!("candle split {:?}", top2(&theirs.forward(&t(&ids[n..]), n).unwrap()));
}
