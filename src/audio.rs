//! Audio in: container bytes to planar `f32` samples at the rate the speech models expect.
//!
//! Input: the bytes of a WAV (PCM 8/16/24/32-bit integer, 32/64-bit float, plain or
//! `WAVE_FORMAT_EXTENSIBLE`) or FLAC file, any sample rate from 1 kHz to 384 kHz, any channel count.
//! Output: [`Audio`], one `Vec<f32>` per channel in [-1, 1], validated to be non-empty and finite.
//! [`prepare`] also resamples to [`SAMPLE_RATE_HZ`] (16 kHz, what Whisper and the speaker models
//! take) and keeps the channels apart so that later stages may use them for speaker cues.
//!
//! Reference followed: containers and codecs are symphonia's; resampling is rubato's synchronous FFT
//! resampler (windowed-sinc low-pass applied in the frequency domain), with its output delay removed
//! so sample `n` of the output lines up with time `n / to_hz` of the input.
//!
//! Limits:
//! - The whole recording is held in memory: [`prepare`] resamples each packet as it is decoded, so
//!   that is the 16 kHz copy only (an hour is 230 MB of `f32` per channel); [`decode`] keeps the
//!   original rate. Recordings over [`MAX_CHANNEL_SECONDS`] are refused with
//!   [`BedsideError::TooLong`]. `decode` and `prepare` copy the input bytes once because symphonia
//!   needs an owned source, which [`decode_owned`] avoids.
//! - Truncated WAV files (the header promises more data than the file holds, common when a recorder
//!   is killed mid-write) are decoded up to the last whole sample frame present; a truncated file
//!   with no whole frame left is an [`BedsideError::Audio`] error. Truncated FLAC decodes up to the
//!   last whole FLAC frame.
//! - Only the first audio track is read; other compressed formats (MP3, Ogg, WebM) are not enabled.

use crate::error::{BedsideError, Result};
use rubato::{FftFixedInOut, Resampler};
use std::borrow::Cow;
use std::io::{Cursor, ErrorKind};
use symphonia::core::audio::{AudioBuffer, Signal};
use symphonia::core::codecs::{DecoderOptions, CODEC_TYPE_NULL};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

/// The sample rate every model in the pipeline consumes.
pub const SAMPLE_RATE_HZ: u32 = 16_000;

/// Lowest and highest sample rates accepted; outside this range the file is almost surely corrupt.
pub const MIN_SAMPLE_RATE_HZ: u32 = 1_000;
pub const MAX_SAMPLE_RATE_HZ: u32 = 384_000;

/// Desired input chunk for the FFT resampler. rubato rounds it up to a multiple of
/// `from / gcd(from, to)`; the chunk length is also its filter length, so ~1k frames gives a sharp
/// anti-aliasing cut-off while keeping the FFTs small.
const RESAMPLE_CHUNK_FRAMES: usize = 1024;

/// Decoded audio: planar channels of equal length.
#[derive(Debug, Clone)]
pub struct Audio {
    pub sample_rate_hz: u32,
    /// One vector per channel, all the same length.
    pub channels: Vec<Vec<f32>>,
}

impl Audio {
    /// Number of sample frames (samples per channel).
    pub fn frames(&self) -> usize {
        self.channels.first().map_or(0, Vec::len)
    }

    pub fn duration_seconds(&self) -> f64 {
        if self.sample_rate_hz == 0 {
            return 0.0;
        }
        self.frames() as f64 / f64::from(self.sample_rate_hz)
    }

    /// The average of all channels (the only channel itself for mono audio, not a copy).
    pub fn mono(&self) -> Cow<'_, [f32]> {
        Cow::Owned(match self.channels.as_slice() {
            [] => Vec::new(),
            [only] => return Cow::Borrowed(only),
            many => {
                let scale = 1.0 / many.len() as f32;
                let mut sum = many[0].clone();
                for channel in &many[1..] {
                    for (acc, &s) in sum.iter_mut().zip(channel) {
                        *acc += s;
                    }
                }
                sum.iter_mut().for_each(|s| *s *= scale);
                sum
            }
        })
    }
}

/// Builds [`Audio`] from planar samples, checking everything later stages rely on.
pub fn from_channels(channels: Vec<Vec<f32>>, sample_rate_hz: u32) -> Result<Audio> {
    check_rate(sample_rate_hz)?;
    let Some(first) = channels.first() else {
        return Err(BedsideError::EmptyAudio { reason: "no channels".into() });
    };
    let frames = first.len();
    if let Some((index, channel)) = channels.iter().enumerate().find(|(_, c)| c.len() != frames) {
        return Err(BedsideError::audio(format!(
            "channels differ in length: channel 0 has {frames} samples, channel {index} has {}",
            channel.len()
        )));
    }
    if frames == 0 {
        return Err(BedsideError::EmptyAudio { reason: "zero samples".into() });
    }
    for (index, channel) in channels.iter().enumerate() {
        if let Some(at) = channel.iter().position(|s| !s.is_finite()) {
            return Err(BedsideError::EmptyAudio {
                reason: format!(
                    "channel {index} sample {at} is {} (not a finite number)",
                    channel[at]
                ),
            });
        }
    }
    Ok(Audio { sample_rate_hz, channels })
}

