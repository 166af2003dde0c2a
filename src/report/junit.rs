//! The JUnit XML report: one testsuite per lesson, one testcase per step;
//! failures carry the diff, skips their reason. CI systems read it as tests.

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::color::Palette;
use crate::engine::Engine;
use crate::outcome::{RunOutcome, Status};
use crate::settings::Verbosity;

use super::human::Human;
use super::Reporter;

pub struct Junit;

/// What was checked, as `<property>`s, so a CI reporter can tell engines apart.
fn environment_properties(engine: &Engine) -> Vec<Property> {
    let mut props = vec![
        Property::new("docker.client", engine.client.as_str()),
        Property::new("docker.server", engine.server.as_str()),
        Property::new("docker.builder", engine.builder.name()),
    ];
    if let Some(store) = engine.store {
        props.push(Property::new("docker.store", store.name()));
    }
    if let Some(runc) = &engine.runc {
        props.push(Property::new("docker.runc", runc.as_str()));
    }
    if let Some(buildx) = &engine.buildx {
        props.push(Property::new("docker.buildx", buildx.as_str()));
    }
    props
}

impl Reporter for Junit {
    fn render(&self, outcome: &RunOutcome) -> String {
        let plain = Human {
            palette: Palette { enabled: false },
            verbosity: Verbosity::Normal,
        };
        let mut report = Report::new("knowing-scratch");
        for lesson in &outcome.lessons {
            let mut suite = TestSuite::new(lesson.id.as_str());
            if let Some(engine) = &outcome.environment {
                suite.add_properties(environment_properties(engine));
            }
            for step in &lesson.steps {
                let status = match step.status {
                    Status::Passed => TestCaseStatus::success(),
                    Status::Failed => {
                        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                        let why: Vec<String> = step.failures.iter().map(|f| f.describe()).collect();
                        s.set_message(why.join("; "));
                        s.set_type("drift");
                        let mut body = format!("$ {}\n", step.command.trim_end());
                        if step.variant != "default" {
                            body.push_str(&format!("variant: {}\n", step.variant));
                        }
                        body.push_str(&plain.diff(&step.diff, ""));
                        s.set_description(body);
                        s
                    }
                    Status::Skipped | Status::NotRun => {
                        let mut s = TestCaseStatus::skipped();
                        s.set_message(step.skip_reason.clone().unwrap_or_default());
                        s
                    }
                };
                let mut case =
                    TestCase::new(format!("{:02} {}", step.index + 1, step.title), status);
                case.set_classname(format!("knowing-scratch.{}", lesson.id));
                case.set_time(std::time::Duration::from_millis(step.duration_ms));
                suite.add_test_case(case);
            }
            report.add_test_suite(suite);
        }
        report.to_string().expect("JUnit reports always serialize")
    }
}
