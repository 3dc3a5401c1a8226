//! Runs the whole labelled corpus through the full checks and asserts
//! every recorded expectation.

mod corpus;

use corpus::{EVERY_RULE, build};
use tucai_core::checks::{Profile, check_photo};
use tucai_core::vision::Models;

#[test]
fn corpus_meets_expectations() {
    let models = Models::load_bundled().expect("bundled models load");
    let variants = build(&models);
    assert!(variants.len() >= 40, "only {} variants", variants.len());
    let mut misses = Vec::new();
    for v in &variants {
        let profile = Profile::named(v.profile).unwrap();
        let (report, _) = check_photo(&v.image, &models, &profile).unwrap();
        for &(rule, expect) in &v.expect {
            let results: Vec<_> = if rule == EVERY_RULE {
                report.rules.iter().collect()
            } else {
                report.rule(rule).into_iter().collect()
            };
            assert!(!results.is_empty(), "{}: no rule {rule}", v.name);
            for r in results {
                if !expect.matches(r.status) {
                    misses.push(format!(
                        "{}: {} is {:?}, expected {expect:?} ({:?}: {})",
                        v.name, r.rule, r.status, r.measured, r.reason.en
                    ));
                }
            }
        }
    }
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}