/// Decodes WAV or FLAC bytes. Copies `bytes` once; see [`decode_owned`].
pub fn decode(bytes: &[u8]) -> Result<Audio> {
    if bytes.is_empty() {
        return Err(BedsideError::audio("the input is empty (0 bytes)"));
    }
    decode_owned(bytes.to_vec())
}

/// Decodes WAV or FLAC bytes the caller no longer needs, without copying them.
pub fn decode_owned(bytes: Vec<u8>) -> Result<Audio> {
    decode_to(bytes, None)
}

/// Decodes, resampling each packet to `to_hz` (when given) as it is decoded, so the whole recording
/// is never held at its original rate.
fn decode_to(mut bytes: Vec<u8>, to_hz: Option<u32>) -> Result<Audio> {
    if bytes.is_empty() {
        return Err(BedsideError::audio("the input is empty (0 bytes)"));
    }
    let promised_bytes = repair_truncated_wav(&mut bytes);

    let source = MediaSourceStream::new(Box::new(Cursor::new(bytes)), MediaSourceStreamOptions::default());
    let probed = symphonia::default::get_probe()
        .format(&Hint::new(), source, &FormatOptions::default(), &MetadataOptions::default())
        .map_err(|e| match e {
            SymphoniaError::Unsupported(_) => {
                BedsideError::audio("not a recognised audio file (expected WAV or FLAC)")
            }
            SymphoniaError::IoError(io) if io.kind() == ErrorKind::UnexpectedEof => {
                BedsideError::audio("the file ends inside its header (truncated)")
            }
            other => BedsideError::audio(format!("cannot read the container: {other}")),
        })?;
    let mut format = probed.format;

    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| BedsideError::audio("the file contains no audio track"))?;
    let track_id = track.id;
    let header_rate = track.codec_params.sample_rate;
    let header_frames = track.codec_params.n_frames.unwrap_or(0);
    if let (Some(rate), Some(layout)) = (header_rate, track.codec_params.channels) {
        check_length(header_frames, rate, layout.count())?;
    }
    let mut decoder = symphonia::default::get_codecs()
        .make(&track.codec_params, &DecoderOptions::default())
        .map_err(|e| BedsideError::audio(format!("unsupported audio encoding: {e}")))?;

    let mut channels: Vec<ChannelResampler> = Vec::new();
    let mut frames = 0u64;
    let mut rate = header_rate;
    let mut scratch: Option<AudioBuffer<f32>> = None;
    let mut bad_packets = 0usize;
    let mut last_decode_error = String::new();
    loop {
        let packet = match format.next_packet() {
            Ok(packet) => packet,
            // End of stream, or a file cut short: keep what was decoded.
            Err(SymphoniaError::IoError(e)) if e.kind() == ErrorKind::UnexpectedEof => break,
            Err(SymphoniaError::ResetRequired) => break,
            Err(e) => return Err(BedsideError::audio(format!("cannot read the audio data: {e}"))),
        };
        if packet.track_id() != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(decoded) => decoded,
            // A damaged packet: skip it as players do, but fail if nothing decodes at all.
            Err(SymphoniaError::DecodeError(reason)) => {
                bad_packets += 1;
                last_decode_error = reason.to_string();
                continue;
            }
            Err(SymphoniaError::IoError(e)) if e.kind() == ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(BedsideError::audio(format!("cannot decode the audio: {e}"))),
        };
        let spec = *decoded.spec();
        let n_channels = spec.channels.count();
        if n_channels == 0 {
            return Err(BedsideError::audio("the audio stream declares zero channels"));
        }
        if channels.is_empty() {
            let to = to_hz.unwrap_or(spec.rate);
            channels = (0..n_channels)
                .map(|_| ChannelResampler::new(spec.rate, to, header_frames as usize))
                .collect::<Result<_>>()?;
            rate = Some(spec.rate);
        } else if channels.len() != n_channels || rate != Some(spec.rate) {
            return Err(BedsideError::audio(
                "the channel count or sample rate changes mid-stream, which is not supported",
            ));
        }
        // Reuse one conversion buffer; symphonia asserts an exact spec and enough capacity.
        let fits = scratch
            .as_ref()
            .is_some_and(|b| *b.spec() == spec && b.capacity() >= decoded.capacity());
        if !fits {
            scratch = Some(AudioBuffer::new(decoded.capacity() as u64, spec));
        }
        let buffer = scratch.as_mut().expect("conversion buffer was just ensured");
        decoded.convert(buffer);
        frames += buffer.frames() as u64;
        check_length(frames, spec.rate, n_channels)?;
        for (c, out) in channels.iter_mut().enumerate() {
            out.push(buffer.chan(c))?;
        }
    }

    if frames == 0 {
        if bad_packets > 0 {
            return Err(BedsideError::audio(format!(
                "none of the {bad_packets} audio packets could be decoded ({last_decode_error})"
            )));
        }
        if let Some(promised) = promised_bytes {
            return Err(BedsideError::audio(format!(
                "the file is truncated: its header promises {promised} bytes of audio but none are present"
            )));
        }
        return Err(BedsideError::EmptyAudio { reason: "the file contains zero samples".into() });
    }
    let rate = rate.ok_or_else(|| BedsideError::audio("the file does not state its sample rate"))?;
    let channels = channels.into_iter().map(ChannelResampler::finish).collect::<Result<Vec<_>>>()?;
    from_channels(channels, to_hz.unwrap_or(rate))
}

