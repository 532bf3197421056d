//! Speech-only audio and the way back to the recording's clock.
//!
//! Whisper decodes long pauses badly: a 15-s silence inside a window drags word times and timestamp tokens
//! across it, and silence invites invented text. So, as faster-whisper's VAD filter does, only the speech
//! stretches (padded a little, with short pauses kept) are joined and recognized, and every time the
//! recognizer reports is mapped back to where it was said.

/// Speech kept on each side of a region, and the longest pause kept inside the joined audio.
const PAD_SAMPLES: usize = 6_400; // 0.4 s at 16 kHz, as faster-whisper pads
const KEEP_PAUSE_SAMPLES: usize = 32_000; // 2 s: ordinary pauses between turns stay

#[derive(Debug, Clone)]
pub struct Timeline {
    /// (start in the joined audio, start in the recording, length), in samples, in order.
    chunks: Vec<(usize, usize, usize)>,
}

impl Timeline {
    /// The speech `regions` (sample ranges, sorted) of a recording of `n_samples`, padded and with short
    /// pauses kept; the recogniser reads them end to end.
    pub fn speech(n_samples: usize, regions: &[(usize, usize)]) -> Self {
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for &(s, e) in regions {
            let (s, e) = (s.saturating_sub(PAD_SAMPLES), (e + PAD_SAMPLES).min(n_samples));
            if s >= e {
                continue;
            }
            match merged.last_mut() {
                Some(last) if s <= last.1 + KEEP_PAUSE_SAMPLES => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        // Short silences at the very start and end stay too, so a recording without long pauses is decoded
        // exactly as it is.
        if let Some(first) = merged.first_mut() {
            if first.0 <= KEEP_PAUSE_SAMPLES {
                first.0 = 0;
            }
        }
        if let Some(last) = merged.last_mut() {
            if n_samples - last.1 <= KEEP_PAUSE_SAMPLES {
                last.1 = n_samples;
            }
        }
        let mut chunks = Vec::with_capacity(merged.len());
        let mut joined = 0;
        for (s, e) in merged {
            chunks.push((joined, s, e - s));
            joined += e - s;
        }
        Self { chunks }
    }

    /// The stretches of `samples` the recogniser reads, in order, borrowed rather than joined (a joined
    /// copy of an hour is 230 MB).
    pub fn pieces<'a>(&self, samples: &'a [f32]) -> Vec<&'a [f32]> {
        self.chunks.iter().map(|&(_, r, len)| &samples[r..r + len]).collect()
    }

    /// [`Timeline::speech`] with the stretches copied end to end.
    #[cfg(test)]
    pub fn join(samples: &[f32], regions: &[(usize, usize)]) -> (Self, Vec<f32>) {
        let timeline = Self::speech(samples.len(), regions);
        let joined = timeline.pieces(samples).concat();
        (timeline, joined)
    }

    pub fn identity(len: usize) -> Self {
        Self { chunks: vec![(0, 0, len)] }
    }

    /// A time in the joined audio (seconds) → the recording's time. An end time at a seam belongs to the
    /// chunk before it, a start time to the chunk after it.
    pub fn to_recording(&self, seconds: f64, is_end: bool, rate_hz: f64) -> f64 {
        let x = (seconds * rate_hz).max(0.0);
        let chunk = self
            .chunks
            .iter()
            .rev()
            .find(|&&(j, _, _)| if is_end { (j as f64) < x } else { (j as f64) <= x })
            .or(self.chunks.first());
        match chunk {
            Some(&(j, r, len)) => (r as f64 + (x - j as f64).min(len as f64)) / rate_hz,
            None => seconds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_pauses_are_cut_and_times_map_back() {
        let samples = vec![0.0f32; 16_000 * 30];
        // Speech at 3-5 s and 20-22 s; the pause between them and the silences at both ends are cut.
        let (t, joined) = Timeline::join(&samples, &[(48_000, 80_000), (320_000, 352_000)]);
        assert_eq!(joined.len(), (32_000 + 2 * PAD_SAMPLES) * 2);
        // 1.0 s into the joined audio is 1.0 s after the first chunk's start (2.6 s) → 3.6 s.
        assert!((t.to_recording(1.0, false, 16_000.0) - 3.6).abs() < 1e-9);
        // The second chunk starts at 2.8 s joined = 19.6 s in the recording.
        assert!((t.to_recording(2.8, false, 16_000.0) - 19.6).abs() < 1e-9);
        assert!((t.to_recording(2.8, true, 16_000.0) - 5.4).abs() < 1e-9, "an end at the seam stays in the first chunk");
    }

    #[test]
    fn recordings_without_long_pauses_are_kept_whole() {
        let samples = vec![0.0f32; 16_000 * 5];
        let (t, joined) = Timeline::join(&samples, &[(16_000, 20_000), (40_000, 50_000)]);
        assert_eq!(t.chunks.len(), 1);
        assert_eq!(joined.len(), samples.len());
        assert!((t.to_recording(2.5, true, 16_000.0) - 2.5).abs() < 1e-9);
    }
}
