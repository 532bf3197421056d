//! Clinical insights: entities in Amazon Comprehend Medical's vocabulary, with their attributes, traits
//! and codes, as HealthScribe `ClinicalInsights`; and PHI redaction.
//!
//! Input: a transcript file (segments with roles) and a [`Lexicon`]. Output:
//! `Conversation.ClinicalInsights` filled: one `ClinicalEntity` per mention, its `Spans` (segment id,
//! character offsets zero-based and end-exclusive, `Content` equal to the covered text), `Attributes`
//! linked to it, `Traits` (NEGATION, SIGN, SYMPTOM, DIAGNOSIS, PERTAINS_TO_FAMILY, HYPOTHETICAL,
//! PAST_HISTORY, LOW_CONFIDENCE, FUTURE) and `Codes`.
//! Stages, one module each: [`normalize`] (tokens and keys) → [`lexicon`] (concept and trigger matching;
//! [`spelling`] for drug names one slip off) → [`attributes`] (dose, frequency, values…) → [`context`]
//! (ConText traits, question/answer pairs) → [`phi`] (identifiers and time expressions). [`redact`]
//! replaces PHI in every output. Words that name no entity in context ("left-hand side", "cold water",
//! "fit and well"; `is_figure_of_speech`), "temperature" or "sugar" said as a reading and "fluids" given as a
//! treatment (`as_test_or_treatment`) are settled here.
//! Limits: dictionary and rule based; a term must be in the lexicon (registry vocabularies plus the
//! curated spoken layer) to be found; see each module for its own limits.

pub mod attributes;
pub mod context;
pub mod lexicon;
pub mod normalize;
pub mod numbers;
pub mod phi;
pub mod spelling;

use std::collections::HashSet;

pub use lexicon::Lexicon;

use crate::error::Result;
use crate::schema::transcript::{ClinicalInsight, InsightAttribute, Span, TranscriptFile, Trait};
use lexicon::Mention;
use normalize::{tokens, Token};

/// Medication attributes look this many tokens back for their drug ("metformin, I take it twice a day").
const MED_REACH_BACK: usize = 12;
/// Test values look this many tokens back for their test ("blood pressure today was 130 over 85").
const TEST_REACH_BACK: usize = 8;
/// A bare number (no unit) counts as a test value only this close after the test name.
const BARE_VALUE_REACH: usize = 3;
/// Body sites and directions attach to a condition at most this many tokens away.
const SITE_REACH: usize = 4;
/// A quality word after its condition is at most this far on ("the pain is sharp", "headaches are severe").
const QUALITY_REACH_BACK: usize = 2;
/// What may stand between a condition and its quality said after it (tokens drop apostrophes, so a
/// tokenised "pain 's sharp" gives "s").
const QUALITY_LINKS: &[&str] = &["is", "was", "are", "were", "feels", "felt", "seems", "gets", "got", "very", "really", "quite", "so", "pretty", "more", "been", "s"];

/// Determiners that make a mention definite (presupposed) in a question.
const DEFINITE: &[&str] = &["the", "your", "that", "this", "those", "these"];