/// Resamples every channel to `to_hz`. Output length is `round(frames * to_hz / from_hz)` and the
/// output starts at the same instant as the input (the resampler's delay is removed).
pub fn resample(audio: &Audio, to_hz: u32) -> Result<Audio> {
    check_rate(to_hz)?;
    check_rate(audio.sample_rate_hz)?;
    if audio.sample_rate_hz == to_hz {
        return Ok(audio.clone());
    }
    if audio.channels.is_empty() || audio.frames() == 0 {
        return Err(BedsideError::EmptyAudio { reason: "nothing to resample".into() });
    }
    let channels = audio
        .channels
        .iter()
        .map(|samples| {
            let mut resampler = ChannelResampler::new(audio.sample_rate_hz, to_hz, samples.len())?;
            resampler.push(samples)?;
            resampler.finish()
        })
        .collect::<Result<Vec<_>>>()?;
    from_channels(channels, to_hz)
}

/// [`resample`] for audio the caller hands over: at the target rate already, it is kept as is.
pub fn into_rate(audio: Audio, to_hz: u32) -> Result<Audio> {
    if audio.sample_rate_hz == to_hz {
        return Ok(audio);
    }
    resample(&audio, to_hz)
}

/// Resamples one channel handed over in pieces, so a long recording is never held whole at its
/// original rate (an hour at 48 kHz is 690 MB of `f32`, three times its 16 kHz size).
pub struct ChannelResampler {
    from_hz: u32,
    to_hz: u32,
    /// `None` when the rates are equal: samples pass straight through.
    fft: Option<FftChunks>,
    frames_in: usize,
    out: Vec<f32>,
}

struct FftChunks {
    resampler: FftFixedInOut<f32>,
    input: Vec<f32>,
    filled: usize,
    output: Vec<Vec<f32>>,
    delay: usize,
    /// Position in the resampler's output stream, which starts `delay` frames early.
    produced: usize,
}

impl ChannelResampler {
    /// `expected_frames` (input frames, a hint) sizes the output once instead of growing it by doubling,
    /// which for long recordings would briefly need three times the output's size.
    pub fn new(from_hz: u32, to_hz: u32, expected_frames: usize) -> Result<Self> {
        check_rate(from_hz)?;
        check_rate(to_hz)?;
        let fft = if from_hz == to_hz {
            None
        } else {
            // rubato's filter is centred at sample `chunk_in / 2` (rounded down) while it reports a delay
            // of `chunk_out / 2` (rounded down); both are exact only when the chunk holds an even number
            // of `from / gcd` blocks. With an odd count, 44.1 kHz output would lead by half an input sample.
            let block_in = (from_hz / gcd(from_hz, to_hz)) as usize;
            let blocks = RESAMPLE_CHUNK_FRAMES.div_ceil(block_in).next_multiple_of(2);
            let resampler = FftFixedInOut::<f32>::new(from_hz as usize, to_hz as usize, blocks * block_in, 1)
                .map_err(|e| BedsideError::audio(format!("cannot resample {from_hz} Hz to {to_hz} Hz: {e}")))?;
            let (chunk_in, chunk_out, delay) =
                (resampler.input_frames_next(), resampler.output_frames_next(), resampler.output_delay());
            debug_assert_eq!(chunk_in, blocks * block_in);
            debug_assert_eq!(delay as u64 * u64::from(from_hz), (chunk_in / 2) as u64 * u64::from(to_hz));
            Some(FftChunks { resampler, input: vec![0.0; chunk_in], filled: 0, output: vec![vec![0.0; chunk_out]], delay, produced: 0 })
        };
        // The filter's flush runs up to one chunk past the end before `finish` trims it.
        let flush = fft.as_ref().map_or(0, |f| f.output[0].len());
        let mut out = Vec::new();
        out.try_reserve_exact(output_frames(expected_frames, from_hz, to_hz) + flush)
            .map_err(|_| BedsideError::audio("not enough memory to hold the recording"))?;
        Ok(Self { from_hz, to_hz, fft, frames_in: 0, out })
    }

    pub fn push(&mut self, mut samples: &[f32]) -> Result<()> {
        self.frames_in += samples.len();
        let Some(fft) = self.fft.as_mut() else {
            self.out.extend_from_slice(samples);
            return Ok(());
        };
        while !samples.is_empty() {
            let take = (fft.input.len() - fft.filled).min(samples.len());
            fft.input[fft.filled..fft.filled + take].copy_from_slice(&samples[..take]);
            fft.filled += take;
            samples = &samples[take..];
            if fft.filled == fft.input.len() {
                fft.process(&mut self.out)?;
            }
        }
        Ok(())
    }

