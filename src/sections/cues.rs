//! Wording cues: phrasing that marks an utterance as history-taking, plan, examination, greeting or
//! visit logistics whatever its topic.
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
//!
//! Two more kinds come from recordings rather than the snippets, where the model had nothing to go on:
//! a clinician asking for the story without a question mark ("tell me a bit more about that", "let's
//! start with your sore throat") is history-taking too, and a video call's connection checks ("can you
//! hear me?", "you're on mute") are visit logistics (`OTHER`), not examination; so is the bare "Yeah."
//! after one ([`follow_small_talk`]). Neither moves the MTS-Dialog figures (0.778).
//!
//! From full ACI-Bench visits: a clinician's dictated introduction ("…is a 62-year-old male with a past
//! medical history significant for…"), "let's talk about your…", a patient's "I've been…"; a "mm-hmm"
//! between two turns of one section, and a speaker's "and…" after the other's backchannel, keep that
//! section ([`follow_neighbours`]). MTS-Dialog: 0.779 by probability, a few snippets either way under the
//! other tie readings.
//!
//! From whole visits labelled turn by turn (`tests/fixtures/sections/`, `examples/eval_visit_sections`):
//! the embeddings read a clinician's "so in summary, after the x-ray and your exam, I would recommend a
//! splint" as examination (its topic) and "In the meantime, if your headaches are getting worse…" as
//! small talk. A clinician's plan wording outside questions ([`PLAN_CUES`], and "any questions?") raises
//! ASSESSMENT_AND_PLAN, examination wording ([`EXAM_CUES`]) OBJECTIVE, and a short greeting, an
//! identity check or a dictation command ("hey dragon, finalize the report") OTHER. With the visit-phase
//! smoothing (`super::sequence`) they took the labelled visits from 0.72 to 0.90 of turns right (0.69 to
//! 0.83 on the check visits, which they were not chosen on). On MTS-Dialog the plan cues alone changed
//! nothing (0.778); all of it together is in `examples/train_sections.rs`. A patient's "it's been…",
//! "I have…", "I feel…" then took the check visits from 0.834 to 0.861 (tuning visits 0.897 → 0.904;
//! MTS-Dialog training CV the same, 0.760 / 0.757 / 0.754; validation 0.792 → 0.800; CV over both splits
//! 0.788 → 0.773, six plan snippets fewer). What the patient has tried or was given ("I've tried…",
//! "they gave me…") is treatment history: on the `long_120s` clip's unpunctuated recogniser output a
//! stretch of it read as plan; labelled visits unchanged, MTS-Dialog training CV one plan snippet fewer
//! (an emergency-department course, which MTS-Dialog files under plan).
//!
//! A clinician's impressions ("this sounds like a migraine", "it appears that you have…", "possibly due
//! to…") and advice ("you should…", "let me know if…") are plan wording too: MTS-Dialog training CV
//! 0.756 / 0.754 / 0.750 → 0.779 / 0.776 / 0.769 (plan recall 0.609 → 0.678), both splits 0.770 → 0.786;
//! validation (0.800) and the labelled visits unchanged. "You might have…" is left out: in a visit it is
//! as often a passing remark during the history ("you might have a little white coat syndrome").
//! A dictated introduction that comes with a date of birth or a dictation command is history, not
//! logistics: labelled visits one turn more each way (MTS-Dialog unchanged).
//! A patient's questions about what they have and what comes next ("when should I start to feel
//! better?", "what do you recommend?", "will that be treatable?") are plan talk too: MTS-Dialog
//! training CV 0.779 / 0.776 / 0.769 → 0.787 / 0.783 / 0.776 (plan recall 0.678 → 0.701), both splits
//! 0.786 / 0.783 / 0.777 → 0.793 / 0.790 / 0.780; validation (0.800) and the labelled visits unchanged
//! (a boost of 1 instead of [`PLAN_BOOST`]: half the gain).
//! A patient's "I'm having…" / "I'm experiencing…" / "complaining of…", and a parent's or carer's "he
//! has…" / "she's been…", are history too: SUBJECTIVE recall 0.894 → 0.905 (chief complaint snippets
//! 0.68 → 0.74), balanced accuracy within half a point either way over five fold assignments, labelled
//! visits unchanged.

