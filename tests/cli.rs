//! The native command line: writes transcript.json on success, and nothing at all on failure.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bedside(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_bedside")).current_dir(root()).args(args).output().unwrap()
}

#[test]
fn process_writes_a_healthscribe_transcript() {
    let out = tempdir("ok");
    let r = bedside(&["process", "tests/fixtures/visit_b/audio.wav", "--out", out.to_str().unwrap(), "--llm", "none"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    check_summary(&out);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("transcript.json")).unwrap()).unwrap();
    let segs = v["Conversation"]["TranscriptSegments"].as_array().unwrap();
    assert!(!segs.is_empty());
    assert!(segs[0]["SegmentId"].is_string() && segs[0]["ParticipantDetails"]["ParticipantRole"].is_string());
    assert!(v["Conversation"]["TranscriptItems"].as_array().unwrap().len() > segs.len());
}

#[test]
fn failures_leave_no_output_behind() {
    let out = tempdir("bad");
    let not_audio = out.join("notes.wav");
    std::fs::write(&not_audio, b"definitely not a wav file").unwrap();
    let r = bedside(&["process", not_audio.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("AUDIO_INVALID"), "{err}");
    assert!(!out.join("transcript.json").exists());

    let r = bedside(&["process", "tests/fixtures/visit_b/audio.wav", "--out", out.to_str().unwrap(), "--asr", "large-v9"]);
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("unknown speech model"));
    assert!(!out.join("transcript.json").exists());

    // Run from another folder, the default `models` is not there: the error says what to pass.
    let dialogue = out.join("visit.txt");
    std::fs::write(&dialogue, "[doctor] any chest pain?\n[patient] no.").unwrap();
    let r = Command::new(env!("CARGO_BIN_EXE_bedside"))
        .current_dir(&out)
        .args(["note", "visit.txt", "--out", "result", "--no-note"])
        .output()
        .unwrap();
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("pass --models"), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(!out.join("result").join("transcript.json").exists());
}

#[test]
fn word_list_files_filter_the_transcript_and_bad_ones_leave_no_output() {
    let out = tempdir("words");
    let filter = out.join("filter.txt");
    std::fs::write(&filter, "# words this clinic masks\ndiarrhea\n").unwrap();
    let dir = out.join("masked");
    let r = bedside(&["process", "tests/fixtures/visit_a/audio.wav", "--out", dir.to_str().unwrap(), "--no-note", "--beam-size", "1", "--vocabulary-filter", filter.to_str().unwrap()]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("transcript.json")).unwrap()).unwrap();
    let text: String = v["Conversation"]["TranscriptSegments"].as_array().unwrap().iter().map(|s| s["Content"].as_str().unwrap()).collect::<Vec<_>>().join(" ");
    assert!(!text.to_lowercase().contains("diarrhea") && text.matches("***").count() >= 2, "masked: {} times", text.matches("***").count());
    let marked = v["Conversation"]["TranscriptItems"].as_array().unwrap().iter().filter(|i| i["VocabularyFilterMatch"] == true).count();
    assert_eq!(marked, text.matches("***").count());

    // A phrase in a filter, or a list too long for the recogniser's prompt: refused, nothing written.
    std::fs::write(&filter, "two words\n").unwrap();
    let long = out.join("long.txt");
    std::fs::write(&long, (0..200).map(|i| format!("Medication{i}\n")).collect::<String>()).unwrap();
    for args in [["--vocabulary-filter", filter.to_str().unwrap()], ["--vocabulary", long.to_str().unwrap()]] {
        let dir = out.join("refused");
        let r = bedside(&[&["process", "tests/fixtures/visit_a/audio.wav", "--out", dir.to_str().unwrap(), "--no-note"][..], &args[..]].concat());
        assert!(!r.status.success());
        assert!(String::from_utf8_lossy(&r.stderr).contains("SETTINGS_INVALID"), "{}", String::from_utf8_lossy(&r.stderr));
        assert!(!dir.join("transcript.json").exists());
    }
}

