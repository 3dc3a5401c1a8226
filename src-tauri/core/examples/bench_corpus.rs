//! Runs the labelled corpus (made in code from the committed photos) and
//! prints, per rule, how many of the variants that expect something of it
//! it gets right, then the pass rate of each skin tone.
//!
//! Run with `cargo run -p tucai-core --example bench_corpus`; the table
//! goes on docs/checks.md.

#[path = "../tests/corpus/mod.rs"]
mod corpus;

use std::collections::BTreeMap;
use std::time::Instant;

use corpus::{EVERY_RULE, Expect};
use tucai_core::checks::{Profile, RuleStatus, check_photo};
use tucai_core::vision::Models;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let models = Models::load_bundled()?;
    let started = Instant::now();
    let variants = corpus::build(&models);
    println!(
        "{} variants built in {:.1} s",
        variants.len(),
        started.elapsed().as_secs_f64()
    );

    // rule -> [(right, total) where a fault is expected, (right, total)
    // where none is]; tone -> (passed, total)
    let mut by_rule: BTreeMap<String, [(u32, u32); 2]> = BTreeMap::new();
    let mut by_tone: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut misses = Vec::new();
    let started = Instant::now();
    for v in &variants {
        let profile = Profile::named(v.profile)?;
        let (report, _) = check_photo(&v.image, &models, &profile)?;
        for &(rule, expect) in &v.expect {
            for r in report
                .rules
                .iter()
                .filter(|r| rule == EVERY_RULE || r.rule == rule)
            {
                // A clean photo counts as passed only when the rule passes:
                // a warning there is a false alarm, even though it does not
                // reject the capture.
                let right = if expect == Expect::NotFail {
                    r.status == RuleStatus::Pass
                } else {
                    expect.matches(r.status)
                };
                let faulty = matches!(expect, Expect::Fail | Expect::Advisory);
                let entry = &mut by_rule.entry(r.rule.clone()).or_default()[usize::from(!faulty)];
                entry.0 += u32::from(right);
                entry.1 += 1;
                if !right {
                    misses.push(format!(
                        "{}: {} {:?} ({:?})",
                        v.name, r.rule, r.status, r.measured
                    ));
                }
            }
        }
        if let Some(tone) = v.tone {
            let entry = by_tone.entry(format!("x{tone}")).or_default();
            entry.0 += u32::from(report.passed);
            entry.1 += 1;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!("checked in {seconds:.1} s\n");

    println!("| rule | faults caught | clean photos passed |\n|---|---|---|");
    for (rule, [(caught, faults), (passed, clean)]) in &by_rule {
        let caught = if *faults == 0 {
            "no variant".to_owned()
        } else {
            format!("{caught} / {faults}")
        };
        println!("| {rule} | {caught} | {passed} / {clean} |");
    }
    println!("\n| skin linear-light factor | passed | variants |\n|---|---|---|");
    for (tone, (passed, total)) in &by_tone {
        println!("| {tone} | {passed} | {total} |");
    }
    if !misses.is_empty() {
        println!("\nmisses:");
        for miss in &misses {
            println!("- {miss}");
        }
    }
    Ok(())
}
