//! Runs the synthetic recapture corpus and reports as ISO/IEC 30107-3
//! does: APCER per attack type (the worst type counting), BPCER, and the
//! time per assessment.
//!
//! Run with `cargo run -p tucai-core --example bench_recapture [BONA_FIDE
//! ATTACKS SEED] [--verbose]`, where BONA_FIDE and ATTACKS are the samples
//! per photo (default 10 and 4); the figures go on docs/recapture.md.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use tucai_core::checks::{DEFAULT_PROFILE, Profile};
use tucai_core::recapture::corpus::{self, Corpus, CorpusSize, Presentation};
use tucai_core::vision::Models;

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

    // Per presentation: (samples, classified as attacks).
    let mut tally: BTreeMap<Presentation, (usize, usize)> = BTreeMap::new();
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
        let entry = tally.entry(sample.presentation).or_default();
        entry.0 += 1;
        entry.1 += usize::from(suspected);
        let wrong = suspected != (sample.presentation != Presentation::BonaFide);
        if verbose || wrong {
            let mark = if wrong { "WRONG" } else { "ok" };
            println!("{mark:<5} {} -> suspected {suspected}", sample.name);
            for cue in &evaluation.assessment.cues {
                let fired = if cue.fired { "*" } else { " " };
                println!("        {fired} {}", cue.describe());
            }
        }
    }

    println!();
    println!("| presentation | samples | classified as attack | error rate |");
    println!("|---|---|---|---|");
    let mut worst = (0.0f64, "none");
    for (presentation, (samples, attacks)) in &tally {
        let (rate, label) = if *presentation == Presentation::BonaFide {
            (*samples - *attacks, "BPCER")
        } else {
            (*samples - *attacks, "APCER")
        };
        let (errors, rate) = if *presentation == Presentation::BonaFide {
            (*attacks, 100.0 * *attacks as f64 / *samples as f64)
        } else {
            (rate, 100.0 * rate as f64 / *samples as f64)
        };
        if *presentation != Presentation::BonaFide && rate >= worst.0 {
            worst = (rate, presentation.name());
        }
        println!(
            "| {} | {samples} | {attacks} | {label} {rate:.1} % ({errors} of {samples}) |",
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