/// Added to a patient's SUBJECTIVE log-odds when they tell their history.
const PATIENT_BOOST: f32 = 2.0;
/// Added to a clinician's SUBJECTIVE log-odds for a history-taking question or request.
const CLINICIAN_BOOST: f32 = 1.0;
/// Added to `OTHER`'s log-odds for a call's connection check, an identity check or a dictation
/// command, whoever says it.
const LOGISTICS_BOOST: f32 = 3.0;
/// Added to a clinician's ASSESSMENT_AND_PLAN log-odds for plan wording ([`PLAN_CUES`]).
const PLAN_BOOST: f32 = 2.0;
/// Added to a clinician's OBJECTIVE log-odds for examination wording ([`EXAM_CUES`]).
const EXAM_BOOST: f32 = 1.5;
/// Added to `OTHER`'s log-odds for a short greeting with no history-taking in it.
const GREETING_BOOST: f32 = 2.0;

const PATIENT_CUES: &[&str] = &[
    " i've had ", " i have had ", " i've been having ", " i have been having ", " i've been feeling ", " i have been feeling ",
    " for the last ", " for the past ", " days ago", " weeks ago", " months ago", " since ", " it started ", " started ",
    " i've noticed ", " i noticed ", " i've been getting ", " keeps ", " i've got ", " i get ",
    " i take ", " i'm taking ", " i am taking ", " i'm on ", " i am on ", " allergic to ",
    " i've been ", " i have been ", " recently", " it's been ", " i have ", " i had ", " i feel ", " i'm feeling ", " it hurts",
    " i've tried ", " i tried ", " they gave me ", " i was prescribed", " i was given ",
    " i'm having ", " i am having ", " i'm experiencing ", " i am experiencing ", " i've been experiencing ",
    " complaining of ", " he has ", " she has ", " he's had ", " she's had ", " he's been ", " she's been ",
];

const QUESTION_CUES: &[&str] = &[
    " what brings ", " how long ", " when did ", " have you had ", " have you been ", " have you noticed ", " have you ever ",
    " did you have ", " do you have any ", " are you having ", " any history ", " how often ", " what happened", " how did it start",
    " what's going on", " what is going on", " how can i help", " when you say", " what do you mean", " do you mean", " how are you feeling", " how are you doing with ", " how have you been doing with ",
    " what medications", " any medications", " are you taking", " do you take", " are you on ", " any allergies", " allergic to",
    " any surgeries", " any surgery", " do you smoke", " do you drink", " any ",
];

/// A clinician's requests for the story, which need no question mark.
const REQUEST_CUES: &[&str] = &[
    " tell me more", " tell me a bit more", " tell me a little more", " tell me a little bit more", " tell me about",
    " let's start with your", " walk me through", " talk me through", " take me through",
    " let's talk about your", " let's talk a little bit about your", " let's talk a bit about your",
];

/// A clinician's assessment and plan wording: impressions, orders, advice, safety-netting and
/// follow-up. Statements, not questions ("any questions about the plan?" is not a plan).
const PLAN_CUES: &[&str] = &[
    " i recommend", " i would recommend", " i'd recommend", " my recommendation", " the diagnosis", " my diagnosis",
    " in summary", " my assessment", " my impression", " the plan is", " my plan", " the plan for", " our plan",
    " i'm going to prescribe", " i will prescribe", " i'll prescribe", " prescribe you", " a prescription", " i'm going to order",
    " i'll order", " we'll order", " i'm going to refer", " refer you", " a referral", " i want you to", " i'd like you to",
    " come back and see", " follow up with", " follow-up with", " in the meantime", " getting worse", " gets worse", " get worse",
    " doesn't get better", " don't get better", " not getting better", " isn't getting better", " call us", " call 911",
    " ambulance", " a&e", " seek medical", " we'll get you", " let's get you", " we'll give you", " i'll give you",
    " start you on", " we'll start", " we'll continue", " continue the", " continue your", " stop taking", " physical therapy",
    // Impressions said to the patient.
    " it looks like you have", " it looks like she has", " it looks like he has", " it appears that you have", " it appears you have",
    " sounds like it is", " this sounds like", " that sounds like a", " i think you have",
    " i suspect", " i'm suspecting", " i am suspecting", " consistent with", " possibly due to", " likely due to", " secondary to",
    " this explains", " set you up with", " a consult", " keep an eye on", " go home",
    // Advice.
    " you should ", " let me know if", " i have advised", " i've advised", " make sure you", " try to avoid", " avoid ",
];

