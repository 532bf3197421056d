//! One error type for every stage. Each variant names the phase that failed and carries structured
//! fields, so the wasm shell can turn it into `{ code, message, stage }` in exactly one place.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum BedsideError {
    /// The input bytes are not audio we can decode (empty, unknown container, truncated).
    #[error("audio: {reason}")]
    Audio { reason: String },

    /// Decoded audio with no samples, or with samples that are not finite numbers.
    #[error("audio has no usable samples: {reason}")]
    EmptyAudio { reason: String },

    /// A recording longer than one visit can hold in memory (see `audio::MAX_CHANNEL_SECONDS`).
    #[error("audio: the recording is {minutes:.0} minutes on {channels} channel(s); at most {limit_minutes:.0} channel-minutes fit in memory (split it into shorter parts)")]
    TooLong { minutes: f64, channels: usize, limit_minutes: f64 },

    /// A model file does not match what the manifest or the loader expects.
    #[error("model `{model}`: {reason}")]
    Model { model: String, reason: String },

    /// A checksum mismatch: the file is not the one the manifest lists.
    #[error("model `{model}`: sha256 is {actual}, the manifest expects {expected}")]
    Checksum { model: String, expected: String, actual: String },

    /// Settings that cannot be honoured (out of range, contradictory).
    #[error("settings: {reason}")]
    Settings { reason: String },

    /// Input text (transcript, dialogue) that cannot be read.
    #[error("input: {reason}")]
    Input { reason: String },

    /// The caller asked to stop through the progress callback.
    #[error("cancelled")]
    Cancelled,

    /// A failure inside the tensor runtime while running a model.
    #[error("{stage}: {source}")]
    Runtime { stage: &'static str, #[source] source: candle_core::Error },

    /// File system problems (native shells only).
    #[error("{path}: {source}")]
    Io { path: String, #[source] source: std::io::Error },
}

impl BedsideError {
    /// A short, stable code for programs (JS `error.code`).
    pub fn code(&self) -> &'static str {
        match self {
            BedsideError::Audio { .. } => "AUDIO_INVALID",
            BedsideError::EmptyAudio { .. } => "AUDIO_EMPTY",
            BedsideError::TooLong { .. } => "AUDIO_TOO_LONG",
            BedsideError::Model { .. } => "MODEL_INVALID",
            BedsideError::Checksum { .. } => "MODEL_CHECKSUM",
            BedsideError::Settings { .. } => "SETTINGS_INVALID",
            BedsideError::Input { .. } => "INPUT_INVALID",
            BedsideError::Cancelled => "CANCELLED",
            BedsideError::Runtime { .. } => "RUNTIME",
            BedsideError::Io { .. } => "IO",
        }
    }

    /// The pipeline stage the error belongs to.
    pub fn stage(&self) -> &'static str {
        match self {
            BedsideError::Audio { .. } | BedsideError::EmptyAudio { .. } | BedsideError::TooLong { .. } => "audio",
            BedsideError::Model { .. } | BedsideError::Checksum { .. } => "load",
            BedsideError::Settings { .. } => "settings",
            BedsideError::Input { .. } => "input",
            BedsideError::Cancelled => "cancelled",
            BedsideError::Runtime { stage, .. } => stage,
            BedsideError::Io { .. } => "io",
        }
    }

    pub fn audio(reason: impl Into<String>) -> Self {
        BedsideError::Audio { reason: reason.into() }
    }

    pub fn model(model: impl Into<String>, reason: impl Into<String>) -> Self {
        BedsideError::Model { model: model.into(), reason: reason.into() }
    }

    /// Wraps a tensor-runtime error with the stage it happened in.
    pub fn runtime(stage: &'static str) -> impl FnOnce(candle_core::Error) -> Self {
        move |source| BedsideError::Runtime { stage, source }
    }
}

pub type Result<T> = std::result::Result<T, BedsideError>;
