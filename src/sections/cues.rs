//! History cues: wording that marks an utterance as history-taking whatever its topic.
//!
//! Why: the classifier reads MiniLM embeddings, which follow what is talked about more than how, so a
//! patient telling the story of their diarrhea lands near the clinician's plan for diarrhea, and "what
//! brings you in?" takes the section of the complaint that follows. These phrases (a patient's "I've had
//! … for the last three days", a clinician's "how long…?" / "have you had…?") add to the utterance's
//! SUBJECTIVE log-odds; the model's scores still decide. Measured by snippet-level 5-fold CV on the
//! MTS-Dialog training split (`examples/train_sections.rs`, `--no-cues` for the figures without):
//! balanced accuracy 0.764 → 0.777, SUBJECTIVE recall 0.826 → 0.878 (chief complaint snippets 0.49 →
//! 0.68, review of systems 0.67 → 0.82), OBJECTIVE 0.765 either way, ASSESSMENT_AND_PLAN 0.701 → 0.690
//! (one snippet); on the validation split, with the model trained on the training split alone, 0.785 →
//! 0.813. The same kind of boost for plan wording gained one plan snippet (0.781) and is left out.

/// Added to a patient's SUBJECTIVE log-odds when they tell their history.
const PATIENT_BOOST: f32 = 2.0;
/// Added to a clinician's SUBJECTIVE log-odds for a history-taking question.
const CLINICIAN_BOOST: f32 = 1.0;

const PATIENT_CUES: &[&str] = &[
    " i've had ", " i have had ", " i've been having ", " i have been having ", " i've been feeling ", " i have been feeling ",
    " for the last ", " for the past ", " days ago", " weeks ago", " months ago", " since ", " it started ", " started ",
    " i've noticed ", " i noticed ", " i've been getting ", " keeps ", " i've got ", " i get ",
    " i take ", " i'm taking ", " i am taking ", " i'm on ", " i am on ", " allergic to ",
];

const QUESTION_CUES: &[&str] = &[
    " what brings ", " how long ", " when did ", " have you had ", " have you been ", " have you noticed ", " have you ever ",
    " did you have ", " do you have any ", " are you having ", " any history ", " how often ", " what happened", " how did it start",
    " what's going on", " what is going on", " how are you feeling",
    " what medications", " any medications", " are you taking", " do you take", " are you on ", " any allergies", " allergic to",
    " any surgeries", " any surgery", " do you smoke", " do you drink", " any ",
];

/// The SUBJECTIVE log-odds boost for an utterance (`clinician`: its speaker's role, when known).
pub fn history_boost(text: &str, clinician: Option<bool>) -> f32 {
    let t = format!(" {} ", text.to_lowercase().replace('’', "'"));
    match clinician {
        Some(false) if PATIENT_CUES.iter().any(|c| t.contains(c)) => PATIENT_BOOST,
        // Only the questions count ("…I don't see any mass. Are you using the brace?" reports an exam),
        // and "any questions?" closes a plan, it does not take a history.
        Some(true) if questions(&t).any(|q| !q.contains("question") && QUESTION_CUES.iter().any(|c| q.contains(c))) => CLINICIAN_BOOST,
        _ => 0.0,
    }
}

/// The sentences of `text` that end in a question mark, each padded with spaces.
fn questions(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split_inclusive(['.', '!', '?']).filter(|s| s.ends_with('?')).map(|s| format!(" {} ", s.trim()))
}

/// `probs` with `boost` added to SUBJECTIVE's log-odds.
pub fn apply(probs: [f32; 4], boost: f32) -> [f32; 4] {
    if boost == 0.0 {
        return probs;
    }
    let mut p = probs;
    p[0] *= boost.exp();
    let sum: f32 = p.iter().sum();
    p.map(|x| x / sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_wording_raises_subjective_only() {
        assert_eq!(history_boost("I've just had some diarrhea for the last three days.", Some(false)), PATIENT_BOOST);
        assert_eq!(history_boost("How long have you had it?", Some(true)), CLINICIAN_BOOST);
        assert_eq!(history_boost("Do you have any questions?", Some(true)), 0.0);
        assert_eq!(history_boost("I don't see any mass or swelling. Are you using the brace?", Some(true)), 0.0);
        assert_eq!(history_boost("Good. Any fever or chills?", Some(true)), CLINICIAN_BOOST);
        assert_eq!(history_boost("We will start you on fluids.", Some(true)), 0.0);
        assert_eq!(history_boost("I've had it for the last week.", None), 0.0);
        let p = apply([0.2, 0.1, 0.6, 0.1], PATIENT_BOOST);
        assert!(p[0] > p[2] && (p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert!((p[2] / p[1] - 6.0).abs() < 1e-3, "the other groups keep their ratios");
    }
}
