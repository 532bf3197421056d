//! The transcript's clinical reading: each segment's section (MiniLM embeddings + a small trained
//! classifier) and the clinical entities with their traits, attributes and codes (a compiled lexicon),
//! then, if asked, PHI redaction. Input: a transcript file (from audio or from a dialogue text); output:
//! the same file with `SectionDetails` and `ClinicalInsights` filled.

use crate::embed::Embedder;
use crate::error::Result;
use crate::insights::{self, Lexicon};
use crate::schema::transcript::TranscriptFile;
use crate::sections::{self, SectionModel};

/// Model files as bytes (see the manifest's `defaults.clinical`).
pub struct ClinicalBytes {
    pub embedder_weights: Vec<u8>,
    pub embedder_config: Vec<u8>,
    pub embedder_tokenizer: Vec<u8>,
    pub sections: Vec<u8>,
    pub lexicon: Vec<u8>,
}

pub struct Clinical {
    embedder: Embedder,
    sections: SectionModel,
    lexicon: Lexicon,
}

impl Clinical {
    pub fn load(b: ClinicalBytes) -> Result<Self> {
        Ok(Self {
            embedder: Embedder::load(&b.embedder_weights, &b.embedder_config, &b.embedder_tokenizer)?,
            sections: SectionModel::load(&b.sections)?,
            lexicon: Lexicon::load(&b.lexicon)?,
        })
    }

    /// Sections, then entities (which use the sections' turns), then redaction of PHI if asked.
    pub fn annotate(&self, file: &mut TranscriptFile, redact: bool) -> Result<()> {
        self.classify_sections(file)?;
        self.extract_insights(file)?;
        if redact {
            insights::redact(file);
        }
        Ok(())
    }

    /// Only the sections stage (e.g. again after a transcript was edited).
    pub fn classify_sections(&self, file: &mut TranscriptFile) -> Result<()> {
        sections::classify(file, &self.embedder, &self.sections)
    }

    /// Only the entities stage: replaces the file's clinical insights.
    pub fn extract_insights(&self, file: &mut TranscriptFile) -> Result<()> {
        insights::extract(file, &self.lexicon)
    }

    pub fn embedder(&self) -> &Embedder {
        &self.embedder
    }

    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }
}
