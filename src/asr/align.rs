//! Word timestamps: dynamic time warping of the text tokens against the audio frames, using the
//! cross-attention of the decoder heads that track the audio (the config's `alignment_heads`).
//!
//! Follows openai/whisper `timing.py` (`find_alignment`): z-normalize each head's weights over tokens,
//! median-filter them in time (width 7), average the heads, then find the cheapest monotonic path.

use candle_core::{IndexOp, Tensor};

use super::model::Whisper;
use super::tokens::SpecialTokens;
use crate::error::{BedsideError, Result};

const MEDIAN_WIDTH: usize = 7;
/// Audio positions per second after the encoder's stride-2 convolution.
const FRAMES_PER_SECOND: f32 = 50.0;

/// Start and end (seconds from the window start) of each text token.
pub struct TokenTimes {
    pub start: Vec<f32>,
    pub end: Vec<f32>,
}

fn median_filter(row: &[f32], width: usize) -> Vec<f32> {
    let half = width / 2;
    let n = row.len();
    if n <= half {
        return row.to_vec();
    }
    let mut window = Vec::with_capacity(width);
    (0..n)
        .map(|i| {
            window.clear();
            for k in 0..width {
                // Reflect at the edges, as the reference's padding does.
                let j = i as isize + k as isize - half as isize;
                let j = if j < 0 { -j } else if j >= n as isize { 2 * (n as isize - 1) - j } else { j };
                window.push(row[j.clamp(0, n as isize - 1) as usize]);
            }
            window.sort_by(|a, b| a.total_cmp(b));
            window[half]
        })
        .collect()
}

/// Cheapest monotonic path through `cost` (rows × cols, row-major); returns (row, col) steps in order.
pub fn dtw(cost: &[f32], rows: usize, cols: usize) -> Vec<(usize, usize)> {
    let w = cols + 1;
    let mut acc = vec![f32::INFINITY; (rows + 1) * w];
    let mut trace = vec![0u8; (rows + 1) * w];
    acc[0] = 0.0;
    for j in 1..=cols {
        for i in 1..=rows {
            let c0 = acc[(i - 1) * w + j - 1];
            let c1 = acc[(i - 1) * w + j];
            let c2 = acc[i * w + j - 1];
            let (c, t) = if c0 <= c1 && c0 <= c2 { (c0, 0) } else if c1 <= c2 { (c1, 1) } else { (c2, 2) };
            acc[i * w + j] = cost[(i - 1) * cols + j - 1] + c;
            trace[i * w + j] = t;
        }
    }
    let (mut i, mut j) = (rows, cols);
    let mut path = Vec::with_capacity(rows + cols);
    while i > 0 || j > 0 {
        path.push((i.saturating_sub(1), j.saturating_sub(1)));
        let t = if i == 0 { 2 } else if j == 0 { 1 } else { trace[i * w + j] };
        match t {
            0 => {
                i -= 1;
                j -= 1;
            }
            1 => i -= 1,
            _ => j -= 1,
        }
    }
    path.reverse();
    path
}

/// Times of `text_tokens` within a window whose audio features are `audio` and that holds `n_frames`
/// mel frames of real audio (the rest is padding).
pub fn align(model: &Whisper, special: &SpecialTokens, audio: &Tensor, text_tokens: &[u32], n_frames: usize) -> Result<TokenTimes> {
    let rt = BedsideError::runtime("word-timestamps");
    if text_tokens.is_empty() || model.config.alignment_heads.is_empty() {
        return Ok(TokenTimes { start: vec![], end: vec![] });
    }
    let mut tokens = special.sot_sequence.clone();
    tokens.push(special.no_timestamps);
    tokens.extend_from_slice(text_tokens);
    tokens.push(special.eot);
    let mut state = model.decoder.start(audio).map_err(rt)?;
    let (_, weights) = model.decoder.forward(&tokens, &mut state, true).map_err(BedsideError::runtime("word-timestamps"))?;

    let n_audio = (n_frames / 2).clamp(1, audio.dim(1).unwrap_or(1500));
    let n_tok = tokens.len();
    // Mean over alignment heads of z-normalized, median-filtered weights, for rows sot_seq.. (excluding eot).
    let rows = n_tok - 1 - special.sot_sequence.len();
    let mut matrix = vec![0f32; rows * n_audio];
    let mut used = 0;
    for &[layer, head] in &model.config.alignment_heads {
        let Some(w) = weights.get(layer) else { continue };
        let w: Vec<Vec<f32>> = w
            .i((0, head))
            .and_then(|t| t.narrow(1, 0, n_audio))
            .and_then(|t| t.to_vec2())
            .map_err(BedsideError::runtime("word-timestamps"))?;
        // z-normalize each audio column over tokens.
        let mut norm = w.clone();
        for a in 0..n_audio {
            let mean = w.iter().map(|r| r[a]).sum::<f32>() / n_tok as f32;
            let var = w.iter().map(|r| (r[a] - mean).powi(2)).sum::<f32>() / n_tok as f32;
            let std = var.sqrt().max(1e-8);
            for (t, r) in norm.iter_mut().enumerate() {
                r[a] = (w[t][a] - mean) / std;
            }
        }
        for (row, t) in (special.sot_sequence.len()..n_tok - 1).enumerate() {
            let filtered = median_filter(&norm[t], MEDIAN_WIDTH);
            for a in 0..n_audio {
                matrix[row * n_audio + a] += filtered[a];
            }
        }
        used += 1;
    }
    if used == 0 {
        return Ok(TokenTimes { start: vec![], end: vec![] });
    }
    let cost: Vec<f32> = matrix.iter().map(|v| -v / used as f32).collect();
    let path = dtw(&cost, rows, n_audio);
    // The time at which the path first reaches each row is when that token starts.
    let mut jump_time = vec![f32::NAN; rows + 1];
    let mut prev_row = usize::MAX;
    for &(r, c) in &path {
        if r != prev_row {
            jump_time[r] = c as f32 / FRAMES_PER_SECOND;
            prev_row = r;
        }
    }
    jump_time[rows] = n_audio as f32 / FRAMES_PER_SECOND;
    // Row k holds the hidden state that *predicts* text token k (row 0 is the no-timestamps token), so
    // text token k is heard from the row-k jump to the row-(k+1) jump.
    let start: Vec<f32> = (0..text_tokens.len()).map(|k| jump_time[k]).collect();
    let end: Vec<f32> = (0..text_tokens.len()).map(|k| jump_time[k + 1]).collect();
    Ok(TokenTimes { start, end })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtw_follows_the_diagonal_of_a_diagonal_cost() {
        // Low cost on the diagonal of a 3x6 matrix: each row should own two columns.
        let (rows, cols) = (3, 6);
        let cost: Vec<f32> = (0..rows * cols).map(|k| if (k % cols) / 2 == k / cols { -1.0 } else { 1.0 }).collect();
        let path = dtw(&cost, rows, cols);
        assert_eq!(path.first(), Some(&(0, 0)));
        assert_eq!(path.last(), Some(&(2, 5)));
        let first_col_of = |r| path.iter().find(|p| p.0 == r).unwrap().1;
        assert_eq!((first_col_of(0), first_col_of(1), first_col_of(2)), (0, 2, 4));
    }

    #[test]
    fn median_filter_removes_a_spike() {
        let row = [0.0, 0.0, 0.0, 9.0, 0.0, 0.0, 0.0, 0.0];
        assert!(median_filter(&row, 7).iter().all(|&v| v == 0.0));
    }
}
