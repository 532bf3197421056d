//! Which speaker is the clinician and which the patient, from what each one says.
//!
//! Input: speaker turns (speaker ids and text), optionally roles fixed in advance (channel definitions).
//! Output: [`RoleAssignment`]: a HealthScribe `ParticipantRole` per speaker id (`CLINICIAN_0`,
//! `PATIENT_0`, `PATIENT_1`, …), a confidence per speaker, and warnings.
//!
//! Method: each speaker gets a clinician score, the count of clinician cues minus the count of patient
//! cues in their words. Clinician cues are the moves of a consultation's doctor: history questions put to
//! the other person ("do you", "have you", "how long"), examining and plan language ("let me", "I'm going
//! to", "we'll start you on", "I'd like to order", "prescribe"). Patient cues describe one's own body and
//! experience ("I have", "I've been", "my … hurts", "I feel"). The highest scorer is `CLINICIAN_0`, the
//! others patients, except that a further speaker with clear clinician evidence becomes `CLINICIAN_1` (a
//! nurse, a student). Within a role the stronger evidence gets the lower number, so the person describing
//! their own symptoms is `PATIENT_0` and a relative `PATIENT_1`.
//!
//! Confidence is a logistic function of the score margin that separates a speaker from the other role.
//! Warnings say when the evidence does not carry the decision: one speaker only, nobody sounding like a
//! clinician or like a patient, or fixed roles that the words contradict.
//!
//! Limits: English wording only; cues are counted, not understood, so a patient who quotes a doctor
//! ("she said let me check") adds to the wrong side. Speakers with no words get a role but no evidence.