struct Entity {
    seg: usize,
    first: usize,
    last: usize,
    category: String,
    kind: String,
    traits: Vec<&'static str>,
    /// The lexicon concept, for concept mentions.
    item: Option<usize>,
    codes: Vec<crate::schema::transcript::Code>,
    attrs: Vec<(&'static str, usize, usize, usize)>, // kind, segment, first, last
}

/// Fills `ClinicalInsights` (replacing what was there).
pub fn extract(file: &mut TranscriptFile, lex: &Lexicon) -> Result<()> {
    let segs = &file.conversation.transcript_segments;
    let toks: Vec<Vec<Token>> = segs.iter().map(|s| tokens(&s.content)).collect();
    let roles: Vec<Option<bool>> = segs.iter().map(|s| crate::sections::role_flag(&s.participant_details.participant_role)).collect();

    // Names cued anywhere are marked everywhere they are said.
    let names: HashSet<String> = segs.iter().zip(&toks).flat_map(|(s, t)| phi::cued_names(&s.content, t, lex)).collect();

    let mut entities: Vec<Entity> = Vec::new();
    let mut last_med: Option<(usize, usize)> = None;
    // Each segment's concept entities (not PHI or time expressions), for the question/answer pass.
    let mut concept_ranges: Vec<std::ops::Range<usize>> = Vec::with_capacity(segs.len()); // (segment, entity index) of the latest medication
    for (si, seg) in segs.iter().enumerate() {
        let t = &toks[si];
        let text = &seg.content;
        let mut taken = vec![false; t.len()];
        let first_entity = entities.len();

        // PHI and time expressions first: a cued name is never also a drug ("rose", "gene"); a name found
        // only in the name lists gives way to a clinical term ("x-ray", "allegra").
        let found = lex.find_composed(t);
        let mut covered = vec![false; t.len()];
        for m in &found {
            covered[m.first..=m.last].iter_mut().for_each(|x| *x = true);
        }
        // A place where someone lives or goes is an address, even when the name lists know the word.
        // A clinical term after the cue is no place ("back from the Coumadin sensitivity test").
        for (a, b) in phi::places(text, t).into_iter().filter(|&(a, _)| !covered[a]) {
            taken[a..=b].iter_mut().for_each(|x| *x = true);
            entities.push(Entity::new(si, a, b, "PROTECTED_HEALTH_INFORMATION", "ADDRESS"));
        }
        let listed = phi::listed_names(text, t, lex, &covered);
        let chars: Vec<char> = text.chars().collect();
        for (k, tok) in t.iter().enumerate() {
            if taken[k] {
                continue;
            }
            // "karen's sleep": the possessive of a cued name (the tokenizer drops the apostrophe).
            let possessive = tok.end >= 2 && matches!(chars[tok.end - 2], '\'' | '’') && tok.lower.ends_with('s');
            let cued = names.contains(&tok.lower) || (possessive && names.contains(&tok.lower[..tok.lower.len() - 1]));
            // A listed name before "center", "hospital", …: the place's name ("the rex center"), an ADDRESS.
            if !cued && listed.contains(&k) && phi::names_a_facility(&chars, t, k) {
                taken[k..=k + 1].iter_mut().for_each(|x| *x = true);
                entities.push(Entity::new(si, k, k + 1, "PROTECTED_HEALTH_INFORMATION", "ADDRESS"));
                continue;
            }
            if cued || listed.contains(&k) {
                taken[k] = true;
                entities.push(Entity::new(si, k, k, "PROTECTED_HEALTH_INFORMATION", "NAME"));
            }
        }
        for (cat, kind, a, b) in phi::find(text, t) {
            if taken[a..=b].iter().any(|x| *x) {
                continue;
            }
            if cat != "TIME_EXPRESSION" {
                taken[a..=b].iter_mut().for_each(|x| *x = true);
            }
            entities.push(Entity::new(si, a, b, cat, kind));
        }

        // Concept mentions with their context traits.
        let mut mentions: Vec<Mention> =
            found.into_iter().filter(|m| !taken[m.first..=m.last].iter().any(|x| *x) && !is_figure_of_speech(t, m, &lex.concept(m.item).category)).collect();
        // Words no term matched that are one slip from a drug name: kept, marked LOW_CONFIDENCE for review.
        let near: Vec<Mention> = (0..t.len())
            .filter(|&k| !taken[k] && !covered[k])
            .filter_map(|k| lex.near_miss(&t[k].key).map(|item| Mention { first: k, last: k, item }))
            .collect();
        mentions.extend(near.iter().copied());
        mentions.sort_by_key(|m| m.first);
        let triggers = lex.find_triggers(t);
        let traits = context::traits(lex, text, t, &mentions, &triggers);
        let sent = context::sentences(text, t);
        let concept_start = entities.len();
        for (m, tr) in mentions.iter().zip(traits) {
            let c = lex.concept(m.item);
            let mut e = Entity::new(si, m.first, m.last, &c.category, &c.kind);
            e.traits = tr;
            e.item = Some(m.item);
            if near.contains(m) && !e.traits.contains(&"LOW_CONFIDENCE") {
                e.traits.push("LOW_CONFIDENCE");
            }
            if let Some(kind) = as_test_or_treatment(t, m) {
                e.category = "TEST_TREATMENT_PROCEDURE".into();
                e.kind = kind.into();
                entities.push(e);
                continue;
            }
            e.codes = c.codes.clone();
            if c.category == "MEDICAL_CONDITION" {
                for ct in &c.traits {
                    // NEGATION: words that deny in themselves ("nontender", "nondistended").
                    if let Some(name) = ["SIGN", "SYMPTOM", "DIAGNOSIS", "NEGATION"].into_iter().find(|n| n == ct).filter(|n| !e.traits.contains(n)) {
                        e.traits.push(name);
                    }
                }
            }
            entities.push(e);
        }

        // Attributes, each to the entity it describes.
        let covered = |a: usize, b: usize| mentions.iter().any(|m| m.first <= b && a <= m.last);
        for f in attributes::find(t) {
            if covered(f.first, f.last) {
                continue;
            }
            let here = concept_start..entities.len();
            let nearest = |cats: &[&str], back: usize, ahead: usize, entities: &[Entity]| {
                here.clone()
                    .filter(|&i| cats.contains(&entities[i].category.as_str()) && sent[entities[i].first] == sent[f.first])
                    .filter(|&i| {
                        let e = &entities[i];
                        (e.last < f.first && f.first - e.last <= back) || (e.first > f.last && e.first - f.last <= ahead)
                    })
                    .min_by_key(|&i| if entities[i].last < f.first { f.first - entities[i].last } else { 2 * (entities[i].first - f.last) })
            };
            let target = match f.kind {
                "STRENGTH" | "DOSAGE" | "FORM" | "ROUTE_OR_MODE" | "FREQUENCY" | "DURATION" => {
                    let med = nearest(&["MEDICATION"], MED_REACH_BACK, 4, &entities);
                    // "how often do you take it?" "twice a day": the drug was named in an earlier turn.
                    med.or_else(|| {
                        last_med.filter(|(s, _)| si - s <= 2 && matches!(f.kind, "STRENGTH" | "DOSAGE" | "FREQUENCY")).map(|(_, i)| i)
                    })
                }
                "TEST_VALUE" | "TEST_UNIT" => nearest(&["TEST_TREATMENT_PROCEDURE"], TEST_REACH_BACK, 0, &entities)
                    .filter(|&i| entities[i].kind == "TEST_NAME"),
                // A bare number is a value only right after its test ("a1c is 7.2"), not "three out of six".
                "NUMBER" => nearest(&["TEST_TREATMENT_PROCEDURE"], BARE_VALUE_REACH, 0, &entities)
                    .filter(|&i| entities[i].kind == "TEST_NAME"),
                "ACUITY" | "DIRECTION" => nearest(&["MEDICAL_CONDITION", "ANATOMY"], 0, 3, &entities),
                // "severe headache", and after it only across a linking verb: "the pain is sharp", not
                // "throat clearing and uncontrolled vocalization" or a list ("cramping, burning, sharp?").
                "QUALITY" => nearest(&["MEDICAL_CONDITION"], QUALITY_REACH_BACK, 3, &entities).filter(|&i| {
                    let e = &entities[i];
                    e.first > f.last
                        || (t[e.last + 1..f.first].iter().all(|w| QUALITY_LINKS.contains(&w.lower.as_str()))
                            && !chars[t[e.last].end..t[f.first].start].iter().any(|c| matches!(c, ',' | ';')))
                }),
                _ => None,
            };
            if let Some(i) = target {
                let kind = if f.kind == "NUMBER" { "TEST_VALUE" } else { f.kind };
                entities[i].attrs.push((kind, si, f.first, f.last));
            }
        }
        // Body sites of conditions ("pain in my left knee", "my knee hurts").
        for ci in concept_start..entities.len() {
            if entities[ci].category != "MEDICAL_CONDITION" {
                continue;
            }
            let (a, b) = (entities[ci].first, entities[ci].last);
            let site = (concept_start..entities.len())
                .filter(|&j| entities[j].category == "ANATOMY" && sent[entities[j].first] == sent[a])
                .filter(|&j| {
                    let e = &entities[j];
                    (e.last < a && a - e.last <= SITE_REACH) || (e.first > b && e.first - b <= SITE_REACH)
                })
                .min_by_key(|&j| if entities[j].last < a { a - entities[j].last } else { entities[j].first - b });
            if let Some(j) = site {
                let (f, l) = (entities[j].first, entities[j].last);
                entities[ci].attrs.push(("SYSTEM_ORGAN_SITE", si, f, l));
            }
        }

        concept_ranges.push(concept_start..entities.len());
        if let Some(i) = (first_entity..entities.len()).rev().find(|&i| entities[i].category == "MEDICATION") {
            last_med = Some((si, i));
        }
    }

    answer_questions(lex, file, &toks, &roles, &concept_ranges, &mut entities);

    let span = |seg: usize, first: usize, last: usize| {
        let s = &segs[seg];
        let (b, e) = (toks[seg][first].start, toks[seg][last].end);
        Span { segment_id: s.segment_id.clone(), begin_character_offset: b, end_character_offset: e, content: s.content.chars().skip(b).take(e - b).collect() }
    };
    let mut attr_n = 0;
    let insights = entities
        .iter()
        .enumerate()
        .map(|(n, e)| ClinicalInsight {
            insight_id: format!("ins-{:05}", n + 1),
            insight_type: "ClinicalEntity".into(),
            category: e.category.clone(),
            kind: e.kind.clone(),
            spans: vec![span(e.seg, e.first, e.last)],
            attributes: e
                .attrs
                .iter()
                .map(|&(kind, seg, a, b)| {
                    attr_n += 1;
                    InsightAttribute { attribute_id: format!("att-{attr_n:05}"), kind: kind.into(), spans: vec![span(seg, a, b)] }
                })
                .collect(),
            traits: e.traits.iter().map(|t| Trait { name: (*t).into(), score: 0.9 }).collect(),
            codes: e.codes.clone(),
        })
        .collect();
    file.conversation.clinical_insights = insights;
    Ok(())
}

/// A question answered by the other party's next turn: "no" negates what was asked, "yes" affirms it.
/// Either side may ask ("is it broken?" "no, it's a sprain"), which also keeps the pairs when the
/// recogniser's or a transcriber's roles are swapped; two turns of one speaker are not a pair. Runs
/// after every segment's entities are found, so the answer's own entities (with their negation) are
/// read, not found again.
fn answer_questions(
    lex: &Lexicon,
    file: &TranscriptFile,
    toks: &[Vec<Token>],
    roles: &[Option<bool>],
    concepts: &[std::ops::Range<usize>],
    entities: &mut [Entity],
) {
    let segs = &file.conversation.transcript_segments;
    let key = |e: &Entity| toks[e.seg][e.first..=e.last].iter().map(|x| x.key.as_str()).collect::<Vec<_>>().join(" ");
    let sents: Vec<Vec<usize>> = segs.iter().zip(toks).map(|(seg, t)| context::sentences(&seg.content, t)).collect();
    echoed_answers(file, toks, &sents, concepts, entities);
    for si in 0..segs.len().saturating_sub(1) {
        if roles[si].is_none() || roles[si + 1].is_none() || roles[si] == roles[si + 1] || context::hedged(&toks[si + 1]) {
            continue;
        }
        let (t, text, sent) = (&toks[si], &segs[si].content, &sents[si]);
        let yes = context::answer(&toks[si + 1]);
        let from = context::answered_from(text, t, sent);
        // "any chest pain or belly pain?" "shortness of breath. no belly pain though": what the answer
        // names itself, it affirms or denies one by one.
        // What the answer itself asks about ("no blood. what do you mean, mucus?") answers nothing; only a
        // written question mark says so, as an unpunctuated answer's "did" or "is" asks nothing.
        let (answer_text, answer_toks, answer_sent) = (&segs[si + 1].content, &toks[si + 1], &sents[si + 1]);
        let named: Vec<(String, Option<usize>, bool)> = entities[concepts[si + 1].clone()]
            .iter()
            .filter(|e| !(answer_text.contains('?') && context::is_question(answer_text, answer_toks, answer_sent, e.first)))
            .map(|e| (key(e), e.item, e.traits.contains(&"NEGATION")))
            .collect();
        let mut asked_about: Vec<(usize, Option<bool>)> = Vec::new(); // entity, its answer by name
        for n in concepts[si].clone() {
            let e = &entities[n];
            // "what caused the chest pain?": a definite mention presupposes the thing, so "no" answers
            // something else about it. ("does this hurt?": there "this" is the subject, so it asks; "does
            // the pain extend anywhere?" keeps the pain presupposed.)
            let subject = e.first > 1
                && matches!(t[e.first - 1].lower.as_str(), "this" | "that")
                && matches!(t[e.first - 2].lower.as_str(), "does" | "did" | "is" | "was" | "will" | "would" | "can");
            // "could that be why my stomach is hurting?": a why-question presupposes what it explains.
            let why = (0..e.first).any(|k| t[k].lower == "why" && sent[k] == sent[e.first]);
            let definite = (e.first > 0 && DEFINITE.contains(&t[e.first - 1].lower.as_str()) && !subject) || why;
            // "have you taken anything for pain?": "no" denies the remedy, not the pain; "any allergies to
            // antibiotics?": it denies the allergy, not the antibiotics.
            let purpose = e.first > 0 && t[e.first - 1].lower == "for";
            let allergen = t[e.first.saturating_sub(4)..e.first].iter().any(|w| w.lower.starts_with("allerg"));
            // "has anyone spoken to you about the risks of aspirin?", "are you worried about cancer?": "no"
            // answers the talk or the worry, not whether the thing is there.
            // ("how about X?" and "what about X?" still ask about X.)
            let topic = (e.first.saturating_sub(4)..e.first).any(|k| t[k].lower == "about" && !(k > 0 && matches!(t[k - 1].lower.as_str(), "how" | "what")));
            // "any issue with sedation?" "no": the issue is denied, not the sedation.
            let trouble = e.first > 1
                && t[e.first - 1].lower == "with"
                && matches!(t[e.first - 2].key.as_str(), "issue" | "problem" | "trouble" | "reaction" | "complication");
            let asked = sent[e.first] >= from && !definite && !purpose && !allergen && !trouble && !topic && context::is_question(text, t, sent, e.first);
            // "do you have a pacemaker?" "no": a treatment or procedure denied was never had.
            // "have you ever had a colonoscopy?" "no": a test is denied only when asked whether it was done.
            let asked_done = t[e.first.saturating_sub(4)..e.first].iter().any(|w| matches!(w.lower.as_str(), "had" | "done" | "gotten" | "got" | "get"));
            let treatment = e.category == "TEST_TREATMENT_PROCEDURE" && (e.kind != "TEST_NAME" || asked_done);
            if !asked || !(treatment || matches!(e.category.as_str(), "MEDICAL_CONDITION" | "BEHAVIORAL_ENVIRONMENTAL_SOCIAL" | "MEDICATION")) {
                continue;
            }
            // Named in the answer: the same words, or the same coded concept ("vomiting" / "thrown up").
            let k = key(e);
            let same = |(nk, item, _): &&(String, Option<usize>, bool)| {
                *nk == k || (item.is_some() && *item == e.item && item.is_some_and(|i| !lex.concept(i).codes.is_empty()))
            };
            asked_about.push((n, named.iter().find(same).map(|(_, _, negated)| !negated)));
        }
        // "nausea, vomiting, fever?" "I haven't thrown up": an answer that names one of the things asked
        // answers that one, and leaves the others unanswered.
        let by_name = asked_about.iter().any(|(_, a)| a.is_some());
        let said_yes = yes == Some(true);
        let bare_no = context::opens_on_bare_no(&segs[si + 1].content, &toks[si + 1]);
        for (n, by) in asked_about {
            // Named items take their own answer; with an answer that opens on "no" ("no. yeah, i vomited at
            // the start"), the ones it does not name take the "no".
            let Some(yes) = (if by_name { by.or(Some(false).filter(|_| bare_no)) } else { yes }) else { continue };
            let e = &mut entities[n];
            e.traits.retain(|x| !matches!(*x, "HYPOTHETICAL" | "LOW_CONFIDENCE"));
            if !yes && !e.traits.contains(&"NEGATION") {
                e.traits.push("NEGATION");
            }
            // "...you can't sleep or you're having shortness of breath?" "Yeah, I just can't catch my
            // breath": affirmed, and by name, whatever the question's own wording denied.
            if yes && by_name && said_yes {
                e.traits.retain(|x| *x != "NEGATION");
            }
        }
    }
}

/// "Any discharge from the ear? No, OK.": a condition asked about and denied aloud by the clinician in the
/// same turn, for the record, is negated.
fn echoed_answers(file: &TranscriptFile, toks: &[Vec<Token>], sents: &[Vec<usize>], concepts: &[std::ops::Range<usize>], entities: &mut [Entity]) {
    for (si, seg) in file.conversation.transcript_segments.iter().enumerate() {
        let sent = &sents[si];
        let echoed = context::echoed_no(&seg.content, &toks[si], sent);
        for e in entities[concepts[si].clone()].iter_mut() {
            if e.category == "MEDICAL_CONDITION" && echoed.contains(&sent[e.first]) && !e.traits.contains(&"NEGATION") {
                e.traits.push("NEGATION");
            }
        }
    }
}

/// "Hand" that names no hand ("the left-hand side", "on the other hand", "at hand"), "cold" that
/// describes a drink or the weather ("really cold water feels good"), not the illness, "by mouth" (a
/// route, not the mouth), "a sweet tooth", "ice cream", "fit and well", and the like: each arm below
/// names its own idioms.
fn is_figure_of_speech(t: &[Token], m: &Mention, category: &str) -> bool {
    let w = |k: usize| t.get(k).map_or("", |x| x.lower.as_str());
    let before = if m.first > 0 { w(m.first - 1) } else { "" };
    let after = w(m.first + 1);
    // "the back of my head": a region of the part named next, not the back. "Bowel movements" and "bowel
    // habits" are what the bowel does; "eye doctor", "gi specialist" name a clinician.
    if w(m.last) == "back" && w(m.last + 1) == "of" {
        return true;
    }
    // "sick of it", "being sick of", "sick leave", "sick and tired".
    if w(m.last) == "sick" && (matches!(w(m.last + 1), "of" | "leave" | "day" | "days" | "note" | "pay") || (w(m.last + 1) == "and" && w(m.last + 2) == "tired")) {
        return true;
    }
    if matches!(w(m.last), "bowel" | "bowels") && matches!(w(m.last + 1), "movement" | "movements" | "habits" | "habit") {
        return true;
    }
    if matches!(w(m.last + 1), "doctor" | "doctors" | "specialist" | "specialists" | "clinic" | "department" | "surgeon" | "team") && category == "ANATOMY" {
        return true;
    }
    m.first == m.last
        && match w(m.first) {
            "hand" => (matches!(before, "left" | "right") && after == "side") || matches!(before, "other" | "at"),
            "cold" => {
                matches!(before, "really" | "very" | "so" | "too" | "ice")
                    || matches!(after, "water" | "drink" | "drinks" | "weather" | "air" | "compress" | "compresses" | "pack" | "packs" | "shower" | "outside" | "turkey")
            }
            "mouth" => before == "by",
            "tooth" => before == "sweet",
            "sinus" => matches!(after, "rhythm" | "tachycardia" | "bradycardia"),
            "ice" => matches!(after, "cream" | "creams" | "cube" | "cubes" | "skating" | "hockey" | "rink" | "tea" | "water"),
            // "fit and well", "keep fit" (British): health, not a seizure; "which name fits", "fit you in": the verb.
            "fit" => {
                after == "and"
                    || matches!(before, "keep" | "very" | "quite" | "pretty" | "generally" | "otherwise" | "physically" | "to" | "can" | "could" | "will" | "would" | "dont" | "doesnt")
                    || matches!(after, "in" | "into" | "you" | "him" | "her" | "them" | "with")
            }
            // "I'll pop in", "pop it on", "pop music": the verb or the music, not the sound of an injury.
            "pop" => {
                matches!(after, "in" | "up" | "over" | "by" | "out" | "round" | "into" | "it" | "them" | "the" | "a" | "on" | "back" | "down" | "off" | "music" | "star")
                    || matches!(before, "soda" | "ill" | "will" | "just" | "can" | "could" | "to" | "lets" | "k")
            }
            // "Drink plenty of fluids", "drinking more water": advice to hydrate, not alcohol.
            "drink" | "drinking" => matches!(after, "plenty" | "lots" | "water" | "fluids" | "fluid" | "more" | "enough"),
            // A hospital's "discharge" and its papers, not a symptom.
            "discharge" => before == "hospital" || matches!(after, "summary" | "papers" | "paperwork" | "instructions" | "letter" | "planning"),
            // "it boils down to".
            "boils" | "boil" => after == "down",
            // "keep an eye on it", "a close eye", "a bull's-eye rash"; a "face-to-face" appointment.
            "eye" => matches!(before, "an" | "close" | "bulls" | "bull" | "watchful"),
            "face" => (after == "to" && w(m.first + 2) == "face") || (before == "to" && m.first >= 2 && w(m.first - 2) == "face"),
            // "extra strength tylenol": the product's strength, not the strength examined.
            "strength" => matches!(before, "extra" | "regular" | "maximum" | "max" | "full" | "half" | "double" | "prescription"),
            "fits" => {
                matches!(before, "it" | "that" | "this" | "which" | "name" | "size" | "everything" | "one")
                    || matches!(after, "in" | "into" | "with" | "well" | "the" | "your" | "my" | "his" | "her")
            }
            _ => false,
        }
}

/// Words before "temperature" that make it the measurement, not a fever: "your temperature is ninety
/// eight . two", "she checked my temperature". "I've had a temperature" and "a high temperature" (British
/// for a fever) keep the lexicon's reading.
const MEASURED: &[&str] = &["your", "my", "his", "her", "their", "the", "body", "normal", "check", "checked", "take", "took", "taking"];

/// A lone "temperature" or "sugar" said as the measurement rather than the symptom or the disease ("your
/// temperature", "my sugar was high", and "sugars" in the plural: "have your sugars been running okay";
/// "I have sugar" keeps the diabetes) is a test; "fluids" in the plural ("drink plenty of fluids") a
/// treatment, where "fluid" is what collects.
fn as_test_or_treatment(t: &[Token], m: &Mention) -> Option<&'static str> {
    let after_measure = m.first > 0 && MEASURED.contains(&t[m.first - 1].lower.as_str());
    if m.first != m.last {
        return None;
    }
    match t[m.first].lower.as_str() {
        "temperature" if after_measure || matches!(t.get(m.first + 1).map(|x| x.lower.as_str()), Some("reading" | "readings" | "check")) => Some("TEST_NAME"),
        "sugar" if after_measure => Some("TEST_NAME"),
        "sugars" => Some("TEST_NAME"),
        "fluids" => Some("TREATMENT_NAME"),
        _ => None,
    }
}

