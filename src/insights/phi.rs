//! Protected health information and time expressions in a segment, found by rule so the SDK can redact.
//!
//! Input: a segment's text and tokens. Output: `(category, type, first token, last token)` spans:
//! `PROTECTED_HEALTH_INFORMATION` with `NAME`, `AGE`, `DATE`, `PHONE_OR_FAX`, `EMAIL`, `ADDRESS`, `ID`, and
//! `TIME_EXPRESSION`. Reference: the HIPAA Safe Harbor identifier kinds, in Comprehend Medical's types.
//! Names: a word after a title ("mrs. jones", "doctor patel") or a greeting ("hi , martha"), or after
//! "my name is"; each name found is then marked everywhere in the visit (see `super::extract`), so an
//! everyday word after a greeting ("bye now", "welcome back", "in the morning like, …") must never be
//! taken for one; in text with capitals, a greeted word needs a capital or must be on the name lists
//! ("hello, hell, I'm good" from a recogniser names no one). A name before "center", "hospital", …
//! names a place ([`names_a_facility`]).
//! Without a cue, a word is a name when the lexicon's census name lists have it ([`listed_names`]): a
//! first name that is not an everyday word in any case ("david"); one that is ("will", "grace", "mark")
//! only when capitalized mid-sentence; a surname right after a name, or capitalized mid-sentence. A word
//! inside a clinical term ("x-ray") is never a listed name.
//! Limits: a name missing from the lists (rare or non-US names) and said without a cue is missed; in
//! lower-case text an everyday-word name without a cue is missed; a capitalized place that is also a
//! surname ("Washington") is taken for a name unless a place cue comes before it ("lives in
//! Washington", [`places`]: an ADDRESS), and a place in lower-case text is not found.

use super::lexicon::{Lexicon, NameWord};
use super::normalize::Token;
use super::numbers;

pub type Span = (&'static str, &'static str, usize, usize);