use super::Turn;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Clinician,
    Patient,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Clinician => "CLINICIAN",
            Role::Patient => "PATIENT",
        }
    }

    /// Parses HealthScribe's `ParticipantRole` of a channel definition (`CLINICIAN` / `PATIENT`).
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_uppercase().as_str() {
            "CLINICIAN" => Some(Role::Clinician),
            "PATIENT" => Some(Role::Patient),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RoleAssignment {
    /// Per speaker id: `CLINICIAN_0`, `PATIENT_0`, …
    pub roles: Vec<String>,
    /// Per speaker id, 0.5 (a guess) to 1 (certain or fixed).
    pub confidence: Vec<f32>,
    pub warnings: Vec<String>,
}

/// Phrases a clinician says (matched on word boundaries in lowercased text, apostrophes kept).
const CLINICIAN_CUES: &[&str] = &[
    "let me", "let's", "i'm going to", "i am going to", "we'll", "we will", "we're going to", "i'd like to",
    "i would like", "i'll", "start you on", "prescribe", "prescription", "order", "examine", "examination",
    "take a look", "have a look", "listen to your", "recommend", "follow up", "how can i help", "what brings you",
    "tell me", "on a scale", "how long", "how often", "any other", "do you", "have you", "are you", "did you",
    "does it", "is it", "can you", "your chest", "your blood", "deep breath", "make sure", "sorry to hear",
    "i see", "side effects", "twice a day", "once a day", "test", "results", "medication",
];

/// Phrases a patient says about themselves.
const PATIENT_CUES: &[&str] = &[
    "i have", "i've", "i had", "i've been", "i've got", "my", "hurts", "it hurts", "i feel", "i'm feeling",
    "i felt", "i get", "i was", "i don't know", "i'm not sure", "i noticed", "i can't", "keeps me", "i need",
    "i took", "i tried", "i haven't", "i've had", "i just", "should i", "pain", "doctor",
];

/// Score above which a second (third, …) speaker is taken for another clinician.
const SECOND_CLINICIAN_SCORE: f32 = 3.0;
/// Margin (in cues) that gives about 73 % confidence; confidence is `1 / (1 + e^(-margin / SCALE))`.
const CONFIDENCE_SCALE: f32 = 3.0;

/// Lowercase, keep letters, digits and apostrophes, turn everything else into single spaces, and pad with
/// spaces so phrases match on word boundaries.
fn normalise(text: &str) -> String {
    let mut out = String::from(" ");
    for c in text.chars() {
        let c = if c == '’' { '\'' } else { c };
        if c.is_alphanumeric() || c == '\'' {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

fn count(text: &str, cues: &[&str]) -> f32 {
    cues.iter().map(|cue| text.matches(&format!(" {cue} ")).count() as f32).sum()
}

/// Clinician-minus-patient cue count of a speaker's words, and how many words they said.
fn score(turns: &[Turn], speaker: usize) -> (f32, usize) {
    let mut s = 0.0;
    let mut words = 0;
    for t in turns.iter().filter(|t| t.speaker == speaker) {
        // Questions count by sentence: a question to the other person is history taking.
        for sentence in t.text.split_inclusive(['.', '?', '!']) {
            let n = normalise(sentence);
            words += n.split_whitespace().count();
            s += count(&n, CLINICIAN_CUES) - count(&n, PATIENT_CUES);
            if sentence.trim_end().ends_with('?') && (n.contains(" you ") || n.contains(" your ")) {
                s += 1.0;
            }
        }
    }
    (s, words)
}

/// A further speaker is another clinician when their cues are clearly clinician-like both in count and
/// per word, at half the rate of the main clinician or more (so a long-winded patient does not qualify
/// by volume alone).
fn second_clinician(scored: &[(f32, usize)], s: usize, top: usize) -> bool {
    let rate = |i: usize| scored[i].0 / scored[i].1.max(1) as f32;
    scored[s].0 >= SECOND_CLINICIAN_SCORE && rate(s) >= 0.5 * rate(top)
}

fn confidence(margin: f32) -> f32 {
    1.0 / (1.0 + (-margin / CONFIDENCE_SCALE).exp())
}

pub fn assign_roles(turns: &[Turn], fixed: Option<&[(usize, Role)]>) -> RoleAssignment {
    let n = turns.iter().map(|t| t.speaker + 1).max().unwrap_or(0).max(fixed.map_or(0, |f| f.iter().map(|(s, _)| s + 1).max().unwrap_or(0)));
    let scored: Vec<(f32, usize)> = (0..n).map(|s| score(turns, s)).collect();
    let mut warnings = Vec::new();
    let mut role: Vec<Option<Role>> = vec![None; n];
    let mut conf = vec![0.5f32; n];
    let fixed = fixed.unwrap_or(&[]);
    for &(s, r) in fixed {
        if s < n {
            role[s] = Some(r);
            conf[s] = 1.0;
        }
    }
    let talking: Vec<usize> = (0..n).filter(|&s| scored[s].1 > 0).collect();

    if !fixed.is_empty() {
        // Fixed roles stand; say so when the words point the other way for both sides.
        let clin: Vec<usize> = fixed.iter().filter(|f| f.1 == Role::Clinician && f.0 < n).map(|f| f.0).collect();
        let pat: Vec<usize> = fixed.iter().filter(|f| f.1 == Role::Patient && f.0 < n).map(|f| f.0).collect();
        if let (Some(&c), Some(&p)) = (clin.first(), pat.first()) {
            if scored[c].1 > 0 && scored[p].1 > 0 && scored[p].0 - scored[c].0 >= 2.0 * CONFIDENCE_SCALE {
                warnings.push(format!(
                    "the speaker defined as {} talks like the patient and the one defined as {} like the clinician; check the channel definitions",
                    Role::Clinician.label(),
                    Role::Patient.label()
                ));
            }
        }
    }
    let free: Vec<usize> = talking.iter().copied().filter(|&s| role[s].is_none()).collect();
    let have_clinician = role.contains(&Some(Role::Clinician));
    let have_patient = role.contains(&Some(Role::Patient));
    if fixed.is_empty() && talking.len() == 1 {
        let s = talking[0];
        let r = if scored[s].0 > 0.0 { Role::Clinician } else { Role::Patient };
        role[s] = Some(r);
        conf[s] = confidence(scored[s].0.abs());
        warnings.push(format!("only one speaker was found; every segment is labelled {}_0", r.label()));
    } else if !free.is_empty() {
        let mut by_score = free.clone();
        by_score.sort_by(|&a, &b| scored[b].0.total_cmp(&scored[a].0).then(a.cmp(&b)));
        let mut assigned_clinician = have_clinician;
        for (rank, &s) in by_score.iter().enumerate() {
            let is_clinician = if !assigned_clinician && rank == 0 {
                // Someone must be the clinician unless a fixed definition already is; the last free
                // speaker stays a patient when no patient is fixed.
                !(by_score.len() == 1 && !have_patient && have_clinician)
            } else {
                second_clinician(&scored, s, by_score[0]) && (have_patient || rank + 1 < by_score.len())
            };
            role[s] = Some(if is_clinician { Role::Clinician } else { Role::Patient });
            assigned_clinician |= is_clinician;
        }
        // Confidence: how far each speaker sits from the best speaker of the other role.
        for &s in &free {
            let r = role[s].expect("assigned above");
            let other_best = talking
                .iter()
                .filter(|&&o| role[o].is_some_and(|x| x != r))
                .map(|&o| scored[o].0)
                .fold(None, |acc: Option<f32>, v| Some(match (acc, r) {
                    (None, _) => v,
                    (Some(a), Role::Clinician) => a.max(v),
                    (Some(a), Role::Patient) => a.min(v),
                }));
            let margin = match (r, other_best) {
                (Role::Clinician, Some(o)) => scored[s].0 - o,
                (Role::Patient, Some(o)) => o - scored[s].0,
                (Role::Clinician, None) => scored[s].0,
                (Role::Patient, None) => -scored[s].0,
            };
            conf[s] = confidence(margin);
        }
        let clinicians: Vec<usize> = talking.iter().copied().filter(|&s| role[s] == Some(Role::Clinician)).collect();
        let patients: Vec<usize> = talking.iter().copied().filter(|&s| role[s] == Some(Role::Patient)).collect();
        if talking.len() >= 2 {
            if clinicians.iter().all(|&s| scored[s].0 <= 0.0) && clinicians.iter().any(|s| free.contains(s)) {
                warnings.push("nobody sounds clearly like a clinician; the most clinician-like speaker was labelled CLINICIAN_0".into());
            }
            if patients.iter().all(|&s| scored[s].0 >= SECOND_CLINICIAN_SCORE) && patients.iter().any(|s| free.contains(s)) {
                warnings.push("every speaker sounds like a clinician; the least clinician-like was labelled PATIENT_0".into());
            }
        }
    }
    // Speakers who never spoke still get a role (a fixed one, or patient) so ids stay valid.
    for r in role.iter_mut().filter(|r| r.is_none()) {
        *r = Some(Role::Patient);
    }

    // Number within each role: strongest evidence first (clinicians by score, patients by lowest score).
    let mut labels = vec![String::new(); n];
    for r in [Role::Clinician, Role::Patient] {
        let mut members: Vec<usize> = (0..n).filter(|&s| role[s] == Some(r)).collect();
        members.sort_by(|&a, &b| {
            let (fa, fb) = (fixed.iter().any(|f| f.0 == a), fixed.iter().any(|f| f.0 == b));
            let key = |s: usize| if r == Role::Clinician { -scored[s].0 } else { scored[s].0 };
            fb.cmp(&fa).then((scored[b].1 > 0).cmp(&(scored[a].1 > 0))).then(key(a).total_cmp(&key(b))).then(a.cmp(&b))
        });
        for (i, s) in members.into_iter().enumerate() {
            labels[s] = format!("{}_{i}", r.label());
        }
    }
    RoleAssignment { roles: labels, confidence: conf, warnings }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(speaker: usize, text: &str) -> Turn {
        Turn { start: 0.0, end: 1.0, words: Vec::new(), text: text.into(), speaker, channel: None }
    }

    #[test]
    fn the_questioner_who_prescribes_is_the_clinician() {
        let turns = [
            turn(0, "I've been having this pain in my chest for a week."),
            turn(1, "I'm sorry to hear that. How long does it last? Do you get short of breath?"),
            turn(0, "A few minutes. My left arm hurts too."),
            turn(1, "Let me listen to your chest. I'd like to order an ECG, and we'll start you on aspirin."),
        ];
        let r = assign_roles(&turns, None);
        assert_eq!(r.roles, vec!["PATIENT_0", "CLINICIAN_0"]);
        assert!(r.confidence.iter().all(|&c| c > 0.8), "{:?}", r.confidence);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn a_relative_is_a_second_patient() {
        let turns = [
            turn(0, "Hello, what brings you in today? How long have you had it?"),
            turn(1, "I have a cough and my throat hurts. I've been tired."),
            turn(2, "She has been coughing at night."),
            turn(0, "I'm going to prescribe an inhaler. Any other questions?"),
        ];
        let r = assign_roles(&turns, None);
        assert_eq!(r.roles, vec!["CLINICIAN_0", "PATIENT_0", "PATIENT_1"]);
    }

    #[test]
    fn a_nurse_is_a_second_clinician_but_a_chatty_patient_is_not() {
        let doctor = "How long have you had the rash? Do you have any fever? Let me take a look. I'd like to order a blood test.";
        let nurse = "Are you allergic to anything? Can you roll up your sleeve? I'm going to take your blood pressure. Any other medication?";
        let patient = "I have had this rash for a week and my arm hurts. I feel tired.";
        // A patient who talks at length and asks a few questions of their own.
        let chatty = format!("{} Do you think it's serious? Is it contagious? Can you tell me more? {}", patient.repeat(6), "I need to know.");
        let r = assign_roles(&[turn(0, doctor), turn(1, patient), turn(2, nurse)], None);
        assert_eq!(r.roles, vec!["CLINICIAN_0", "PATIENT_0", "CLINICIAN_1"]);
        let r = assign_roles(&[turn(0, doctor), turn(1, &chatty), turn(2, "She has been scratching at night.")], None);
        assert_eq!(r.roles[0], "CLINICIAN_0");
        assert!(r.roles[1].starts_with("PATIENT"), "{:?}", r.roles);
    }

    #[test]
    fn weak_evidence_is_flagged_not_hidden() {
        let r = assign_roles(&[turn(0, "Okay."), turn(1, "Okay, fine.")], None);
        assert_eq!(r.roles.iter().filter(|l| l.starts_with("CLINICIAN")).count(), 1);
        assert!(!r.warnings.is_empty());
        assert!(r.confidence.iter().all(|&c| c < 0.7), "{:?}", r.confidence);
        let one = assign_roles(&[turn(0, "Do you have any pain? Let me examine you.")], None);
        assert_eq!(one.roles, vec!["CLINICIAN_0"]);
        assert!(one.warnings[0].contains("only one speaker"));
    }

    #[test]
    fn fixed_roles_stand_and_contradictions_are_reported() {
        let turns = [
            turn(0, "I have had a headache and my neck hurts. I've been dizzy. I feel sick."),
            turn(1, "How long have you had it? Do you have a fever? Let me examine you. I'd like to order a scan."),
        ];
        let fixed = [(0, Role::Clinician), (1, Role::Patient)];
        let r = assign_roles(&turns, Some(&fixed));
        assert_eq!(r.roles, vec!["CLINICIAN_0", "PATIENT_0"]);
        assert_eq!(r.confidence, vec![1.0, 1.0]);
        assert!(r.warnings.iter().any(|w| w.contains("channel definitions")));
        // A silent channel keeps its defined role (its segments are simply absent).
        let r = assign_roles(&turns[1..], Some(&[(0, Role::Patient), (1, Role::Clinician)]));
        assert_eq!(r.roles, vec!["PATIENT_0", "CLINICIAN_0"]);
    }
}