    /// The samples produced so far; the last few (the filter's delay) come only with [`Self::finish`].
    pub fn output(&self) -> &[f32] {
        &self.out
    }

    /// Flushes the filter tail and returns `round(frames_in * to_hz / from_hz)` samples.
    pub fn finish(mut self) -> Result<Vec<f32>> {
        let n_out = output_frames(self.frames_in, self.from_hz, self.to_hz);
        if let Some(fft) = self.fft.as_mut() {
            // Past the end of the input, silence flushes the filter.
            while fft.produced < fft.delay + n_out {
                fft.input[fft.filled..].fill(0.0);
                fft.filled = fft.input.len();
                fft.process(&mut self.out)?;
            }
        }
        self.out.truncate(n_out);
        Ok(self.out)
    }
}

impl FftChunks {
    fn process(&mut self, out: &mut Vec<f32>) -> Result<()> {
        let (_, written) = self
            .resampler
            .process_into_buffer(&[&self.input[..]], &mut self.output, None)
            .map_err(|e| BedsideError::audio(format!("resampling failed: {e}")))?;
        let keep_from = self.delay.saturating_sub(self.produced).min(written);
        out.extend_from_slice(&self.output[0][keep_from..written]);
        self.produced += written;
        self.filled = 0;
        Ok(())
    }
}

fn output_frames(frames_in: usize, from_hz: u32, to_hz: u32) -> usize {
    ((frames_in as u128 * u128::from(to_hz) + u128::from(from_hz) / 2) / u128::from(from_hz)) as usize
}

/// Most audio one visit may hold, in channel-seconds (a two-channel call counts its length twice).
/// In wasm everything shares a 4 GiB address space; a longer recording would fail mid-allocation
/// with a trap, so it is refused up front with [`BedsideError::TooLong`]. The figure is measured in
/// bench/README.md ("Long recordings").
pub const MAX_CHANNEL_SECONDS: f64 = 4.0 * 3600.0;

/// Refuses recordings past [`MAX_CHANNEL_SECONDS`].
pub fn check_length(frames: u64, rate_hz: u32, channels: usize) -> Result<()> {
    let seconds = frames as f64 / f64::from(rate_hz.max(1));
    if seconds * channels as f64 > MAX_CHANNEL_SECONDS {
        return Err(BedsideError::TooLong { minutes: seconds / 60.0, channels, limit_minutes: MAX_CHANNEL_SECONDS / 60.0 });
    }
    Ok(())
}

/// Decodes and resamples to [`SAMPLE_RATE_HZ`], keeping the channels.
pub fn prepare(bytes: &[u8]) -> Result<Audio> {
    prepare_owned(bytes.to_vec())
}