/// Words that follow a title or greeting but are not names.
const NOT_NAMES: &[&str] = &[
    "there", "everyone", "everybody", "again", "how", "so", "and", "the", "a", "i", "im", "you", "your", "my", "it",
    "its", "is", "was", "we", "that", "this", "to", "for", "of", "in", "on", "at", "doctor", "dr", "nurse", "sir",
    "maam", "okay", "ok", "yes", "no", "well", "good", "morning", "afternoon", "evening", "nice", "said", "says",
    "told", "will", "would", "can", "could", "has", "had", "have", "what", "who", "when", "said", "office", "today",
    "guys", "all", "folks", "um", "umm", "uhm", "uh", "uhh", "hmm", "mm", "mhm", "ah", "oh", "er", "erm", "doc", "thank", "thanks", "bye", "hi", "hello", "hey", "very", "much",
    "so", "too", "for", "very", "be", "up", "in", "come", "see", "do", "just", "there's", "dax", "dragon", "siri", "alexa", "google", "mister",
    "let", "lets", "here", "sure", "then", "again", "he", "she", "they", "wants", "ordered", "recommended", "gave",
    // after "miss" the verb ("i miss them every day")
    "them", "him", "her", "me", "us", "every", "any", "some", "one", "out", "those", "these", "that", "class", "work",
    // a title after a greeting ("good morning ms. reyes"): the name is the word after it
    "mr", "mrs", "ms", "miss",
    // fillers a greeting runs into ("hi, like, …", "thanks, yeah")
    "like", "yeah", "yep", "right", "alright", "actually", "anyway", "sorry", "please", "now", "doctors", "nurses",
    // the recogniser's "doc" ("awesome thanks document")
    "document",
];
/// How a greeting addresses someone without a name ("good morning, young lady", "welcome back"). Only
/// after a greeting: after a title some are surnames ("Dr. Young").
const ADDRESS_FORMS: &[&str] = &[
    "young", "lady", "ladies", "gentlemen", "man", "dear", "love", "honey", "sweetie", "sweetheart", "buddy", "friend",
    "son", "kiddo", "back",
];
/// Words the census lists hold as surnames that, even capitalized mid-sentence, are rarely anyone's name:
/// languages and nationalities ("you speak English so well") and street words ("on Temple Street").
/// After a title they still are ("Mrs. English").
const NOT_LISTED_NAMES: &[&str] = &[
    "english", "german", "french", "spanish", "dutch", "irish", "welsh", "scottish", "italian", "polish", "street",
    "avenue", "road", "boulevard",
];
const TITLES: &[&str] = &["mr", "mrs", "ms", "miss", "dr", "doctor", "mister", "nurse"];
const GREETINGS: &[&str] = &["hi", "hello", "hey", "morning", "afternoon", "evening", "thanks", "bye", "goodbye", "welcome"];
const MONTHS: &[&str] = &[
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "jan", "feb", "aug", "sept", "oct", "nov", "dec",
];
const WEEKDAYS: &[&str] = &["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const STREETS: &[&str] = &["street", "st", "avenue", "ave", "road", "rd", "drive", "lane", "ln", "boulevard", "blvd", "court", "way", "place"];
const TIME_WORDS: &[&str] = &["yesterday", "today", "tonight", "tomorrow", "overnight", "recently", "lately"];
const TIME_UNITS: &[&str] = &["day", "days", "week", "weeks", "month", "months", "year", "years", "hour", "hours", "minutes", "weekend"];

fn is_name_word(t: &Token) -> bool {
    let w = t.lower.as_str();
    w.chars().all(|c| c.is_alphabetic()) && w.len() > 1 && !NOT_NAMES.contains(&w) && !TIME_UNITS.contains(&w) && !WEEKDAYS.contains(&w)
}

/// Whether token `k` is capitalized where a sentence does not start ("saw Grace today"), in text that
/// is not all capitals (`shouting`).
fn capitalized(chars: &[char], toks: &[Token], k: usize, shouting: bool) -> bool {
    let t = &toks[k];
    !shouting
        && chars[t.start].is_uppercase()
        && chars[t.start + 1..t.end].iter().all(|c| !c.is_uppercase())
        && k > 0
        && !chars[toks[k - 1].end..t.start].iter().any(|c| matches!(c, '.' | '?' | '!' | ':' | '"'))
        && toks[k - 1].lower != "i"
}

/// Names cued by a title, greeting or introduction (lower-case keys, so they can be found again elsewhere).
/// "Mr.", "Dr.", a greeting or "my name is" cue whatever name-like word follows; "mr" without its period
/// and the full words "doctor",
/// "nurse", "miss", "mister" are also common nouns ("your doctor did…", "the nurse went over…"), so the
/// word after them, like a surname after a first name, must be in the name lists or capitalized: a cued
/// word is marked, and redacted, everywhere in the visit.
pub fn cued_names(text: &str, toks: &[Token], lex: &Lexicon) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let shouting = !chars.iter().any(|c| c.is_lowercase());
    // A recogniser that writes capitals writes a name with one, so in such text a greeted lower-case
    // word off the name lists is a misheard one ("hello, hell, I'm good"), not a name.
    let cased = !shouting && chars.iter().any(|c| c.is_uppercase());
    let looks_named = |k: usize| {
        matches!(lex.name_word(&toks[k].lower), Some(NameWord::First | NameWord::Surname)) || capitalized(&chars, toks, k, shouting)
    };
    let mut out = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        let Some(next) = toks.get(k + 1) else { continue };
        let w = t.lower.as_str();
        // "my name is …" is a person's; "the brand name is lipitor", "another name is farmer's lung" name
        // things.
        let intro = k >= 2
            && w == "is"
            && toks[k - 1].lower == "name"
            && matches!(toks[k - 2].lower.as_str(), "my" | "his" | "her" | "your" | "their" | "our" | "whose" | "first" | "last" | "full");
        // "morning" / "afternoon" / "evening" greet only after "good" or opening a sentence: "in the
        // morning like, it was worse" names no one, and a cued word is redacted everywhere in the visit.
        let time_of_day = matches!(w, "morning" | "afternoon" | "evening");
        let opens = k == 0 || toks[k - 1].lower == "good" || chars[toks[k - 1].end..t.start].iter().any(|c| matches!(c, '.' | '?' | '!' | ':' | ','));
        let greeting = GREETINGS.contains(&w)
            && (!time_of_day || opens)
            && !ADDRESS_FORMS.contains(&next.lower.as_str())
            // a greeting's name ends the phrase: "hi , martha ." / "thanks , bob", or is a first name
            // from the lists right after a hello ("hi virginia how are you", not "thanks hope you…")
            && (toks.get(k + 2).is_none_or(|n2| chars[next.end..n2.start].iter().any(|c| !c.is_whitespace()))
                || (matches!(w, "hi" | "hello" | "hey" | "morning" | "afternoon" | "evening")
                    && matches!(lex.name_word(&next.lower), Some(NameWord::First | NameWord::FirstCommon))));
        // A title takes only the word right after it ("dr. patel"), not one across a comma: "Night Nurse,
        // Day Nurse" names two medicines, and a cued name is marked everywhere ("twice a day").
        let abbreviation = matches!(w, "mr" | "mrs" | "ms" | "dr");
        let titled = TITLES.contains(&w) && chars[t.end..next.start].iter().all(|c| c.is_whitespace() || (abbreviation && *c == '.'));
        // "mr arthrogram" without its period is magnetic resonance, not a title.
        let stopped = abbreviation && chars[t.end..next.start].contains(&'.');
        let strong = stopped || (greeting && !cased) || intro;
        if (titled || greeting || intro) && is_name_word(next) && (strong || looks_named(k + 1)) {
            out.push(next.lower.clone());
            // A surname right after ("mrs. jane doe").
            if let Some(n2) = toks.get(k + 2) {
                if (TITLES.contains(&w) || intro)
                    && is_name_word(n2)
                    && chars[next.end..n2.start].iter().all(|c| c.is_whitespace())
                    && n2.lower.len() > 2
                    && looks_named(k + 2)
                {
                    out.push(n2.lower.clone());
                }
            }
        }
    }
    out
}