/// A patient's questions about what they have and what happens next: "what do you recommend?", "when
/// should I start to feel better?", "will that be treatable?".
const PATIENT_PLAN_QUESTIONS: &[&str] = &[
    " what do you recommend", " what would you recommend", " what do you suggest", " what should i do", " should i ",
    " will i ", " will it ", " will that ", " will this ", " do i need ", " when can i ", " how long will ", " is it serious",
    " is it contagious", " treatable", " curable", " what are my options", " what happens next", " what are the new",
    " side effects", " how often should i", " how much should i", " what is the diagnosis", " what's the diagnosis",
    " diagnose me",
];

/// A clinician examining or reading out findings: "let's do your exam", "does this hurt?", "your lungs are clear".
const EXAM_CUES: &[&str] = &[
    " let's do your exam", " let's do a quick exam", " let me examine", " i'm going to examine", " let me take a look",
    " let's take a look", " on exam", " on examination", " on my exam", " physical exam", " your exam",
    " do you feel me", " does this hurt", " does that hurt", " does it hurt when i", " when i press", " if i press",
    " take a deep breath", " squeeze my", " push against", " follow my finger", " lungs are clear", " lungs sound",
    " heart sounds", " murmur", " range of motion", " vital signs", " blood pressure is", " blood pressure was",
    " your x-ray", " the x-ray", " x-ray shows", " mri shows", " results show", " came back",
];

/// With an age, these mark a clinician introducing the patient for the record (see [`is_introduction`]).
const INTRO_CUES: &[&str] = &[
    " medical history", " presents", " presented", " presenting", " here for", " here today", " comes in", " coming in",
    " what brings", " referred",
];

/// Identity checks at the start of a remote visit ("can you confirm your date of birth?").
const IDENTITY_CUES: &[&str] = &[
    "date of birth", "full name", "confirm your name", "your address", "postcode", "post code", "zip code", "private place",
    "secure location", "okay to speak", "ok to speak", "didn't catch",
];

/// Greetings and introductions ("hi, ms. brooks. i'm dr. baker."), in a turn too short to carry more.
const GREETING_CUES: &[&str] = &[
    " hi ", " hi,", " hello", " nice to meet you", " good to see you", " nice to see you", " i'm dr", " i am dr",
    " good morning", " good afternoon",
];

/// Instructions to dictation software in an ambient recording ("hey dragon, finalize the report").
const DICTATION_CUES: &[&str] = &[" dragon,", " hey dragon", " dragon ", " finalize the report", " finalize report"];

/// Connection checks on a video or phone call.
const LOGISTICS_CUES: &[&str] = &[
    " can you hear me", " do you hear me", " hear me okay", " hear me ok", " hear me all right", " hear me alright",
    " can you see me", " you're on mute", " you are on mute", " you're breaking up", " you are breaking up",
    " turn on your camera", " your video", " the video", " lost video", " lost the video", " can't see you", " cannot see you",
    " the connection", " bad line",
];

/// Whether `text` checks the call's connection ("can you hear me?", "we've lost video"). The note
/// leaves these out too.
pub fn is_connection_check(text: &str) -> bool {
    let t = format!(" {} ", text.to_lowercase().replace('’', "'"));
    LOGISTICS_CUES.iter().any(|c| t.contains(c))
}

/// Whether `text` checks who the patient is or whether they can talk freely (name, date of birth,
/// address, a private place). The note leaves these out too.
pub fn is_identity_check(text: &str) -> bool {
    let t = text.to_lowercase().replace('’', "'");
    IDENTITY_CUES.iter().any(|c| t.contains(c))
}

/// Whether `text` introduces the patient for the record ("so ralph is a 62-year-old male with a past
/// medical history significant for…, who presents with…"): history, though no question is asked and
/// wherever in the visit it is said. Both an age and one of [`INTRO_CUES`] are needed. The note routes
/// these to the history too.
pub fn is_introduction(text: &str) -> bool {
    let t = format!(" {} ", text.to_lowercase());
    (t.contains("year-old") || t.contains("year old")) && INTRO_CUES.iter().any(|c| t.contains(c))
}

