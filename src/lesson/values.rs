//! Parsers for the values a lesson file writes as text: durations
//! (`timeout`, `stop.after`) and size tolerances (`sizes`). Each error says
//! what was written and how to write it.

use std::time::Duration;

use crate::matcher::SizeBand;

/// `90s`, `2m`, `1m30s`, `500ms`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let bad = || format!("`{t}` is not a duration: write it like `90s`, `2m` or `500ms`");
    if t.is_empty() {
        return Err(bad());
    }
    let mut total = Duration::ZERO;
    if let Ok(secs) = t.parse::<f64>() {
        if !secs.is_finite() || secs < 0.0 {
            return Err(bad());
        }
        total = Duration::from_secs_f64(secs);
    } else {
        let mut rest = t;
        while !rest.is_empty() {
            let n_end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .ok_or_else(bad)?;
            if n_end == 0 {
                return Err(bad());
            }
            let n: f64 = rest[..n_end].parse().map_err(|_| bad())?;
            rest = &rest[n_end..];
            let u_end = rest
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(rest.len());
            let unit = match &rest[..u_end] {
                "ms" => 0.001,
                "s" => 1.0,
                "m" => 60.0,
                "h" => 3600.0,
                _ => return Err(bad()),
            };
            rest = &rest[u_end..];
            total += Duration::from_secs_f64(n * unit);
        }
    }
    if total.is_zero() {
        return Err(format!("`{t}` is zero: a duration must be more than zero"));
    }
    Ok(total)
}

/// `50%`, `exact` or `any`.
pub fn parse_sizes(text: &str) -> Result<SizeBand, String> {
    match text.trim() {
        "exact" => Ok(SizeBand::Exact),
        "any" => Ok(SizeBand::Any),
        t => t
            .strip_suffix('%')
            .and_then(|n| n.trim().parse::<f64>().ok())
            .filter(|n| n.is_finite() && *n >= 0.0)
            .map(|n| SizeBand::Ratio(n / 100.0))
            .ok_or_else(|| format!("`{t}` is not a size tolerance: use a percentage such as `50%`, `exact` or `any`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(
            parse_duration("0s").unwrap_err(),
            "`0s` is zero: a duration must be more than zero"
        );
        assert_eq!(
            parse_duration("soon").unwrap_err(),
            "`soon` is not a duration: write it like `90s`, `2m` or `500ms`"
        );
        assert!(parse_duration("5 parsecs").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_sizes("50%"), Ok(SizeBand::Ratio(0.5)));
        assert_eq!(parse_sizes("exact"), Ok(SizeBand::Exact));
        assert!(parse_sizes("big").is_err());
    }
}