/// Token indices of names found in the lexicon's name lists (see the module notes); `covered` marks
/// tokens inside clinical terms.
pub fn listed_names(text: &str, toks: &[Token], lex: &Lexicon, covered: &[bool]) -> Vec<usize> {
    let chars: Vec<char> = text.chars().collect();
    let shouting = !chars.iter().any(|c| c.is_lowercase());
    let capitalized = |k: usize| capitalized(&chars, toks, k, shouting);
    let mut out: Vec<usize> = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        if covered[k]
            || !t.lower.chars().all(char::is_alphabetic)
            || (NOT_NAMES.contains(&t.lower.as_str()) && !capitalized(k))
            || NOT_LISTED_NAMES.contains(&t.lower.as_str())
        {
            continue;
        }
        let after_name = out.last() == Some(&(k.wrapping_sub(1))) && chars[toks[k - 1].end..t.start].iter().all(|c| c.is_whitespace());
        let name = match lex.name_word(&t.lower) {
            Some(NameWord::First) => true,
            Some(NameWord::FirstCommon) => capitalized(k),
            Some(NameWord::Surname) => after_name || capitalized(k),
            None => false,
        };
        if name {
            out.push(k);
        }
    }
    out
}

/// Words before which a capitalized name is a place the person lives in, comes from or goes to
/// ("she lives in London", "we moved here from Ohio"): ADDRESS, though the name lists know "London" and
/// "Washington" as surnames.
const PLACE_CUES: &[&[&str]] = &[
    &["live", "in"], &["lives", "in"], &["living", "in"], &["lived", "in"], &["moved", "to"], &["moved", "from"],
    &["moved", "here", "from"], &["moving", "to"], &["grew", "up", "in"], &["born", "in"], &["raised", "in"],
    &["trip", "to"], &["travelled", "to"], &["traveled", "to"], &["travelling", "to"], &["traveling", "to"],
    &["flew", "to"], &["visiting"], &["visited"], &["vacation", "in"], &["holiday", "in"], &["i'm", "from"],
    &["im", "from"], &["am", "from"], &["are", "from"], &["originally", "from"], &["back", "from"],
];

/// Capitalized after a place cue, but times, not places ("back from Christmas").
const HOLIDAYS: &[&str] = &["christmas", "thanksgiving", "easter", "halloween", "hanukkah", "ramadan", "diwali", "spring", "summer"];

/// Nouns after which a name names a place, not a person ("the Rex center", "Mercy Hospital").
const FACILITIES: &[&str] = &[
    "center", "centre", "hospital", "clinic", "park", "school", "college", "university", "church", "mall", "library",
    "gym", "pharmacy", "street", "avenue", "road",
];