/// The log-odds boosts (SUBJECTIVE, OBJECTIVE, ASSESSMENT_AND_PLAN, OTHER) for an utterance
/// (`clinician`: its speaker's role, when known). One kind wins, in this order: logistics (nothing else
/// in such a turn is note content), the clinician's plan (a plan often names the examination or results
/// it rests on, "after your exam and the x-ray, I recommend…"), examination, history, and a greeting only
/// when nothing else is asked in it ("good morning, how can I help?" asks for the history).
pub fn boosts(text: &str, clinician: Option<bool>) -> [f32; 4] {
    let t = format!(" {} ", text.to_lowercase().replace('’', "'").replace(" n't", "n't"));
    // A dictated introduction often comes with the patient's date of birth or a command to the
    // dictation software ("hey dragon, ms. thompson is a 43-year-old female here for…"): it is history.
    let logistics = is_identity_check(text) || DICTATION_CUES.iter().any(|c| t.contains(c));
    if is_connection_check(text) || logistics && !is_introduction(&t) {
        return [0.0, 0.0, 0.0, LOGISTICS_BOOST];
    }
    if clinician == Some(true) {
        let statements: String = sentences(&t).filter(|(_, question)| !question).map(|(s, _)| s).collect();
        if PLAN_CUES.iter().any(|c| statements.contains(c)) || t.contains(" any questions") {
            return [0.0, 0.0, PLAN_BOOST, 0.0];
        }
        if EXAM_CUES.iter().any(|c| t.contains(c)) {
            return [0.0, EXAM_BOOST, 0.0, 0.0];
        }
    }
    if clinician == Some(false) && questions(&t).any(|q| PATIENT_PLAN_QUESTIONS.iter().any(|c| q.contains(c))) {
        return [0.0, 0.0, PLAN_BOOST, 0.0];
    }
    let history = history_boost(&t, clinician);
    if history == 0.0 && t.split_whitespace().count() <= 12 && GREETING_CUES.iter().any(|c| t.contains(c)) {
        return [0.0, 0.0, 0.0, GREETING_BOOST];
    }
    [history, 0.0, 0.0, 0.0]
}

/// The SUBJECTIVE boost; `t` is lower-cased and padded with spaces.
fn history_boost(t: &str, clinician: Option<bool>) -> f32 {
    match clinician {
        Some(false) if PATIENT_CUES.iter().any(|c| t.contains(c)) => PATIENT_BOOST,
        // Only the questions count ("…I don't see any mass. Are you using the brace?" reports an exam),
        // and "any questions?" closes a plan, it does not take a history.
        Some(true) if questions(t).any(|q| !q.contains("question") && QUESTION_CUES.iter().any(|c| q.contains(c))) => CLINICIAN_BOOST,
        Some(true) if REQUEST_CUES.iter().any(|c| t.contains(c)) => CLINICIAN_BOOST,
        Some(true) if is_introduction(t) => CLINICIAN_BOOST,
        _ => 0.0,
    }
}

/// The questions in `text`, each padded with spaces.
fn questions(text: &str) -> impl Iterator<Item = String> + '_ {
    sentences(text).filter(|(_, question)| *question).map(|(s, _)| format!(" {} ", s.trim()))
}

/// Auxiliaries that open a yes / no question ("do you smoke").
const AUXILIARY_OPENERS: &[&str] = &[
    "do you", "did you", "does it", "does that", "does the", "does this", "have you", "has it", "has the", "had you", "are you",
    "were you", "is it", "is there", "is that", "is the", "is this", "was it", "was there", "can you", "could you", "would you",
    "will you", "will i", "will it", "will that", "will this", "should i", "do i need",
];
/// Words that open a question at the start of a sentence ("how long…", "any fever").
const WH_OPENERS: &[&str] = &["how", "what", "what's", "when", "where", "which", "who", "why", "any"];
/// Words after which a new sentence may start ("okay so how long…", "mm-hmm and any fever").
const DISCOURSE: &[&str] = &[
    "ok", "okay", "so", "and", "um", "uh", "er", "erm", "right", "alright", "mm-hmm", "mmm", "mm", "yeah", "yes", "no", "good",
    "great", "fine", "now", "well", "also", "then", "but", "oh", "sure",
];