/// summary.json is HealthScribe's documentation file and every sentence links to transcript segments.
fn check_summary(out: &std::path::Path) -> serde_json::Value {
    let t: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("transcript.json")).unwrap()).unwrap();
    let ids: Vec<&str> = t["Conversation"]["TranscriptSegments"].as_array().unwrap().iter().map(|s| s["SegmentId"].as_str().unwrap()).collect();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let sections = v["ClinicalDocumentation"]["Sections"].as_array().unwrap();
    assert!(!sections.is_empty());
    for s in sections {
        for sentence in s["Summary"].as_array().unwrap() {
            let links = sentence["EvidenceLinks"].as_array().unwrap();
            assert!(!links.is_empty(), "{sentence}");
            assert!(links.iter().all(|l| ids.contains(&l["SegmentId"].as_str().unwrap())));
        }
    }
    assert!(std::fs::read_to_string(out.join("note.txt")).unwrap().contains('\n'));
    v
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bedside-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn note_reads_a_dialogue_into_sections_and_entities() {
    let out = tempdir("note");
    let dialogue = out.join("visit.txt");
    std::fs::write(
        &dialogue,
        "[doctor] hi , how are you doing today ?\n\
         [patient] i've had chest pain for two days and i take lisinopril 10 mg once a day .\n\
         [doctor] any shortness of breath ?\n\
         [patient] no shortness of breath .\n\
         [doctor] on exam , your lungs are clear to auscultation bilaterally .\n\
         [doctor] my impression is stable angina .\n\
         [doctor] so the plan is to start aspirin 81 mg daily , and i'll see you back in two weeks for follow up .\n",
    )
    .unwrap();
    let r = bedside(&["note", dialogue.to_str().unwrap(), "--out", out.to_str().unwrap(), "--llm", "none"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let summary = check_summary(&out);
    let names: Vec<&str> = summary["ClinicalDocumentation"]["Sections"].as_array().unwrap().iter().map(|s| s["SectionName"].as_str().unwrap()).collect();
    assert!(names.contains(&"PHYSICAL_EXAMINATION") && names.contains(&"PLAN"), "{names:?}");
    let r = bedside(&["note", dialogue.to_str().unwrap(), "--out", out.join("soap").to_str().unwrap(), "--llm", "none", "--template", "NO_SUCH"]);
    assert!(!r.status.success() && String::from_utf8_lossy(&r.stderr).contains("SETTINGS_INVALID"));
    assert!(!out.join("soap").exists(), "nothing written for a bad template");
    // Nobody says "he" or "she" of the patient: the note says "the patient" unless told otherwise.
    let note_text = |dir: &std::path::Path| std::fs::read_to_string(dir.join("note.txt")).unwrap();
    assert!(note_text(&out).contains("The patient ") && !note_text(&out).contains("She "), "{}", note_text(&out));
    let r = bedside(&["note", dialogue.to_str().unwrap(), "--out", out.join("she").to_str().unwrap(), "--llm", "none", "--patient-pronouns", "SHE_HER"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(note_text(&out.join("she")).contains("She ") && !note_text(&out.join("she")).contains("The patient "), "{}", note_text(&out.join("she")));
    let r = bedside(&["note", dialogue.to_str().unwrap(), "--out", out.join("bad-pronouns").to_str().unwrap(), "--llm", "none", "--patient-pronouns", "she/her"]);
    assert!(!r.status.success() && String::from_utf8_lossy(&r.stderr).contains("SETTINGS_INVALID"));
    assert!(!out.join("bad-pronouns").exists(), "nothing written for unknown pronouns");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("transcript.json")).unwrap()).unwrap();
    let segs = v["Conversation"]["TranscriptSegments"].as_array().unwrap();
    assert_eq!(segs.len(), 7, "one segment per dialogue line");
    assert_eq!(segs[1]["ParticipantDetails"]["ParticipantRole"], "PATIENT_0");
    assert_eq!(segs[1]["SectionDetails"]["SectionName"], "SUBJECTIVE");
    assert_eq!(segs[6]["SectionDetails"]["SectionName"], "ASSESSMENT_AND_PLAN");
    let insights = v["Conversation"]["ClinicalInsights"].as_array().unwrap();
    let find = |text: &str| insights.iter().find(|i| i["Spans"][0]["Content"].as_str().is_some_and(|c| c.contains(text)));
    assert_eq!(find("lisinopril").unwrap()["Category"], "MEDICATION");
    let sob = find("shortness of breath").expect("condition found");
    assert_eq!(sob["Category"], "MEDICAL_CONDITION");

    let r = bedside(&["note", "tests/fixtures/visit_a/audio.wav", "--out", out.join("bad").to_str().unwrap()]);
    assert!(!r.status.success());
    assert!(!out.join("bad/transcript.json").exists());
}

/// The recogniser cuts sentences across segments ("…for the past" | "four days…"); sections and the
/// note read such a run whole (`bedside::utterance`).
#[test]
fn a_sentence_cut_across_segments_is_classified_and_written_whole() {
    let out = tempdir("cut");
    let r = bedside(&["process", "www/sample/visit.flac", "--out", out.to_str().unwrap(), "--llm", "none"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let summary = check_summary(&out);
    let t: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("transcript.json")).unwrap()).unwrap();
    let segs = t["Conversation"]["TranscriptSegments"].as_array().unwrap();
    let field = |i: usize, path: [&str; 2]| segs[i][path[0]][path[1]].as_str().unwrap().to_string();
    let cut: Vec<usize> = (0..segs.len().saturating_sub(1))
        .filter(|&i| {
            let text = segs[i]["Content"].as_str().unwrap().trim_end();
            !text.ends_with(['.', '?', '!']) && field(i, ["ParticipantDetails", "ParticipantRole"]) == field(i + 1, ["ParticipantDetails", "ParticipantRole"])
        })
        .collect();
    assert!(!cut.is_empty(), "the sample's recognised segments include a sentence cut across two");
    for &i in &cut {
        assert_eq!(field(i, ["SectionDetails", "SectionName"]), field(i + 1, ["SectionDetails", "SectionName"]), "segments {i} and {}", i + 1);
    }
    let mut whole = 0;
    for s in summary["ClinicalDocumentation"]["Sections"].as_array().unwrap() {
        for sentence in s["Summary"].as_array().unwrap() {
            let text = sentence["SummarizedSegment"].as_str().unwrap().to_lowercase();
            let last = text.trim_end_matches(['.', '?', '!']).split_whitespace().last().unwrap_or("").to_string();
            assert!(!["the", "a", "of", "for", "to", "with", "and"].contains(&last.as_str()), "a note sentence ends mid-phrase: {text:?}");
            let linked: Vec<&str> = sentence["EvidenceLinks"].as_array().unwrap().iter().map(|l| l["SegmentId"].as_str().unwrap()).collect();
            if cut.iter().any(|&i| linked.contains(&segs[i]["SegmentId"].as_str().unwrap()) && linked.contains(&segs[i + 1]["SegmentId"].as_str().unwrap())) {
                whole += 1;
            }
        }
    }
    assert!(whole > 0, "a note sentence is written from both halves of a cut sentence");
}

/// On the sample call the clinician opens with a connection check and then asks for the story without
/// a question mark; the embeddings alone read these as examination and plan.
#[test]
fn the_sample_calls_opening_and_history_requests_get_their_sections() {
    let out = tempdir("opening");
    let r = bedside(&["process", "www/sample/visit.flac", "--out", out.to_str().unwrap(), "--llm", "none", "--no-note"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let t: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("transcript.json")).unwrap()).unwrap();
    let segs = t["Conversation"]["TranscriptSegments"].as_array().unwrap();
    let section_of = |needle: &str| -> Vec<String> {
        segs.iter()
            .filter(|s| s["Content"].as_str().unwrap().to_lowercase().contains(needle))
            .map(|s| s["SectionDetails"]["SectionName"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(section_of("hear me"), ["OTHER"]);
    let opening = segs.iter().position(|s| s["Content"].as_str().unwrap().to_lowercase().contains("hear me")).unwrap();
    let reply = &segs[opening + 1];
    assert!(reply["Content"].as_str().unwrap().split_whitespace().count() <= 2, "the sample's reply to it is a bare 'Yeah.': {reply}");
    assert_eq!(reply["SectionDetails"]["SectionName"], "OTHER", "the reply to the connection check: {reply}");
    let request = section_of("more about that");
    assert!(!request.is_empty(), "the sample has the clinician's request for the story");
    assert!(request.iter().all(|s| s == "SUBJECTIVE"), "{request:?}");
    let story = section_of("started");
    assert!(!story.is_empty() && story.iter().all(|s| s == "SUBJECTIVE"), "{story:?}");
    // The clinician's backchannel inside the story and the patient's "and kind of tired" after it carry
    // on the history (each was read as plan on its own).
    let find = |needle: &str| segs.iter().position(|s| s["Content"].as_str().unwrap().to_lowercase().contains(needle)).unwrap();
    let between: Vec<(&str, &str)> = segs[find("under the weather")..=find("more about that")]
        .iter()
        .map(|s| (s["Content"].as_str().unwrap(), s["SectionDetails"]["SectionName"].as_str().unwrap()))
        .collect();
    assert!(between.len() >= 6 && between.iter().all(|(_, s)| *s == "SUBJECTIVE"), "{between:?}");
}
