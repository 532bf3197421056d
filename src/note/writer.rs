//! Sentence writers: one note sentence from one fact, by a language model (short, scoped prompt) or by
//! rules (the extractive fallback, used without a model and for any model sentence that fails the check).
//!
//! Small models write a good sentence from a two-line excerpt and a poor note from a whole visit, so the
//! model only ever sees one fact. The system prompt (with two worked examples) is the same for every
//! request, so runtimes that can reuse a prompt prefix run it once.

use super::clean::{self, Pronouns};
use super::evidence::Fact;
use super::template::SectionSpec;
use crate::error::Result;
use crate::llm::{ChatModel, GenerateOptions, Generation, Message};

pub const SYSTEM_PROMPT: &str = "You are a medical scribe. Rewrite each conversation excerpt as one sentence of a clinical \
note: third person, past tense, clinical wording, standard abbreviations. Call the patient 'the patient', never 'you'. \
Keep every number, side (left/right) and negation exactly. Use only what the excerpt says. Reply with the sentence only.";

/// Worked examples, sent as earlier chat turns (small models copy the shape of a turn better than they
/// follow a description of it).
const EXAMPLES: &[(&str, &str)] = &[
    ("Doctor: any fever or chills?\nPatient: no.", "The patient denied fever or chills."),
    (
        "Patient: my right knee has been hurting for about two weeks since i fell off a ladder.",
        "The patient reported right knee pain for about 2 weeks after a fall from a ladder.",
    ),
    ("Doctor: on exam, your lungs are clear and there is no edema in your legs.", "On exam, the lungs were clear and there was no leg edema."),
    (
        "Doctor: i want you to take ibuprofen, 800 milligrams, every six hours with food, and we'll see you back in two weeks.",
        "The patient was advised to take ibuprofen 800 mg every 6 hours with food and to follow up in 2 weeks.",
    ),
];

/// The conversation before the request: system prompt and the worked examples. The same for every fact,
/// so it is the prefix a runtime caches.
fn preamble() -> Vec<Message> {
    let mut m = vec![Message::system(SYSTEM_PROMPT)];
    for (excerpt, sentence) in EXAMPLES {
        m.push(Message::user(*excerpt));
        m.push(Message::assistant(*sentence));
    }
    m
}

/// The excerpt the model reads: the fact's lines without fillers and stutters. Every prompt token costs
/// as much as a generated one on a CPU, and "um, you know, like" adds tokens, not meaning.
fn prompt_excerpt(fact: &Fact) -> String {
    let who = if fact.by_patient { "Patient" } else { "Doctor" };
    let said = clean::tidy(&fact.said);
    match &fact.question {
        Some(q) => format!("Doctor: {}\n{who}: {said}", clean::tidy(q)),
        None => format!("{who}: {said}"),
    }
}

/// The prompt for one fact.
pub fn prompt_messages(fact: &Fact, section: &SectionSpec) -> Vec<Message> {
    let mut m = preamble();
    let mut user = prompt_excerpt(fact);
    if let Some(extra) = &section.instruction {
        user = format!("{extra}\n{user}");
    }
    m.push(Message::user(user));
    m
}

/// The shared prompt prefix, for [`ChatModel::cache_prefix`].
pub fn prompt_prefix(model: &ChatModel) -> String {
    model.template().render(&preamble(), false)
}

/// Writes one sentence with the model. `on_token` streams text and may cancel. Returns the sentence and
/// the model's run (token counts).
pub fn model_sentence(model: &mut ChatModel, fact: &Fact, section: &SectionSpec, on_token: &mut dyn FnMut(&str) -> bool) -> Result<(String, Generation)> {
    let prompt = model.chat_prompt(&prompt_messages(fact, section));
    let opts = GenerateOptions { max_tokens: 56, stop: vec!["\n".into()], ..Default::default() };
    let out = model.generate(&prompt, &opts, on_token)?;
    Ok((tidy_model_output(&out.text), out))
}

