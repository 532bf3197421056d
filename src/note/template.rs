//! Note templates: which sections a note has, in order, and what each section is for.
//!
//! Built-in templates use HealthScribe's `NoteTemplate` names and section names. A custom template is a
//! built-in base plus per-section instructions (AWS's successor product's model): it may rename, drop or
//! add sections, and its instructions reach the sentence writer's prompt.

use serde::{Deserialize, Serialize};

use crate::error::{BedsideError, Result};

/// What kind of content a section collects; evidence routing works on these, not on section names, so a
/// custom section reuses the routing of the kind it declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Kind {
    ChiefComplaint,
    PresentIllness,
    ReviewOfSystems,
    MedicalHistory,
    FamilyHistory,
    SocialHistory,
    Exam,
    Tests,
    Assessment,
    Plan,
    /// Subjective = present illness + review of systems + histories (SOAP).
    Subjective,
    /// Objective = exam + tests (SOAP).
    Objective,
    /// Behavioral templates: what was observed and said (DAP Data, BIRP Behavior, SIRP Situation).
    Data,
    /// What the clinician did in the session (BIRP/SIRP/GIRPP Intervention).
    Intervention,
    /// How the patient responded (BIRP/SIRP/GIRPP Response).
    Response,
    /// Goals of care (GIRPP Goal).
    Goal,
    /// Progress toward goals (GIRPP Progress).
    Progress,
}

impl Kind {
    /// The narrow kinds a broad kind collects (routing assigns every fact to one narrow kind).
    pub fn covers(self, narrow: Kind) -> bool {
        use Kind::*;
        match self {
            Subjective => matches!(narrow, ChiefComplaint | PresentIllness | ReviewOfSystems | MedicalHistory | FamilyHistory | SocialHistory),
            Objective => matches!(narrow, Exam | Tests),
            Data => matches!(narrow, ChiefComplaint | PresentIllness | ReviewOfSystems | MedicalHistory | FamilyHistory | SocialHistory | Exam | Tests),
            Response => matches!(narrow, PresentIllness | ReviewOfSystems),
            Progress => matches!(narrow, Assessment),
            Intervention => matches!(narrow, Plan),
            Goal => false,
            k => k == narrow,
        }
    }