impl Entity {
    fn new(seg: usize, first: usize, last: usize, category: &str, kind: &str) -> Self {
        Self { seg, first, last, category: category.into(), kind: kind.into(), traits: Vec::new(), item: None, codes: Vec::new(), attrs: Vec::new() }
    }
}

/// Replaces every PHI span with `[TYPE]` (e.g. `[NAME]`) in segment text, insight and attribute spans
/// (offsets are recomputed), and the transcript items of those words.
pub fn redact(file: &mut TranscriptFile) {
    let conv = &mut file.conversation;
    for seg in conv.transcript_segments.iter_mut() {
        let mut cuts: Vec<(usize, usize, String)> = conv
            .clinical_insights
            .iter()
            .filter(|i| i.category == "PROTECTED_HEALTH_INFORMATION")
            .flat_map(|i| i.spans.iter().map(move |s| (s, &i.kind)))
            .filter(|(s, _)| s.segment_id == seg.segment_id)
            .map(|(s, k)| (s.begin_character_offset, s.end_character_offset, format!("[{k}]")))
            .collect();
        if cuts.is_empty() {
            continue;
        }
        cuts.sort();
        cuts.dedup_by(|b, a| b.0 < a.1); // drop overlaps, keep the first
        let old: Vec<char> = seg.content.chars().collect();
        let mut words: HashSet<String> = HashSet::new();
        let mut new = String::new();
        let mut pos = 0;
        for (b, e, label) in &cuts {
            let (b, e) = ((*b).min(old.len()), (*e).min(old.len()));
            new.extend(&old[pos..b.max(pos)]);
            new.push_str(label);
            for t in tokens(&old[b..e].iter().collect::<String>()) {
                words.insert(t.lower);
            }
            pos = e.max(pos);
        }
        new.extend(&old[pos.min(old.len())..]);
        // Old offset → new offset: shift by the length change of every cut before it.
        let map = |x: usize, end: bool| -> usize {
            let mut shift = 0isize;
            for (b, e, label) in &cuts {
                let len = label.chars().count() as isize;
                if *e <= x {
                    shift += len - (*e - *b) as isize;
                } else if *b < x {
                    // Inside a redacted span: snap to the placeholder's bounds.
                    let nb = (*b as isize + shift) as usize;
                    return if end { nb + len as usize } else { nb };
                }
            }
            (x as isize + shift) as usize
        };
        let new_chars: Vec<char> = new.chars().collect();
        let fix = |s: &mut Span| {
            if s.segment_id != seg.segment_id {
                return;
            }
            let (b, e) = (map(s.begin_character_offset, false), map(s.end_character_offset, true));
            let (b, e) = (b.min(new_chars.len()), e.min(new_chars.len()).max(b.min(new_chars.len())));
            s.begin_character_offset = b;
            s.end_character_offset = e;
            s.content = new_chars[b..e].iter().collect();
        };
        for ins in conv.clinical_insights.iter_mut() {
            ins.spans.iter_mut().for_each(fix);
            for a in ins.attributes.iter_mut() {
                a.spans.iter_mut().for_each(fix);
            }
        }
        for item in conv.transcript_items.iter_mut().filter(|i| i.segment_id.as_deref() == Some(seg.segment_id.as_str())) {
            for alt in item.alternatives.iter_mut() {
                let w: String = tokens(&alt.content).iter().map(|t| t.lower.clone()).collect::<Vec<_>>().join(" ");
                if !w.is_empty() && words.contains(&w) {
                    alt.content = "[PHI]".into();
                }
            }
        }
        seg.content = new;
    }
}

#[cfg(test)]
mod tests;