/// [`prepare`] for bytes the caller no longer needs, without copying them.
pub fn prepare_owned(bytes: Vec<u8>) -> Result<Audio> {
    decode_to(bytes, Some(SAMPLE_RATE_HZ))
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn check_rate(rate_hz: u32) -> Result<()> {
    if (MIN_SAMPLE_RATE_HZ..=MAX_SAMPLE_RATE_HZ).contains(&rate_hz) {
        Ok(())
    } else {
        Err(BedsideError::audio(format!(
            "sample rate {rate_hz} Hz is outside the supported {MIN_SAMPLE_RATE_HZ}..={MAX_SAMPLE_RATE_HZ} Hz"
        )))
    }
}

/// Makes a truncated WAV readable: when the `data` chunk claims more bytes than the file holds,
/// shrink its length (and the RIFF length) to what is there. symphonia would otherwise fail on the
/// last packet and drop up to a packet of good audio, or reject the file outright when the data
/// length exceeds the RIFF length. Returns the claimed data length when a repair was made.
/// Leaves anything that is not a RIFF/WAVE file untouched.
fn repair_truncated_wav(bytes: &mut [u8]) -> Option<u32> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return None;
    }
    let read_u32 = |b: &[u8], at: usize| u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
    let mut pos = 12usize;
    while pos + 8 <= bytes.len() {
        let len = read_u32(bytes, pos + 4) as usize;
        if &bytes[pos..pos + 4] == b"data" {
            let available = bytes.len() - (pos + 8);
            if len <= available {
                return None;
            }
            // ffmpeg writes u32::MAX for both lengths when streaming; symphonia accepts that as is,
            // but a real truncation inside such a file needs the same repair, so treat it alike.
            let claimed = len as u32;
            let available = u32::try_from(available).unwrap_or(u32::MAX);
            bytes[pos + 4..pos + 8].copy_from_slice(&available.to_le_bytes());
            let riff_len = u32::try_from(bytes.len() - 8).unwrap_or(u32::MAX);
            bytes[4..8].copy_from_slice(&riff_len.to_le_bytes());
            return Some(claimed);
        }
        // Chunks are padded to an even length.
        pos = pos.saturating_add(8).saturating_add(len).saturating_add(len & 1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sample encodings the test WAV writer can produce.
    #[derive(Clone, Copy)]
    enum Encoding {
        U8,
        I16,
        I24,
        I32,
        F32,
        F64,
    }

    impl Encoding {
        fn bytes(self) -> usize {
            match self {
                Encoding::U8 => 1,
                Encoding::I16 => 2,
                Encoding::I24 => 3,
                Encoding::I32 | Encoding::F32 => 4,
                Encoding::F64 => 8,
            }
        }
        fn is_float(self) -> bool {
            matches!(self, Encoding::F32 | Encoding::F64)
        }
        /// Encodes a value in [-1, 1) and returns the value a correct decoder must give back.
        fn encode(self, x: f64, out: &mut Vec<u8>) -> f32 {
            match self {
                Encoding::U8 => {
                    let q = (x * 128.0).round().clamp(-128.0, 127.0) as i32;
                    out.push((q + 128) as u8);
                    q as f32 / 128.0
                }
                Encoding::I16 => {
                    let q = (x * 32768.0).round().clamp(-32768.0, 32767.0) as i16;
                    out.extend_from_slice(&q.to_le_bytes());
                    f32::from(q) / 32768.0
                }
                Encoding::I24 => {
                    let q = (x * 8_388_608.0).round().clamp(-8_388_608.0, 8_388_607.0) as i32;
                    out.extend_from_slice(&q.to_le_bytes()[..3]);
                    q as f32 / 8_388_608.0
                }
                Encoding::I32 => {
                    let q = (x * 2_147_483_648.0).round().clamp(-2_147_483_648.0, 2_147_483_647.0) as i32;
                    out.extend_from_slice(&q.to_le_bytes());
                    (f64::from(q) / 2_147_483_648.0) as f32
                }
                Encoding::F32 => {
                    out.extend_from_slice(&(x as f32).to_le_bytes());
                    x as f32
                }
                Encoding::F64 => {
                    out.extend_from_slice(&x.to_le_bytes());
                    x as f32
                }
            }
        }
    }

    /// A minimal WAV writer: `fmt ` (plain or WAVE_FORMAT_EXTENSIBLE) + `data`, interleaved frames.
    /// Returns the file and the planar samples a decoder should produce.
    fn wav(channels: &[Vec<f64>], rate: u32, enc: Encoding, extensible: bool) -> (Vec<u8>, Vec<Vec<f32>>) {
        let n_ch = channels.len();
        let frames = channels[0].len();
        let mut data = Vec::new();
        let mut expected = vec![Vec::with_capacity(frames); n_ch];
        for i in 0..frames {
            for (c, ch) in channels.iter().enumerate() {
                expected[c].push(enc.encode(ch[i], &mut data));
            }
        }
        let block_align = (n_ch * enc.bytes()) as u16;
        let bits = (enc.bytes() * 8) as u16;
        let base_tag: u16 = if enc.is_float() { 3 } else { 1 };
        let mut fmt = Vec::new();
        fmt.extend_from_slice(&(if extensible { 0xFFFEu16 } else { base_tag }).to_le_bytes());
        fmt.extend_from_slice(&(n_ch as u16).to_le_bytes());
        fmt.extend_from_slice(&rate.to_le_bytes());
        fmt.extend_from_slice(&(rate * u32::from(block_align)).to_le_bytes());
        fmt.extend_from_slice(&block_align.to_le_bytes());
        fmt.extend_from_slice(&bits.to_le_bytes());
        if extensible {
            fmt.extend_from_slice(&22u16.to_le_bytes()); // cbSize
            fmt.extend_from_slice(&bits.to_le_bytes()); // valid bits
            let mask: u32 = (1u32 << n_ch) - 1; // FL, FR, FC, ... in order
            fmt.extend_from_slice(&mask.to_le_bytes());
            // KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT: tag, then the fixed GUID tail.
            fmt.extend_from_slice(&(base_tag as u32).to_le_bytes());
            fmt.extend_from_slice(&[0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]);
        }
        let mut out = Vec::new();
        out.extend_from_slice(b"RIFF");
        out.extend_from_slice(&((4 + 8 + fmt.len() + 8 + data.len()) as u32).to_le_bytes());
        out.extend_from_slice(b"WAVE");
        out.extend_from_slice(b"fmt ");
        out.extend_from_slice(&(fmt.len() as u32).to_le_bytes());
        out.extend_from_slice(&fmt);
        out.extend_from_slice(b"data");
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&data);
        (out, expected)
    }

    fn sine(freq_hz: f64, rate: u32, frames: usize, amp: f64) -> Vec<f64> {
        (0..frames)
            .map(|n| amp * (2.0 * std::f64::consts::PI * freq_hz * n as f64 / f64::from(rate)).sin())
            .collect()
    }

    fn assert_decodes(channels: &[Vec<f64>], rate: u32, enc: Encoding, extensible: bool) {
        let (bytes, expected) = wav(channels, rate, enc, extensible);
        let audio = decode(&bytes).unwrap();
        assert_eq!(audio.sample_rate_hz, rate);
        assert_eq!(audio.channels.len(), channels.len());
        for (got, want) in audio.channels.iter().zip(&expected) {
            assert_eq!(got.len(), want.len());
            for (i, (g, w)) in got.iter().zip(want).enumerate() {
                assert!((g - w).abs() <= 1e-6, "sample {i}: got {g}, want {w} ({} bit)", enc.bytes() * 8);
            }
        }
    }

    #[test]
    fn decodes_every_wav_encoding_mono_and_stereo() {
        let encodings = [Encoding::U8, Encoding::I16, Encoding::I24, Encoding::I32, Encoding::F32, Encoding::F64];
        for &rate in &[44_100u32, 8_000] {
            let left = sine(440.0, rate, 1000, 0.8);
            let right = sine(1000.0, rate, 1000, -0.5);
            for &enc in &encodings {
                for extensible in [false, true] {
                    assert_decodes(std::slice::from_ref(&left), rate, enc, extensible);
                    assert_decodes(&[left.clone(), right.clone()], rate, enc, extensible);
                }
            }
        }
    }

    #[test]
    fn decodes_many_channels() {
        let chans: Vec<Vec<f64>> = (0..6).map(|c| sine(200.0 * (c + 1) as f64, 48_000, 500, 0.4)).collect();
        assert_decodes(&chans[..3], 48_000, Encoding::I16, true);
        assert_decodes(&chans, 48_000, Encoding::I24, true);
        assert_decodes(&chans[..3], 11_025, Encoding::F32, false);
    }

    #[test]
    fn decodes_extreme_integer_values() {
        // Full-scale negative must map to exactly -1; the positive peak to just under 1.
        let ch = vec![-1.0, 1.0 - 1.0 / 32768.0, 0.0];
        let (bytes, _) = wav(&[ch], 16_000, Encoding::I16, false);
        let audio = decode(&bytes).unwrap();
        assert_eq!(audio.channels[0], vec![-1.0, 32767.0 / 32768.0, 0.0]);
    }

    #[test]
    fn audio_helpers() {
        let audio = from_channels(vec![vec![1.0, 0.0, -1.0, 0.5], vec![0.0, 0.0, 1.0, 0.5]], 2_000).unwrap();
        assert_eq!(audio.frames(), 4);
        assert!((audio.duration_seconds() - 0.002).abs() < 1e-12);
        assert_eq!(audio.mono().as_ref(), [0.5, 0.0, 0.0, 0.5]);
    }

    #[test]
    fn empty_and_garbage_input_are_audio_errors() {
        let err = decode(&[]).unwrap_err();
        assert_eq!(err.code(), "AUDIO_INVALID");
        assert!(err.to_string().contains("empty"), "{err}");

        // Deterministic pseudo-random bytes (xorshift), long enough to be scanned for markers.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let noise: Vec<u8> = (0..20_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let err = decode(&noise).unwrap_err();
        assert_eq!(err.code(), "AUDIO_INVALID");
        assert!(err.to_string().contains("not a recognised audio file"), "{err}");

        let err = decode(b"hello, this is plainly text and not audio").unwrap_err();
        assert_eq!(err.code(), "AUDIO_INVALID");
    }

    #[test]
    fn header_only_wav_is_an_error() {
        // A valid header with a zero-length data chunk: a file with no samples.
        let (bytes, _) = wav(&[vec![]], 16_000, Encoding::I16, false);
        let err = decode(&bytes).unwrap_err();
        assert_eq!(err.code(), "AUDIO_EMPTY", "{err}");

        // A header that promises 2000 bytes followed by nothing: truncated, nothing to decode.
        let (full, _) = wav(&[sine(440.0, 16_000, 1000, 0.5)], 16_000, Encoding::I16, false);
        let header_only = &full[..44];
        let err = decode(header_only).unwrap_err();
        assert_eq!(err.code(), "AUDIO_INVALID", "{err}");
        assert!(err.to_string().contains("truncated"), "{err}");

        // Cut inside the header itself.
        let err = decode(&full[..20]).unwrap_err();
        assert_eq!(err.code(), "AUDIO_INVALID", "{err}");
    }

    #[test]
    fn truncated_wav_keeps_every_whole_frame() {
        // 10_000 stereo frames is several symphonia packets; cut mid-frame near the end.
        let ch = sine(440.0, 16_000, 10_000, 0.5);
        let (full, expected) = wav(&[ch.clone(), ch], 16_000, Encoding::I16, false);
        let cut = 44 + 7_001 * 4 + 3; // 7001 whole frames plus 3 stray bytes
        let audio = decode(&full[..cut]).unwrap();
        assert_eq!(audio.frames(), 7_001);
        assert_eq!(audio.channels[0][..], expected[0][..7_001]);
        assert_eq!(audio.channels[1][..], expected[1][..7_001]);
    }

    #[test]
    fn non_finite_float_samples_are_rejected() {
        let (bytes, _) = wav(&[vec![0.1, 0.2, f64::NAN, 0.3]], 16_000, Encoding::F32, false);
        let err = decode(&bytes).unwrap_err();
        assert_eq!(err.code(), "AUDIO_EMPTY");
        assert!(err.to_string().contains("channel 0 sample 2"), "{err}");

        let err = from_channels(vec![vec![0.0; 4], vec![0.0, f32::INFINITY, 0.0, 0.0]], 16_000).unwrap_err();
        assert!(err.to_string().contains("channel 1 sample 1"), "{err}");
    }

    #[test]
    fn from_channels_validates_shape_and_rate() {
        assert_eq!(from_channels(vec![], 16_000).unwrap_err().code(), "AUDIO_EMPTY");
        assert_eq!(from_channels(vec![vec![]], 16_000).unwrap_err().code(), "AUDIO_EMPTY");
        let err = from_channels(vec![vec![0.0; 3], vec![0.0; 2]], 16_000).unwrap_err();
        assert!(err.to_string().contains("channel 1 has 2"), "{err}");
        assert!(from_channels(vec![vec![0.0]], 999).is_err());
        assert!(from_channels(vec![vec![0.0]], 384_001).is_err());
        assert!(from_channels(vec![vec![0.0]], 1_000).is_ok());
        assert!(from_channels(vec![vec![0.0]], 384_000).is_ok());
    }

    /// Largest absolute difference from an ideal sine at the output rate, ignoring `edge` samples
    /// at both ends (where the input was cut off abruptly).
    fn max_error_vs_sine(samples: &[f32], freq_hz: f64, rate: u32, amp: f64, edge: usize) -> f64 {
        let ideal = sine(freq_hz, rate, samples.len(), amp);
        samples[edge..samples.len() - edge]
            .iter()
            .zip(&ideal[edge..])
            .map(|(&s, &i)| (f64::from(s) - i).abs())
            .fold(0.0, f64::max)
    }

    #[test]
    fn resampling_keeps_frequency_phase_and_length() {
        let input = sine(440.0, 44_100, 44_100 * 2 + 37, 0.5);
        let audio = from_channels(vec![input.iter().map(|&x| x as f32).collect()], 44_100).unwrap();
        let out = resample(&audio, 16_000).unwrap();
        assert_eq!(out.sample_rate_hz, 16_000);
        // round((88_237) * 16000 / 44100) = round(32_013.4) = 32_013
        assert_eq!(out.frames(), 32_013);
        // Compared sample by sample with the ideal 16 kHz sine, so a delay or a pitch change fails.
        let err = max_error_vs_sine(&out.channels[0], 440.0, 16_000, 0.5, 200);
        assert!(err < 1e-4, "max error {err}");
        let zero_crossings = out.channels[0].windows(2).filter(|w| (w[0] < 0.0) != (w[1] < 0.0)).count();
        // 440 Hz for ~2.0008 s: ~1761 crossings.
        assert!((1758..=1763).contains(&zero_crossings), "{zero_crossings}");
    }

    #[test]
    fn resampling_is_aligned_for_many_rate_pairs() {
        // Odd and even block counts, up and down, and a rate coprime with 16 kHz.
        for &(from, to) in &[
            (44_100u32, 16_000u32),
            (22_050, 16_000),
            (11_025, 16_000),
            (48_000, 16_000),
            (32_000, 16_000),
            (96_000, 16_000),
            (16_000, 44_100),
            (44_101, 16_000),
            (7_999, 16_000),
        ] {
            let input = sine(300.0, from, from as usize + 11, 0.5);
            let audio = from_channels(vec![input.iter().map(|&x| x as f32).collect()], from).unwrap();
            let out = resample(&audio, to).unwrap();
            let expected_len = ((from as u64 + 11) * u64::from(to) + u64::from(from) / 2) / u64::from(from);
            assert_eq!(out.frames() as u64, expected_len, "{from} -> {to}");
            let err = max_error_vs_sine(&out.channels[0], 300.0, to, 0.5, to as usize / 50);
            assert!(err < 5e-4, "{from} -> {to}: max error {err}");
        }
    }

    #[test]
    fn resampling_up_and_stereo() {
        let a = sine(300.0, 8_000, 8_000, 0.7);
        let b = sine(1_200.0, 8_000, 8_000, 0.3);
        let audio = from_channels(
            vec![a.iter().map(|&x| x as f32).collect(), b.iter().map(|&x| x as f32).collect()],
            8_000,
        )
        .unwrap();
        let out = resample(&audio, 16_000).unwrap();
        assert_eq!(out.frames(), 16_000);
        assert!(max_error_vs_sine(&out.channels[0], 300.0, 16_000, 0.7, 300) < 1e-4);
        assert!(max_error_vs_sine(&out.channels[1], 1_200.0, 16_000, 0.3, 300) < 1e-4);
    }

    #[test]
    fn resampling_removes_content_above_the_new_nyquist() {
        // 10 kHz cannot exist at 16 kHz; it must be filtered out, not folded down to 6 kHz.
        let tone = sine(10_000.0, 48_000, 48_000, 0.5);
        let audio = from_channels(vec![tone.iter().map(|&x| x as f32).collect()], 48_000).unwrap();
        let out = resample(&audio, 16_000).unwrap();
        assert_eq!(out.frames(), 16_000);
        let rms = (out.channels[0][500..15_500].iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / 15_000.0).sqrt();
        assert!(rms < 1e-3, "aliased energy {rms}");
    }

    #[test]
    fn resampling_in_pieces_matches_resampling_whole() {
        // Piece sizes that straddle the resampler's chunk boundary in every way, including empty pieces.
        let input: Vec<f32> = sine(523.0, 44_100, 20_011, 0.6).iter().map(|&x| x as f32).collect();
        let whole = resample(&from_channels(vec![input.clone()], 44_100).unwrap(), 16_000).unwrap().channels.remove(0);
        for piece in [1usize, 7, 1_023, 1_024, 1_025, 4_410, 20_011] {
            let mut r = ChannelResampler::new(44_100, 16_000, 0).unwrap();
            for part in input.chunks(piece) {
                r.push(part).unwrap();
                r.push(&[]).unwrap();
            }
            assert_eq!(r.finish().unwrap(), whole, "pieces of {piece}");
        }
    }

    #[test]
    fn recordings_past_the_limit_are_refused_before_decoding() {
        // 1 kHz 8-bit keeps the files small: 4 h 1 min of mono, and 2 h 1 min of two channels.
        let limit_frames = (MAX_CHANNEL_SECONDS as usize) * 1_000;
        for (channels, frames) in [(1usize, limit_frames + 60_000), (2, limit_frames / 2 + 60_000)] {
            let (bytes, _) = wav(&vec![vec![0.0; frames]; channels], 1_000, Encoding::U8, false);
            let err = decode(&bytes).unwrap_err();
            assert_eq!(err.code(), "AUDIO_TOO_LONG", "{err}");
            assert!(err.to_string().contains(&format!("{channels} channel")), "{err}");
        }
        // At the limit itself the recording is accepted.
        let (bytes, _) = wav(&[vec![0.0; limit_frames]], 1_000, Encoding::U8, false);
        assert_eq!(decode(&bytes).unwrap().frames(), limit_frames);
        assert_eq!(check_length(limit_frames as u64 / 2 + 1_000, 1_000, 2).unwrap_err().code(), "AUDIO_TOO_LONG");
    }

    #[test]
    fn resampling_identity_and_short_input() {
        let audio = from_channels(vec![vec![0.25; 10]], 16_000).unwrap();
        assert_eq!(resample(&audio, 16_000).unwrap().channels, audio.channels);
        // Shorter than one resampler chunk still gives the rounded length.
        let short = from_channels(vec![vec![0.1; 100]], 44_100).unwrap();
        assert_eq!(resample(&short, 16_000).unwrap().frames(), 36);
        assert!(resample(&audio, 500).is_err());
    }

    #[test]
    fn decodes_flac_fixture() {
        // Made with `sox -D -n -r 22050 -b 16 -c 2 tone.flac synth 0.5 sine 440 sine 1000 gain -6`.
        let audio = decode(include_bytes!("../tests/fixtures/audio/tone.flac")).unwrap();
        assert_eq!(audio.sample_rate_hz, 22_050);
        assert_eq!(audio.channels.len(), 2);
        assert_eq!(audio.frames(), 11_025);
        // First frames as `sox tone.flac -t f32 -` prints them (exact 16-bit values).
        let left = [0.005_676_269_5f32, 0.061_614_99, 0.124_969_48, 0.183_654_79];
        let right = [0.012_908_936f32, 0.138_488_77, 0.271_759_03, 0.377_075_2];
        for i in 0..4 {
            assert!((audio.channels[0][i] - left[i]).abs() < 1e-7, "left {i}");
            assert!((audio.channels[1][i] - right[i]).abs() < 1e-7, "right {i}");
        }
        // 0.5 s of 440 Hz and 1 kHz: 440 and 1000 sign changes.
        let crossings = |c: &[f32]| c.windows(2).filter(|w| (w[0] < 0.0) != (w[1] < 0.0)).count();
        assert!((439..=441).contains(&crossings(&audio.channels[0])));
        assert!((999..=1001).contains(&crossings(&audio.channels[1])));
        // A FLAC file cut in half still yields its leading whole frames.
        let bytes = include_bytes!("../tests/fixtures/audio/tone.flac");
        let half = decode(&bytes[..bytes.len() / 2]).unwrap();
        assert!(half.frames() > 2_000 && half.frames() < 11_025, "{}", half.frames());
        assert_eq!(half.channels[0][..100], audio.channels[0][..100]);
    }

    #[test]
    fn prepare_decodes_and_resamples_to_16k() {
        let ch = sine(440.0, 44_100, 44_100, 0.5);
        let (bytes, _) = wav(&[ch.clone(), ch], 44_100, Encoding::I16, false);
        let audio = prepare(&bytes).unwrap();
        assert_eq!(audio.sample_rate_hz, SAMPLE_RATE_HZ);
        assert_eq!(audio.channels.len(), 2);
        assert_eq!(audio.frames(), 16_000);
        assert!((audio.duration_seconds() - 1.0).abs() < 1e-9);
        assert!(max_error_vs_sine(&audio.channels[1], 440.0, 16_000, 0.5, 200) < 1e-4);
    }
}