    /// What the writer is told the section is for.
    pub fn purpose(self) -> &'static str {
        use Kind::*;
        match self {
            ChiefComplaint => "the reason for the visit, in a few words",
            PresentIllness => "the history of the present illness",
            ReviewOfSystems => "symptoms the patient reports or denies",
            MedicalHistory => "past medical and surgical history and current medications",
            FamilyHistory => "family history",
            SocialHistory => "social history (work, habits, tobacco, alcohol, exercise)",
            Exam => "physical examination findings",
            Tests => "results of tests, labs and imaging",
            Assessment => "the clinician's assessment and diagnoses",
            Plan => "the plan: treatments, medications, tests ordered, referrals, follow-up",
            Subjective => "what the patient reports",
            Objective => "examination findings and test results",
            Data => "what was observed and reported in the session",
            Intervention => "what the clinician did or recommended",
            Response => "how the patient responded",
            Goal => "the goals of care",
            Progress => "progress toward the goals",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionSpec {
    /// HealthScribe `SectionName`.
    pub name: String,
    pub kind: Kind,
    /// Extra guidance for the writer (custom templates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instruction: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub name: String,
    pub sections: Vec<SectionSpec>,
}

/// The built-in template names, default first.
pub const BUILT_IN: [&str; 7] = ["HISTORY_AND_PHYSICAL", "PHYSICAL_SOAP", "BEHAVIORAL_SOAP", "DAP", "BIRP", "SIRP", "GIRPP"];

fn spec(name: &str, kind: Kind) -> SectionSpec {
    SectionSpec { name: name.into(), kind, instruction: None }
}

impl Template {
    /// A built-in template by its HealthScribe name (case-insensitive; `-` and spaces read as `_`).
    pub fn built_in(name: &str) -> Result<Self> {
        use Kind::*;
        let key = name.trim().to_ascii_uppercase().replace(['-', ' '], "_");
        let sections = match key.as_str() {
            "" | "HISTORY_AND_PHYSICAL" => vec![
                spec("CHIEF_COMPLAINT", ChiefComplaint),
                spec("HISTORY_OF_PRESENT_ILLNESS", PresentIllness),
                spec("REVIEW_OF_SYSTEMS", ReviewOfSystems),
                spec("PAST_MEDICAL_HISTORY", MedicalHistory),
                spec("PAST_FAMILY_HISTORY", FamilyHistory),
                spec("PAST_SOCIAL_HISTORY", SocialHistory),
                spec("PHYSICAL_EXAMINATION", Exam),
                spec("DIAGNOSTIC_TESTING", Tests),
                spec("ASSESSMENT", Assessment),
                spec("PLAN", Plan),
            ],
            "PHYSICAL_SOAP" | "BEHAVIORAL_SOAP" => {
                vec![spec("SUBJECTIVE", Subjective), spec("OBJECTIVE", Objective), spec("ASSESSMENT", Assessment), spec("PLAN", Plan)]
            }
            "DAP" => vec![spec("DATA", Data), spec("ASSESSMENT", Assessment), spec("PLAN", Plan)],
            "BIRP" => vec![spec("BEHAVIOR", Data), spec("INTERVENTION", Intervention), spec("RESPONSE", Response), spec("PLAN", Plan)],
            "SIRP" => vec![spec("SITUATION", Data), spec("INTERVENTION", Intervention), spec("RESPONSE", Response), spec("PLAN", Plan)],
            "GIRPP" => vec![
                spec("GOAL", Goal),
                spec("INTERVENTION", Intervention),
                spec("RESPONSE", Response),
                spec("PROGRESS", Progress),
                spec("PLAN", Plan),
            ],
            _ => {
                return Err(BedsideError::Settings {
                    reason: format!("unknown note template `{name}` (known: {})", BUILT_IN.join(", ")),
                })
            }
        };
        let name = if key.is_empty() { "HISTORY_AND_PHYSICAL".to_string() } else { key };
        Ok(Template { name, sections })
    }

    /// A custom template: `base`'s sections with per-section instructions; a section named in
    /// `instructions` but absent from the base is added (its kind given), and `drop` removes sections.
    pub fn custom(base: &str, instructions: &[(String, String)], added: &[(String, Kind)], drop: &[String]) -> Result<Self> {
        let mut t = Template::built_in(base)?;
        for (name, kind) in added {
            let name = name.trim().to_ascii_uppercase().replace([' ', '-'], "_");
            if name.is_empty() {
                return Err(BedsideError::Settings { reason: "a custom section needs a name".into() });
            }
            if !t.sections.iter().any(|s| s.name == name) {
                t.sections.push(spec(&name, *kind));
            }
        }
        for (name, text) in instructions {
            let name = name.trim().to_ascii_uppercase().replace([' ', '-'], "_");
            let Some(s) = t.sections.iter_mut().find(|s| s.name == name) else {
                return Err(BedsideError::Settings { reason: format!("instruction for section `{name}`, which template {} does not have", t.name) });
            };
            s.instruction = Some(text.trim().to_string()).filter(|x| !x.is_empty());
        }
        t.sections.retain(|s| !drop.iter().any(|d| d.eq_ignore_ascii_case(&s.name)));
        if t.sections.is_empty() {
            return Err(BedsideError::Settings { reason: "the custom template has no sections left".into() });
        }
        t.name = format!("CUSTOM({})", t.name);
        Ok(t)
    }

    /// The template section that collects facts of `narrow` kind: one of exactly that kind, else the first
    /// whose kind covers it.
    pub fn section_for(&self, narrow: Kind) -> Option<usize> {
        self.sections.iter().position(|s| s.kind == narrow).or_else(|| self.sections.iter().position(|s| s.kind.covers(narrow)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_ins_have_healthscribe_sections() {
        let hp = Template::built_in("HISTORY_AND_PHYSICAL").unwrap();
        assert_eq!(hp.sections.len(), 10);
        assert_eq!(hp.sections[0].name, "CHIEF_COMPLAINT");
        assert_eq!(Template::built_in("").unwrap().name, "HISTORY_AND_PHYSICAL");
        let soap = Template::built_in("physical soap").unwrap();
        assert_eq!(soap.sections.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["SUBJECTIVE", "OBJECTIVE", "ASSESSMENT", "PLAN"]);
        assert_eq!(soap.section_for(Kind::Exam), Some(1));
        assert_eq!(soap.section_for(Kind::SocialHistory), Some(0));
        for name in BUILT_IN {
            assert!(Template::built_in(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn unknown_template_is_a_settings_error() {
        let err = Template::built_in("POEM").unwrap_err();
        assert_eq!(err.code(), "SETTINGS_INVALID");
    }

    #[test]
    fn custom_templates_add_instruct_and_drop() {
        let t = Template::custom(
            "PHYSICAL_SOAP",
            &[("plan".into(), "Number each item.".into())],
            &[("MEDICATIONS".into(), Kind::MedicalHistory)],
            &["OBJECTIVE".into()],
        )
        .unwrap();
        assert_eq!(t.sections.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["SUBJECTIVE", "ASSESSMENT", "PLAN", "MEDICATIONS"]);
        assert_eq!(t.sections[2].instruction.as_deref(), Some("Number each item."));
        assert_eq!(t.section_for(Kind::MedicalHistory), Some(3), "an exact kind wins over a broad one");
        assert!(Template::custom("DAP", &[("NOPE".into(), "x".into())], &[], &[]).is_err());
    }
}
