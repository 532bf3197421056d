//! The transcript file: `{ "Conversation": { TranscriptItems, TranscriptSegments, ClinicalInsights, … } }`.
//!
//! Character offsets (`BeginCharacterOffset`, `EndCharacterOffset`) are zero-based and end-exclusive
//! (Rust/JS slice convention), counted in Unicode scalar values of the segment's `Content`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TranscriptFile {
    #[serde(rename = "Conversation")]
    pub conversation: Conversation,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Conversation {
    pub conversation_id: String,
    pub job_name: String,
    pub job_type: String,
    pub language_code: String,
    #[serde(default)]
    pub clinical_insights: Vec<ClinicalInsight>,
    pub transcript_items: Vec<TranscriptItem>,
    pub transcript_segments: Vec<TranscriptSegment>,
    /// Bedside extra: facts about how the transcript was made (model, audio length, warnings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bedside: Option<RunInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct TranscriptItem {
    pub alternatives: Vec<Alternative>,
    pub begin_audio_time: f64,
    pub end_audio_time: f64,
    #[serde(rename = "Type")]
    pub kind: ItemType,
    /// Bedside extra: the segment this item belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_id: Option<String>,
    /// The vocabulary filter listed this word (Transcribe's field; written only when true).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub vocabulary_filter_match: bool,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ItemType {
    Pronunciation,
    Punctuation,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Alternative {
    pub confidence: f64,
    pub content: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct TranscriptSegment {
    pub segment_id: String,
    pub begin_audio_time: f64,
    pub end_audio_time: f64,
    pub content: String,
    pub participant_details: ParticipantDetails,
    pub section_details: SectionDetails,
    /// Bedside extra: the audio channel the segment was heard on (channel identification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ParticipantDetails {
    /// `CLINICIAN_0`, `PATIENT_0`, … (speaker roles come from a later stage; until then `CLINICIAN_0`).
    pub participant_role: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct SectionDetails {
    /// `SUBJECTIVE`, `OBJECTIVE`, `ASSESSMENT_AND_PLAN` or `OTHER`.
    pub section_name: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RunInfo {
    pub asr_model: String,
    pub audio_seconds: f64,
    pub channels: u32,
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// One clinical entity (HealthScribe `ClinicalInsight`, `InsightType` `ClinicalEntity`), in Amazon
/// Comprehend Medical's vocabulary. `Traits` and `Codes` are Bedside extras that HealthScribe parsers ignore.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ClinicalInsight {
    pub insight_id: String,
    pub insight_type: String,
    /// `MEDICATION`, `MEDICAL_CONDITION`, `TEST_TREATMENT_PROCEDURE`, `ANATOMY`,
    /// `PROTECTED_HEALTH_INFORMATION`, `TIME_EXPRESSION`, `BEHAVIORAL_ENVIRONMENTAL_SOCIAL`.
    pub category: String,
    /// `GENERIC_NAME`, `BRAND_NAME`, `DX_NAME`, `TEST_NAME`, `SYSTEM_ORGAN_SITE`, `NAME`, `AGE`, …
    #[serde(rename = "Type")]
    pub kind: String,
    pub spans: Vec<Span>,
    #[serde(default)]
    pub attributes: Vec<InsightAttribute>,
    /// Bedside extra: `NEGATION`, `SIGN`, `SYMPTOM`, `DIAGNOSIS`, `PERTAINS_TO_FAMILY`, `HYPOTHETICAL`,
    /// `PAST_HISTORY`, `LOW_CONFIDENCE`, `FUTURE`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub traits: Vec<Trait>,
    /// Bedside extra: ontology codes (`ICD-10-CM` for conditions; DrugBank or MeSH for medications; LOINC
    /// for lab tests), best first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<Code>,
}

/// Where an entity or attribute was said: character offsets into the segment's `Content` (zero-based,
/// end-exclusive), and `Content` equal to that covered text.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Span {
    pub segment_id: String,
    pub begin_character_offset: usize,
    pub end_character_offset: usize,
    pub content: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct InsightAttribute {
    pub attribute_id: String,
    /// `DOSAGE`, `STRENGTH`, `FORM`, `ROUTE_OR_MODE`, `FREQUENCY`, `DURATION`, `TEST_VALUE`, `TEST_UNIT`,
    /// `ACUITY`, `QUALITY`, `DIRECTION`, `SYSTEM_ORGAN_SITE`.
    #[serde(rename = "Type")]
    pub kind: String,
    pub spans: Vec<Span>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Trait {
    pub name: String,
    pub score: f64,
}

/// An ontology concept, Comprehend Medical style.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Code {
    /// `ICD-10-CM`, `DRUGBANK`, `MESH` or `LOINC`.
    pub system: String,
    pub code: String,
    pub description: String,
    pub score: f64,
}