/// Whether the word after token `k` (with only a space between) makes `k` the name of a place; `chars`
/// are the segment's characters, which the caller already holds.
pub fn names_a_facility(chars: &[char], toks: &[Token], k: usize) -> bool {
    toks.get(k + 1).is_some_and(|n| FACILITIES.contains(&n.lower.as_str()) && chars[toks[k].end..n.start].iter().all(|c| c.is_whitespace()))
}

/// Token ranges of places named after one of [`PLACE_CUES`]: a run of up to three capitalized words
/// (with a "the" before them, and a state or country after a comma: "Austin, Texas"). Lower-case
/// text names no places here: without capitals "in may" and "in chicago" read alike.
pub fn places(text: &str, toks: &[Token]) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let shouting = !chars.iter().any(|c| c.is_lowercase());
    let cap = |k: usize| {
        k < toks.len()
            && !MONTHS.contains(&toks[k].lower.as_str())
            && !WEEKDAYS.contains(&toks[k].lower.as_str())
            && !TITLES.contains(&toks[k].lower.as_str())
            && !HOLIDAYS.contains(&toks[k].lower.as_str())
            // "moved to America I did not…", "the A B C places": no pronoun or spelt letter ends a place
            && toks[k].lower.chars().count() > 1
            && (capitalized(&chars, toks, k, shouting) || (toks[k].end - toks[k].start >= 2 && chars[toks[k].start..toks[k].end].iter().all(|c| c.is_uppercase())))
    };
    let run = |k: usize| {
        let mut e = k;
        while e + 1 < toks.len() && e + 1 < k + 3 && cap(e + 1) && chars[toks[e].end..toks[e + 1].start].iter().all(|c| c.is_whitespace()) {
            e += 1;
        }
        e
    };
    let mut out = Vec::new();
    for k in 0..toks.len() {
        let Some(cue) = super::attributes::phrase_at(toks, k, PLACE_CUES) else { continue };
        let mut start = k + cue;
        if toks.get(start).is_some_and(|t| t.lower == "the") && cap(start + 1) {
            start += 1;
        }
        if !cap(start) || out.last().is_some_and(|&(_, e)| start <= e) {
            continue;
        }
        let mut end = run(start);
        // "Austin, Texas"
        if end + 1 < toks.len() && chars[toks[end].end..toks[end + 1].start].iter().collect::<String>().trim() == "," && cap(end + 1) {
            end = run(end + 1);
        }
        out.push((start, end));
    }
    out
}