/// Strips labels and quotes a model may add, keeps at most two sentences.
pub fn tidy_model_output(text: &str) -> String {
    let unquoted = text.replace('"', "");
    let mut t = unquoted.trim();
    for label in ["Example sentence:", "Sentence:", "Note:", "Clinical note:", "Answer:", "Excerpt:", "Excerpt"] {
        if let Some(rest) = t.strip_prefix(label) {
            t = rest.trim();
        }
    }
    let s: Vec<String> = clean::sentences(t).into_iter().take(2).collect();
    let joined = s.join(" ");
    if joined.chars().filter(|c| c.is_alphanumeric()).count() < 3 {
        return String::new();
    }
    clean::finish(&joined)
}

/// Openings of yes/no questions, longest first; what follows is the topic asked about.
const QUESTION_OPENINGS: &[&str] = &[
    "have you been having any", "have you been experiencing any", "have you had any", "have you noticed any", "have you experienced any",
    "have you felt any", "are you having any", "are you experiencing any", "do you have any", "did you have any", "did you notice any",
    "is there any", "are there any", "do you get any", "have you had", "have you noticed", "have you been", "do you have", "do you ever have",
    "did you have", "are you having", "do you feel", "did you feel", "any other", "any", "how about", "what about",
];

/// The topic of a yes/no question: "do you have any chest pain?" → "chest pain".
pub fn question_topic(question: &str, p: Pronouns) -> Option<String> {
    // "What about difficulty speaking? Any issues with that?": a topic that only points back ("issues
    // with that") gives way to the sentence before it.
    let sentences = clean::sentences(question);
    let mut fallback = None;
    for sentence in sentences.iter().rev() {
        let Some(topic) = sentence_topic(sentence, p) else { continue };
        let vague = topic.split_whitespace().last().is_some_and(|w| matches!(w, "that" | "it" | "this" | "those" | "them" | "these"));
        if !vague {
            return Some(topic);
        }
        fallback.get_or_insert(topic);
    }
    fallback
}

fn sentence_topic(sentence: &str, p: Pronouns) -> Option<String> {
    let mut q = sentence.to_ascii_lowercase();
    q = q.trim_end_matches(['?', '.', ' ']).trim_start_matches([',', ' ']).to_string();
    loop {
        let before = q.clone();
        for lead in ["and ", "so ", "okay ", "or ", "um ", "uh ", "and, ", "so, ", "okay, ", "now, ", "now "] {
            if let Some(r) = q.strip_prefix(lead) {
                q = r.trim_start().to_string();
            }
        }
        if q == before {
            break;
        }
    }
    // "do you smoke (at all)?" → "smoking": habits asked with a verb.
    for (verb, habit) in [("smoke", "smoking"), ("vape", "vaping"), ("drink", "drinking"), ("exercise", "exercising")] {
        let after = ["do you ", "did you ", "have you ever "].iter().find_map(|o| q.strip_prefix(o)).and_then(|r| r.strip_prefix(verb));
        if let Some(rest) = after.filter(|r| r.is_empty() || r.starts_with(' ')) {
            // "do you drink alcohol at all?" → "drinking alcohol"; what follows a comma is an address or
            // an afterthought ("do you smoke at all, kim?").
            let rest = rest.split(',').next().unwrap_or("").trim().trim_end_matches("at all").trim();
            let n = rest.split_whitespace().count();
            return Some(if n == 0 || n > 3 { habit.to_string() } else { format!("{habit} {rest}") });
        }
    }
    let opening = QUESTION_OPENINGS.iter().find(|o| q.starts_with(*o) && q[o.len()..].starts_with(' '))?;
    let topic = q[opening.len()..].trim();
    // "how about any surgeries in the past?" → "surgeries in the past"
    let topic = topic.strip_prefix("any ").unwrap_or(topic);
    let topic = topic.trim_end_matches(" at all").trim_end_matches(" lately").trim_end_matches(" recently").to_string();
    let n = topic.split_whitespace().count();
    (1..=8).contains(&n).then(|| clean::second_to_third(&topic, p))
}

