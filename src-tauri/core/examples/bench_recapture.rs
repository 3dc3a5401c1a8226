//! Runs the synthetic recapture corpus and reports as ISO/IEC 30107-3
//! does: APCER per attack type (the worst type counting), BPCER, and the
//! time per assessment. An attack counts as accepted when it would make a
//! draft: no cue fired and the checks found a single face. Attacks stopped
//! only because no single face was found are counted in a column of their
//! own.
//!
//! Run with `cargo run -p tucai-core --example bench_recapture [BONA_FIDE
//! ATTACKS SEED] [--verbose]`, where BONA_FIDE and ATTACKS are the samples
//! per photo (default 10 and 4); the figures go on docs/recapture.md.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use tucai_core::checks::{DEFAULT_PROFILE, Profile};
use tucai_core::recapture::corpus::{self, Corpus, CorpusSize, Presentation};
use tucai_core::vision::Models;

/// Counts for one presentation type.
#[derive(Default, Clone, Copy)]
struct Tally {
    samples: usize,
    /// Samples the recapture cues flagged.
    flagged: usize,
    /// Samples the cues did not flag and in which the checks found no single
    /// face, so the capture fails and makes no draft.
    no_face: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "--verbose");
    let numbers: Vec<u64> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let size = CorpusSize {
        bona_fide: numbers.first().map_or(10, |&n| n as usize),
        attacks: numbers.get(1).map_or(4, |&n| n as usize),
    };
    let seed = numbers.get(2).copied().unwrap_or(2026);

    let models = Models::load_bundled()?;
    let profile = Profile::named(DEFAULT_PROFILE)?;
    let corpus = Corpus::load(&models)?;
    let specs = corpus.specs(seed, size);
    println!(
        "{} samples ({} bona fide and {} attacks of each type per photo, {} photos), seed {seed}",
        specs.len(),
        size.bona_fide,
        size.attacks,
        corpus::PHOTOS.len()
    );

    // Per presentation: samples, those the recapture cues flag, and those
    // in which the checks find no single face, which fail the capture
    // whatever the cues report.
    let mut tally: BTreeMap<Presentation, Tally> = BTreeMap::new();
    let mut assess_times: Vec<Duration> = Vec::new();
    let (mut render_time, mut model_time) = (Duration::ZERO, Duration::ZERO);
    for spec in &specs {
        let started = Instant::now();
        let sample = corpus.render(spec);
        render_time += started.elapsed();

        let started = Instant::now();
        let evaluation = corpus::evaluate(&sample, &models, &profile)?;
        model_time += started.elapsed() - evaluation.assess_time;
        assess_times.push(evaluation.assess_time);

        let suspected = evaluation.assessment.suspected;
        let no_face = evaluation.analysis.face().is_none();
        let entry = tally.entry(sample.presentation).or_default();
        entry.samples += 1;
        entry.flagged += usize::from(suspected);
        entry.no_face += usize::from(no_face && !suspected);
        let attack = sample.presentation != Presentation::BonaFide;
        // An attack gets through when it makes a draft: no cue fired and a
        // single face was found.
        let wrong = if attack {
            !suspected && !no_face
        } else {
            suspected || no_face
        };
        if verbose || wrong {
            let mark = if wrong { "WRONG" } else { "ok" };
            println!(
                "{mark:<5} {} -> suspected {suspected}, no single face {no_face}",
                sample.name
            );
            for cue in &evaluation.assessment.cues {
                let fired = if cue.fired { "*" } else { " " };
                println!("        {fired} {}", cue.describe());
            }
        }
    }

    println!();
    println!("| presentation | samples | flagged by the cues | no single face | error rate |");
    println!("|---|---|---|---|---|");
    let mut worst = (0.0f64, "none");
    for (presentation, counts) in &tally {
        let Tally {
            samples,
            flagged,
            no_face,
        } = *counts;
        let (label, errors) = if *presentation == Presentation::BonaFide {
            ("BPCER", flagged + no_face)
        } else {
            ("APCER", samples - flagged - no_face)
        };
        let rate = 100.0 * errors as f64 / samples as f64;
        if *presentation != Presentation::BonaFide && rate >= worst.0 {
            worst = (rate, presentation.name());
        }
        println!(
            "| {} | {samples} | {flagged} | {no_face} | {label} {rate:.1} % ({errors} of {samples}) |",
            presentation.name()
        );
    }
    println!("worst-case APCER: {:.1} % ({})", worst.0, worst.1);

    assess_times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let n = assess_times.len();
    println!(
        "recapture assessment (cues only, models excluded): median {:.1} ms, p95 {:.1} ms over {n}",
        ms(assess_times[n / 2]),
        ms(assess_times[(n * 95 / 100).min(n - 1)])
    );
    println!(
        "per sample: rendering {:.0} ms, face models on 6 frames {:.0} ms",
        ms(render_time) / n as f64,
        ms(model_time) / n as f64
    );
    Ok(())
}