/// PHI and time spans other than names.
pub fn find(text: &str, toks: &[Token]) -> Vec<Span> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let w = |k: usize| toks.get(k).map(|t| t.lower.as_str()).unwrap_or("");
    let mut k = 0;
    while k < toks.len() {
        // AGE: "50 year old", "fifty-two years old", "age 50", "aged 50"
        if let Some((_, e)) = numbers::parse(toks, k) {
            if (w(e) == "year" || w(e) == "years") && w(e + 1) == "old" {
                out.push(("PROTECTED_HEALTH_INFORMATION", "AGE", k, e + 1));
                k = e + 2;
                continue;
            }
            if matches!(w(e), "yo") {
                out.push(("PROTECTED_HEALTH_INFORMATION", "AGE", k, e));
                k = e + 1;
                continue;
            }
            // ADDRESS: "12 oak street"
            if let Some(s) = (e..(e + 3).min(toks.len())).find(|&j| STREETS.contains(&w(j))) {
                if s > e && toks[e..s].iter().all(|t| t.lower.chars().all(char::is_alphabetic)) {
                    out.push(("PROTECTED_HEALTH_INFORMATION", "ADDRESS", k, s));
                    k = s + 1;
                    continue;
                }
            }
            // TIME: "three days ago", "two weeks"
            if TIME_UNITS.contains(&w(e)) && w(e + 1) == "ago" {
                out.push(("TIME_EXPRESSION", "TIME_EXPRESSION", k, e + 1));
                k = e + 2;
                continue;
            }
        }
        if (w(k) == "age" || w(k) == "aged") && toks.get(k + 1).is_some_and(|t| t.lower.chars().all(|c| c.is_ascii_digit())) {
            out.push(("PROTECTED_HEALTH_INFORMATION", "AGE", k + 1, k + 1));
            k += 2;
            continue;
        }
        // DATE: "march 3rd", "march 3 2021", "3/14/2021" (digits joined by slashes in the text)
        if MONTHS.contains(&w(k)) && (w(k) != "may" || toks.get(k + 1).is_some_and(|t| t.lower.starts_with(|c: char| c.is_ascii_digit()))) {
            let mut e = k;
            if toks.get(e + 1).is_some_and(|t| t.lower.starts_with(|c: char| c.is_ascii_digit())) {
                e += 1;
                if toks.get(e + 1).is_some_and(|t| t.lower.len() == 4 && t.lower.chars().all(|c| c.is_ascii_digit())) {
                    e += 1;
                }
            }
            out.push(("PROTECTED_HEALTH_INFORMATION", "DATE", k, e));
            k = e + 1;
            continue;
        }
        let digits = |t: &Token| t.lower.chars().all(|c| c.is_ascii_digit());
        if digits(&toks[k]) {
            // a run of digit groups joined by one separator character each
            let mut e = k;
            let mut seps = String::new();
            while e + 1 < toks.len() && digits(&toks[e + 1]) && toks[e + 1].start - toks[e].end == 1 {
                seps.push(chars[toks[e].end]);
                e += 1;
            }
            let total: usize = toks[k..=e].iter().map(|t| t.lower.len()).sum();
            if e > k && seps.chars().all(|c| c == '/') && (2..=3).contains(&(e - k + 1)) && total <= 8 {
                out.push(("PROTECTED_HEALTH_INFORMATION", "DATE", k, e));
                k = e + 1;
                continue;
            }
            if e > k && seps.chars().all(|c| matches!(c, '-' | '.' | ' ')) && (total == 10 || total == 7) {
                out.push(("PROTECTED_HEALTH_INFORMATION", "PHONE_OR_FAX", k, e));
                k = e + 1;
                continue;
            }
        }
        // EMAIL: name@host.tld
        if toks[k].end < chars.len() && chars[toks[k].end] == '@' {
            let mut e = k + 1;
            while e + 1 < toks.len() && toks[e + 1].start == toks[e].end + 1 && chars[toks[e].end] == '.' {
                e += 1;
            }
            if e < toks.len() {
                let mut b = k;
                while b > 0 && toks[b].start == toks[b - 1].end + 1 && chars[toks[b - 1].end] == '.' {
                    b -= 1;
                }
                out.push(("PROTECTED_HEALTH_INFORMATION", "EMAIL", b, e));
                k = e + 1;
                continue;
            }
        }
        // ID: "medical record number 12345", "mrn 12345"
        if matches!(w(k), "mrn" | "number" | "id") && toks.get(k + 1).is_some_and(|t| t.lower.len() >= 4 && t.lower.chars().all(|c| c.is_ascii_alphanumeric()) && t.lower.chars().any(|c| c.is_ascii_digit())) {
            out.push(("PROTECTED_HEALTH_INFORMATION", "ID", k + 1, k + 1));
            k += 2;
            continue;
        }
        // TIME_EXPRESSION: "yesterday", "last week", "since monday", "this morning"
        if TIME_WORDS.contains(&w(k)) || WEEKDAYS.contains(&w(k)) {
            out.push(("TIME_EXPRESSION", "TIME_EXPRESSION", k, k));
        } else if matches!(w(k), "last" | "next" | "this") && (TIME_UNITS.contains(&w(k + 1)) || matches!(w(k + 1), "night" | "morning" | "evening" | "year" | "summer" | "winter" | "fall" | "spring")) {
            out.push(("TIME_EXPRESSION", "TIME_EXPRESSION", k, k + 1));
            k += 2;
            continue;
        }
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::normalize::tokens;
    use super::*;

    fn spans(text: &str) -> Vec<(&'static str, String)> {
        let t = tokens(text);
        find(text, &t).into_iter().map(|(_, ty, a, b)| (ty, t[a..=b].iter().map(|x| x.lower.as_str()).collect::<Vec<_>>().join(" "))).collect()
    }

    #[test]
    fn phi_kinds() {
        assert_eq!(spans("she is a 50-year-old female"), [("AGE", "50 year old".to_string())]);
        assert_eq!(spans("call 555-123-4567 or email jo.doe@mail.com"), [("PHONE_OR_FAX", "555 123 4567".to_string()), ("EMAIL", "jo doe mail com".into())]);
        assert_eq!(spans("seen on 3/14/2021 and march 3rd"), [("DATE", "3 14 2021".to_string()), ("DATE", "march 3rd".into())]);
        assert_eq!(spans("I live at 12 oak street"), [("ADDRESS", "12 oak street".to_string())]);
        assert_eq!(spans("mrn 88123 since yesterday"), [("ID", "88123".to_string()), ("TIME_EXPRESSION", "yesterday".into())]);
        assert!(spans("you may feel better").is_empty());
    }

    #[test]
    fn places_after_where_someone_lives_or_goes() {
        let found = |text: &str| {
            let t = tokens(text);
            places(text, &t).into_iter().map(|(a, b)| t[a..=b].iter().map(|x| x.lower.as_str()).collect::<Vec<_>>().join(" ")).collect::<Vec<_>>()
        };
        assert_eq!(found("My daughter lives in London and we moved here from Salt Lake City."), ["london", "salt lake city"]);
        assert_eq!(found("She grew up in New York."), ["new york"]);
        assert_eq!(found("I'm from Austin, Texas, and just got back from the UK."), ["austin texas", "uk"]);
        // Lower case, an ordinary noun or a month after the cue: no place.
        assert!(found("she lives in london").is_empty());
        assert!(found("I live in an apartment. I was born in March. We got back from Christmas at home.").is_empty());
        assert!(found("He was visiting Dr. Patel.").is_empty());
        assert_eq!(found("When I moved to America I did not speak it. We lived in the A B C places."), ["america"]);
    }

    #[test]
    fn names_from_cues() {
        let lex = Lexicon::curated().unwrap();
        let text = "hi , martha . how are you ?";
        assert_eq!(cued_names(text, &tokens(text), &lex), ["martha"]);
        let text = "Mrs. Jane Doe is here. the doctor said hi there. good morning ms. reyes !";
        assert_eq!(cued_names(text, &tokens(text), &lex), ["jane", "doe", "reyes"]);
        // A time of day that greets no one: "in the morning like, …" once made "like" a name.
        let text = "it starts in the morning like, it was even worse. Evening, Sarah. Morning, Bob!";
        assert_eq!(cued_names(text, &tokens(text), &lex), ["sarah", "bob"]);
        // A greeting that addresses no one by name; after a title the same word is a surname.
        let text = "Good morning, young lady. Welcome back! Hello doctors. Good afternoon, dear. Okay, bye now.";
        assert!(cued_names(text, &tokens(text), &lex).is_empty());
        let text = "I saw Dr. Young today.";
        assert_eq!(cued_names(text, &tokens(text), &lex), ["young"]);
        // In text with capitals a greeted name has one, or is on the lists; without capitals any word may be.
        let listed = Lexicon::from_texts(&["@names\tFIRST\tmartha\n"]).unwrap();
        let text = "Okay, hello, hell, I'm good. Thanks, Xochitl. Hi, martha.";
        assert_eq!(cued_names(text, &tokens(text), &listed), ["xochitl", "martha"]);
        let text = "okay , hello , xochitl , good to see you";
        assert_eq!(cued_names(text, &tokens(text), &lex), ["xochitl"]);
        // Across a comma, or a time word, a title cues nothing.
        let text = "use the Night Nurse, Day Nurse. ask the nurse today or nurse monday";
        assert!(cued_names(text, &tokens(text), &lex).is_empty());
        // "doctor" and "nurse" as common nouns, and a verb after a name, are no names.
        let text = "my doctor did also recommend that . dr. ward did the exam . the nurse went over it . let your doctor know";
        assert_eq!(cued_names(text, &tokens(text), &lex), ["ward"]);
        let text = "an mr arthrogram of the right hip";
        assert!(cued_names(text, &tokens(text), &lex).is_empty());
        let text = "my name is tom . the brand name is lipitor , another name is farmer's lung";
        assert_eq!(cued_names(text, &tokens(text), &lex), ["tom"]);
        let text = "I saw Nurse Ratched and Doctor Patel.";
        assert_eq!(cued_names(text, &tokens(text), &lex), ["ratched", "patel"]);
    }
}