/// The sentences of `text` (lower-cased), each with whether it is a question. Punctuated text is cut
/// at sentence marks and a question ends in "?". A recogniser can leave all punctuation out ("ok um
/// how long have you had it and any fever"), and then the clinician's history questions would read as
/// statements, and their wording as plan: such text is cut before each question opener (an
/// auxiliary anywhere, a question word at the start or after a discourse word), and a piece that
/// begins with one is a question.
fn sentences(text: &str) -> Box<dyn Iterator<Item = (String, bool)> + '_> {
    if text.contains(['.', '!', '?']) {
        return Box::new(text.split_inclusive(['.', '!', '?']).map(|s| (s.to_string(), s.ends_with('?'))));
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let opens = |i: usize| {
        let at = |o: &&str| o.split(' ').enumerate().all(|(k, w)| words.get(i + k) == Some(&w));
        AUXILIARY_OPENERS.iter().any(at) || ((i == 0 || DISCOURSE.contains(&words[i - 1])) && WH_OPENERS.iter().any(at))
    };
    let mut out = Vec::new();
    let (mut start, mut question) = (0, false);
    for i in 0..words.len() {
        if opens(i) {
            if i > start {
                out.push((format!(" {} ", words[start..i].join(" ")), question));
            }
            (start, question) = (i, true);
        }
    }
    if start < words.len() {
        out.push((format!(" {} ", words[start..].join(" ")), question));
    }
    Box::new(out.into_iter())
}

/// Words that make a bare acknowledgement ("Yeah.", "Okay, great.", "I'm fine, thanks").
const ACKS: &[&str] = &[
    "yeah", "yes", "yep", "yup", "okay", "ok", "sure", "right", "alright", "all", "fine", "good", "great", "thanks", "thank",
    "you", "mm-hmm", "uh-huh", "hmm", "mhm", "i'm", "im", "doing", "well", "hi", "hello", "hey", "no", "problem",
];

/// A bare acknowledgement after small talk or logistics ("…can you hear me?" "Yeah.") is small talk
/// too, whoever says it (a speaker turn can be misattributed): it takes the scores of the utterance
/// before it when that one's best group is `OTHER`. `scores` are per utterance (probabilities or
/// logits: rows are copied whole).
pub fn follow_small_talk(scores: &mut [[f32; 4]], texts: &[&str]) {
    for i in 1..scores.len().min(texts.len()) {
        let prev = scores[i - 1];
        let prev_other = super::best_group(&prev) == 3;
        if prev_other && is_ack(texts[i]) {
            scores[i] = prev;
        }
    }
}

/// A bare acknowledgement ("mm-hmm", "yeah") between two utterances whose best group is the same
/// clinical one belongs to that part of the visit: on a recording, the patient's "mm-hmm" while the
/// clinician reports the examination is part of the examination, whatever MiniLM makes of "mm-hmm".
/// It takes the scores of the utterance before it. So does a speaker's continuation after the other's
/// backchannel ("…and it's going into a cough now." "Mm-hmm." "And kind of tired."), ack included:
/// `clinician` gives each utterance's speaker role when known. Run after [`follow_small_talk`].
pub fn follow_neighbours(scores: &mut [[f32; 4]], texts: &[&str], clinician: &[Option<bool>]) {
    let best = super::best_group;
    let n = scores.len().min(texts.len()).min(clinician.len());
    for i in 1..n.saturating_sub(1) {
        if !is_ack(texts[i]) {
            continue;
        }
        let (before, after) = (best(&scores[i - 1]), best(&scores[i + 1]));
        // Not after an answer ("Any pain here?" "No." "And your lungs are clear."): a backchannel only.
        let answer = texts[i].split(|c: char| !c.is_alphanumeric()).any(|w| matches!(w.to_lowercase().as_str(), "yes" | "yeah" | "yep" | "yup" | "no"));
        let resumed = !answer && clinician[i - 1].is_some() && clinician[i - 1] == clinician[i + 1] && clinician[i] != clinician[i - 1] && continues(texts[i + 1]);
        if before < 3 && resumed {
            scores[i] = scores[i - 1];
            scores[i + 1] = scores[i - 1];
        } else if before == after && before < 3 && best(&scores[i]) < 3 && best(&scores[i]) != before {
            scores[i] = scores[i - 1];
        }
    }
}

