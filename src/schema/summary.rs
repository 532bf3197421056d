//! The clinical documentation file (HealthScribe's `summary.json`):
//! `{ "ClinicalDocumentation": { "Sections": [ { SectionName, Summary: [ { SummarizedSegment, EvidenceLinks } ] } ] } }`.
//!
//! Every `SummarizedSegment` is one sentence of the note and lists the transcript segments it was written
//! from. Bedside extra (ignored by HealthScribe parsers): `Unsupported`, the terms of a sentence that were
//! not found in its evidence; it is present only on sentences an integrator's custom flow chose to keep.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SummaryFile {
    #[serde(rename = "ClinicalDocumentation")]
    pub clinical_documentation: ClinicalDocumentation,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ClinicalDocumentation {
    pub sections: Vec<NoteSection>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct NoteSection {
    /// `CHIEF_COMPLAINT`, `HISTORY_OF_PRESENT_ILLNESS`, …, `PLAN` (or a custom template's names).
    pub section_name: String,
    pub summary: Vec<SummarizedSegment>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct SummarizedSegment {
    pub summarized_segment: String,
    pub evidence_links: Vec<EvidenceLink>,
    /// Bedside extra: terms not found in the evidence (empty for every sentence Bedside ships by default).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsupported: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct EvidenceLink {
    pub segment_id: String,
}

impl SummaryFile {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("summary values serialize")
    }

    /// All sentences, in note order, with their section names.
    pub fn sentences(&self) -> impl Iterator<Item = (&str, &SummarizedSegment)> {
        self.clinical_documentation.sections.iter().flat_map(|s| s.summary.iter().map(move |x| (s.section_name.as_str(), x)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_healthscribe_names() {
        let f = SummaryFile {
            clinical_documentation: ClinicalDocumentation {
                sections: vec![NoteSection {
                    section_name: "PLAN".into(),
                    summary: vec![SummarizedSegment {
                        summarized_segment: "Continue lisinopril.".into(),
                        evidence_links: vec![EvidenceLink { segment_id: "seg-00001".into() }],
                        unsupported: vec![],
                    }],
                }],
            },
        };
        let v: serde_json::Value = serde_json::from_str(&f.to_json()).unwrap();
        assert_eq!(v["ClinicalDocumentation"]["Sections"][0]["SectionName"], "PLAN");
        assert_eq!(v["ClinicalDocumentation"]["Sections"][0]["Summary"][0]["EvidenceLinks"][0]["SegmentId"], "seg-00001");
        assert!(v["ClinicalDocumentation"]["Sections"][0]["Summary"][0].get("Unsupported").is_none());
        let back: SummaryFile = serde_json::from_value(v).unwrap();
        assert_eq!(back, f);
    }
}