fn subject(p: Pronouns) -> &'static str {
    match p {
        Pronouns::He => "He",
        Pronouns::She => "She",
        Pronouns::They => "The patient",
    }
}

/// The rule-based sentence for a fact (None when nothing clinical can be said from it).
pub fn extractive_sentence(fact: &Fact, p: Pronouns) -> Option<String> {
    let said = clean::tidy(&fact.said);
    let text = if fact.by_patient { clean::third_person(&said, p) } else { clean::second_to_third(&said, p) };
    let rest = strip_answer_words(&text);
    let enough = |t: &str| t.split_whitespace().count() >= 3;
    if let (Some(q), Some(yes)) = (&fact.question, fact.answer) {
        let verb = if yes { "reports" } else { "denies" };
        let topic = question_topic(q, p);
        // The yes/no word and any short tail ("no, not really.").
        if fact.said.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count() <= 5 {
            return Some(clean::finish(&format!("{} {verb} {}", subject(p), topic?)));
        }
        // A longer answer that opens with its yes or no: the report or denial, then what the patient
        // added ("No, no. It just seems to be the knee." → "She denies other injuries. It just seems to
        // be the knee."). One that starts telling ("I have been suffering from…") speaks for itself.
        let opens_with_answer = rest.len() < text.trim().len();
        if let Some(topic) = topic.filter(|_| opens_with_answer) {
            let head = clean::finish(&format!("{} {verb} {topic}", subject(p)));
            return Some(if enough(&rest) { format!("{head} {}", clean::finish(&rest)) } else { head });
        }
    }
    enough(&rest).then(|| clean::finish(&rest))
}