/// An utterance that carries on the speaker's last one ("and kind of tired", "but then it passed").
fn continues(text: &str) -> bool {
    // The first word, past punctuation and fillers (". and as I was…", "uh, and then I…").
    let first = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
        .find(|w| !w.is_empty() && !matches!(w.as_str(), "uh" | "um" | "er" | "erm"))
        .unwrap_or_default();
    matches!(first.as_str(), "and" | "but" | "then" | "because" | "cause")
}

/// Whether `text` is a bare acknowledgement (at most four words, all from [`ACKS`]).
fn is_ack(text: &str) -> bool {
    let words: Vec<String> = text.split_whitespace().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-').to_lowercase()).collect();
    let words: Vec<&String> = words.iter().filter(|w| !w.is_empty()).collect();
    // ASR can spell a backchannel out letter by letter ("M-M-H-M-M-O-K").
    let spelled = |w: &str| w.contains('-') && w.chars().all(|c| "mhuko-".contains(c));
    !words.is_empty() && words.len() <= 4 && words.iter().all(|w| ACKS.contains(&w.as_str()) || spelled(w))
}

/// `probs` with `boosts` added to the groups' log-odds.
pub fn apply(probs: [f32; 4], boosts: [f32; 4]) -> [f32; 4] {
    if boosts == [0.0; 4] {
        return probs;
    }
    let p: [f32; 4] = std::array::from_fn(|g| probs[g] * boosts[g].exp());
    let sum: f32 = p.iter().sum();
    p.map(|x| x / sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_wording_raises_subjective_only() {
        let s = |text: &str, role| boosts(text, role)[0];
        assert_eq!(s("I've just had some diarrhea for the last three days.", Some(false)), PATIENT_BOOST);
        assert_eq!(s("How long have you had it?", Some(true)), CLINICIAN_BOOST);
        assert_eq!(s("Do you have any questions?", Some(true)), 0.0);
        assert_eq!(s("I don't see any mass or swelling. Are you using the brace?", Some(true)), 0.0);
        assert_eq!(s("Good. Any fever or chills?", Some(true)), CLINICIAN_BOOST);
        assert_eq!(s("Sorry to hear that. When you say diarrhea, what do you mean by diarrhea?", Some(true)), CLINICIAN_BOOST, "asking what the patient means");
        assert_eq!(s("Let's start with your sore throat first, and tell me a bit more about that.", Some(true)), CLINICIAN_BOOST);
        assert_eq!(s("We will start you on fluids.", Some(true)), 0.0);
        assert_eq!(s("so ralph is a 62-year-old male with a past medical history significant for depression", Some(true)), CLINICIAN_BOOST);
        assert_eq!(s("Otherwise she looks like a healthy two year old.", Some(true)), 0.0);
        assert_eq!(s("I've had it for the last week.", None), 0.0);
        assert_eq!(s("yes so it's been a few days now I have like a sore and red skin", Some(false)), PATIENT_BOOST, "unpunctuated speech");
        assert_eq!(s("I've tried a few things like I got a steroid cream at the pharmacy", Some(false)), PATIENT_BOOST, "treatment so far is history");
        assert_eq!(s("Well, I am having nausea and I just want to get it checked.", Some(false)), PATIENT_BOOST, "symptoms as they are now");
        assert_eq!(s("He has a fever.", Some(false)), PATIENT_BOOST, "a parent telling the child's history");
        assert_eq!(s("She is complaining of weakness on the right side of her face.", Some(false)), PATIENT_BOOST);
        assert_eq!(s("He has a small cut on the left hand.", Some(true)), 0.0, "a clinician's finding is not history wording");
        assert_eq!(boosts("We will start you on fluids.", Some(true)), [0.0, 0.0, PLAN_BOOST, 0.0], "a plan, not history");
        let p = apply([0.2, 0.1, 0.6, 0.1], [PATIENT_BOOST, 0.0, 0.0, 0.0]);
        assert!(p[0] > p[2] && (p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert!((p[2] / p[1] - 6.0).abs() < 1e-3, "the other groups keep their ratios");
    }

    #[test]
    fn plan_examination_greeting_and_identity_wording() {
        let c = Some(true);
        assert_eq!(boosts("so , i would recommend we get you a splint .", c), [0.0, 0.0, PLAN_BOOST, 0.0]);
        assert_eq!(boosts("In the meantime if your headaches aren't getting any better, or they're getting worse.", c)[2], PLAN_BOOST);
        assert_eq!(boosts("and if it does n't get better , call us .", c)[2], PLAN_BOOST, "ACI-Bench's split contractions");
        assert_eq!(boosts("okay . do you have any questions ?", c)[2], PLAN_BOOST);
        assert_eq!(boosts("Would you like me to refer you?", c)[2], 0.0, "a plan cue inside a question is not a plan");
        assert_eq!(boosts("I recommend it to all my friends.", Some(false)), [0.0; 4], "patients' words are not the plan");
        let p = Some(false);
        assert_eq!(boosts("When should I start to feel better?", p), [0.0, 0.0, PLAN_BOOST, 0.0], "a patient asking what comes next");
        assert_eq!(boosts("Okay, so what do you recommend?", p)[2], PLAN_BOOST);
        assert_eq!(boosts("so will that be treatable", p)[2], PLAN_BOOST, "found without a question mark too");
        assert_eq!(boosts("I think I will stop the pills.", p)[2], 0.0, "a statement, not a question");
        assert_eq!(boosts("Will that be treatable?", c)[2], 0.0, "the clinician's own question is not the patient's");
        assert_eq!(boosts("This sounds like it is a migraine headache.", c)[2], PLAN_BOOST, "an impression");
        assert_eq!(boosts("Do take care of yourself and let me know if your condition worsens.", c)[2], PLAN_BOOST, "advice");
        assert_eq!(boosts("Does it sound like a migraine to you?", c)[2], 0.0);
        assert_eq!(boosts("all right . um , let's do your exam , okay ? so is it tender here ?", c), [0.0, EXAM_BOOST, 0.0, 0.0]);
        assert_eq!(boosts("Hi, Ms. Brooks. I'm Dr. Baker. How are you?", c), [0.0, 0.0, 0.0, GREETING_BOOST]);
        assert_eq!(boosts("Hello? Good morning, Tim. Um, how can I help you this morning?", c)[0], CLINICIAN_BOOST, "asking for the complaint");
        assert_eq!(boosts("Can you confirm your date of birth for me?", c)[3], LOGISTICS_BOOST);
        assert_eq!(boosts("hey , dragon , finalize the report .", c)[3], LOGISTICS_BOOST);
        assert_eq!(
            boosts("all right hey dragon ms thompson is a 43 year old female here for right knee pain", c),
            [CLINICIAN_BOOST, 0.0, 0.0, 0.0],
            "a dictated introduction is history, whatever command comes with it"
        );
        assert_eq!(boosts("patient bruce ward . date of birth 5/21/1969 . this is a 52-year-old male who presents with headaches .", c)[3], 0.0);
        assert!(is_identity_check("And just to confirm that you're in a secure location?") && !is_identity_check("I was born in Ohio."));
    }

    #[test]
    fn an_acknowledgement_of_small_talk_is_small_talk() {
        let mut scores = [[0.1, 0.1, 0.1, 0.7], [0.2, 0.5, 0.2, 0.1], [0.6, 0.2, 0.1, 0.1], [0.1, 0.6, 0.2, 0.1]];
        let texts = ["Can you hear me?", "Yeah.", "I've had a cough for a week.", "Okay."];
        follow_small_talk(&mut scores, &texts);
        assert_eq!(scores[1], [0.1, 0.1, 0.1, 0.7], "the answer to small talk");
        assert_eq!(scores[3], [0.1, 0.6, 0.2, 0.1], "an acknowledgement of history keeps its own scores");
    }

    #[test]
    fn a_backchannel_inside_one_part_of_the_visit_belongs_to_it() {
        let exam = [0.1, 0.7, 0.1, 0.1];
        let mut scores = [exam, [0.2, 0.1, 0.6, 0.1], exam, [0.1, 0.2, 0.6, 0.1], [0.2, 0.2, 0.2, 0.4], [0.1, 0.2, 0.6, 0.1]];
        let texts = ["Your lungs are clear.", "Mm-hmm.", "No swelling in the legs.", "Let's start lisinopril.", "Okay.", "We'll recheck in a month."];
        let before = scores;
        follow_neighbours(&mut scores, &texts, &[Some(true), Some(false), Some(true), Some(true), Some(false), Some(true)]);
        assert_eq!(scores[1], exam, "the patient's mm-hmm during the exam");
        assert_eq!(scores[4], before[4], "an acknowledgement read as small talk stays small talk");
        assert_eq!(scores[3], before[3], "a sentence with content keeps its own scores");
        let mut scores = [exam, [0.2, 0.1, 0.6, 0.1], [0.6, 0.2, 0.1, 0.1]];
        follow_neighbours(&mut scores, &["Your lungs are clear.", "Mm-hmm.", "Any cough?"], &[Some(true), Some(false), Some(true)]);
        assert_eq!(scores[1], [0.2, 0.1, 0.6, 0.1], "neighbours that disagree leave it");

        // The patient's story, the clinician's backchannel, the story again.
        let story = [0.7, 0.1, 0.1, 0.1];
        let texts = ["It's sort of going into a cough now.", "M-M-H-M-M-O-K,", "and a kind of tired,", "Any fever?"];
        let roles = [Some(false), Some(true), Some(false), Some(true)];
        let mut scores = [story, [0.2, 0.1, 0.6, 0.1], [0.3, 0.1, 0.5, 0.1], story];
        follow_neighbours(&mut scores, &texts, &roles);
        assert_eq!(&scores[..3], &[story, story, story], "the story goes on through the backchannel");
        assert!(continues(". and as i was coming down the hill") && continues("uh , and then i- i've been taking ibuprofen"));
        assert!(!continues("any fever?"));
        let mut scores = [story, [0.2, 0.1, 0.6, 0.1], [0.3, 0.1, 0.5, 0.1], story];
        follow_neighbours(&mut scores, &["I've had a cough.", "Okay.", "And we'll start you on an inhaler.", "Sure."], &[Some(false), Some(true), Some(true), Some(false)]);
        assert_eq!(scores[2], [0.3, 0.1, 0.5, 0.1], "the acknowledging speaker's own next words are not a continuation");
    }

    #[test]
    fn questions_are_found_without_question_marks() {
        let c = Some(true);
        assert_eq!(boosts("ok um and how long have you had the pain", c)[0], CLINICIAN_BOOST);
        assert_eq!(boosts("right so have you noticed any blood in it", c)[0], CLINICIAN_BOOST);
        assert_eq!(boosts("mm-hmm ok and any fever", c)[0], CLINICIAN_BOOST, "a question word after a discourse word");
        assert_eq!(boosts("would you like me to refer you", c)[2], 0.0, "a plan cue inside a question");
        assert_eq!(boosts("i'm going to refer you to physical therapy", c)[2], PLAN_BOOST);
        let q: Vec<String> = questions(" so we'll start you on it and do you have any questions ").collect();
        assert_eq!(q, vec![" do you have any questions ".to_string()]);
        assert_eq!(questions(" that's what i think ").count(), 0, "a question word inside a statement");
    }

    #[test]
    fn a_connection_check_is_logistics() {
        assert_eq!(boosts("Alex, oh, hello, can you hear me?", Some(true)), [0.0, 0.0, 0.0, LOGISTICS_BOOST]);
        assert_eq!(boosts("Sorry, you're on mute.", Some(false))[3], LOGISTICS_BOOST);
        assert_eq!(boosts("Can you hear me all right?", None)[3], LOGISTICS_BOOST, "whoever says it");
        assert_eq!(boosts("OK. Um, we've lost video now, maybe is there a button you can press?", Some(true))[3], LOGISTICS_BOOST);
        assert_eq!(boosts("Are you happy for us to carry on without the video? I can't see you at the moment.", Some(true))[3], LOGISTICS_BOOST);
        assert_eq!(boosts("I can't hear out of my left ear.", Some(false))[3], 0.0);
    }
}