/// Drops the answer words a sentence opens with ("No, no. It just…", "Yeah, I…"), which make no
/// sense out of the dialogue. "No pain since" keeps its "no": only a "no" set off by punctuation goes.
fn strip_answer_words(text: &str) -> String {
    let mut rest = text.trim();
    loop {
        let lower = rest.to_ascii_lowercase();
        let word = ["yes", "yeah", "yep", "no", "nope", "okay", "ok"].iter().find(|w| {
            lower.starts_with(**w) && {
                let after = &lower[w.len()..];
                // Unpunctuated speech: "no the patient has been sleeping like a log", "no it's fine".
                let clause = after.strip_prefix(' ').and_then(|a| a.split(' ').next()).is_some_and(|next| {
                    ["i", "i'm", "i've", "he", "she", "they", "the", "it", "it's", "we", "not", "that", "there", "he's", "she's", "they're", "his", "her", "their", "my"].contains(&next)
                });
                after.is_empty() || after.starts_with([',', '.']) || clause || (after.starts_with(' ') && **w != "no" && **w != "ok" && **w != "okay")
            }
        });
        if let Some(w) = word {
            rest = rest[w.len()..].trim_start_matches([',', '.', ' ']);
            continue;
        }
        // The answer's echo of the question's auxiliary ("Yeah, I am. Begins with a D.", after the
        // third-person rewrite "she is."): a subject and an auxiliary, then a stop.
        let words: Vec<&str> = lower.splitn(3, ' ').collect();
        let echo = words.len() >= 2
            && ["i", "he", "she", "they", "we", "it"].contains(&words[0])
            && words[1].trim_end_matches([',', '.']).len() < words[1].len()
            && ["am", "is", "are", "do", "does", "did", "have", "has", "was", "can", "will"].contains(&words[1].trim_end_matches([',', '.']));
        if !echo {
            break;
        }
        rest = rest[words[0].len() + 1 + words[1].len()..].trim_start_matches([',', '.', ' ']);
    }
    rest.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::template::Kind;

    fn fact(q: Option<&str>, said: &str, by_patient: bool) -> Fact {
        Fact {
            segments: vec![0, 1],
            kind: Kind::PresentIllness,
            question: q.map(str::to_string),
            said: said.into(),
            by_patient,
            answer: q.and_then(|_| crate::note::evidence::yes_no(said)),
            weight: 3.0,
            essential: false,
        }
    }

    #[test]
    fn yes_no_answers_become_reports_and_denials() {
        let f = fact(Some("okay. do you have any chest pain?"), "no.", true);
        assert_eq!(extractive_sentence(&f, Pronouns::He).unwrap(), "He denies chest pain.");
        let f = fact(Some(", do you smoke at all?"), "No, I don't.", true);
        assert_eq!(extractive_sentence(&f, Pronouns::He).unwrap(), "He denies smoking.");
        let f = fact(Some("do you smoke at all, kim?"), "No.", true);
        assert_eq!(extractive_sentence(&f, Pronouns::She).unwrap(), "She denies smoking.", "the patient's name is not part of the topic");
        let f = fact(Some("do you drink alcohol?"), "yes.", true);
        assert_eq!(extractive_sentence(&f, Pronouns::She).unwrap(), "She reports drinking alcohol.");
        let f = fact(Some("what about difficulty speaking during these episodes? any, any issues with that at all?"), "no.", true);
        assert_eq!(extractive_sentence(&f, Pronouns::He).unwrap(), "He denies difficulty speaking during these episodes.");
        let f = fact(Some("have you noticed any swelling in your legs?"), "yeah, a little.", true);
        assert_eq!(extractive_sentence(&f, Pronouns::She).unwrap(), "She reports swelling in her legs.");
        let f = fact(Some("and did you have any other injuries?"), "no, no. it just seems to be the knee.", true);
        assert_eq!(extractive_sentence(&f, Pronouns::She).unwrap(), "She denies other injuries. It just seems to be the knee.");
        let f = fact(Some("did you injure yourself any place else?"), "no, no. it just seems to be the knee.", true);
        assert_eq!(extractive_sentence(&f, Pronouns::She).unwrap(), "It just seems to be the knee.", "no topic: what was added, without the bare no");
        let f = fact(Some("any pain?"), "no pain since the surgery, doctor.", true);
        assert_eq!(extractive_sentence(&f, Pronouns::He).unwrap(), "No pain since the surgery, doctor.", "a no that opens a phrase stays");
        let f = fact(Some("any other medical history?"), "i have been suffering from constipation recently.", true);
        assert_eq!(extractive_sentence(&f, Pronouns::She).unwrap(), "She has been suffering from constipation recently.", "an answer that tells speaks for itself");
        let f = fact(Some("okay , and are you on any medications for that ?"), "yeah , i am . um , it begins with a d .", true);
        assert!(!extractive_sentence(&f, Pronouns::She).unwrap().contains("she is."), "the echo 'I am' goes");
        let f = fact(None, "no i've been sleeping like a log", true);
        assert_eq!(extractive_sentence(&f, Pronouns::He).unwrap(), "He has been sleeping like a log.", "an unpunctuated no before a clause goes");
        let f = fact(Some("how about any surgeries in the past ?"), "yes , i have .", true);
        assert_eq!(extractive_sentence(&f, Pronouns::She).unwrap(), "She reports surgeries in the past.");
    }

    #[test]
    fn statements_turn_third_person() {
        let f = fact(None, "i've been taking my lisinopril every day.", true);
        assert_eq!(extractive_sentence(&f, Pronouns::He).unwrap(), "He has been taking his lisinopril every day.");
        let f = fact(None, "your lungs sound clear.", false);
        assert_eq!(extractive_sentence(&f, Pronouns::They).unwrap(), "Their lungs sound clear.");
    }

    #[test]
    fn model_output_is_tidied() {
        assert_eq!(tidy_model_output("Sentence: \"The patient denied fever.\" Extra. More."), "The patient denied fever. Extra.");
        assert_eq!(tidy_model_output("  "), "");
    }
}
