//! Typo suggestions ("did you mean …?"), shared by the lesson checks and the
//! marker parser. It sits at the bottom of the layers and imports nothing.

/// The candidate nearest to `word`, when it is close enough to be a typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The Levenshtein distance, in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("hexx", "hex64"), 2);
        assert_eq!(edit_distance("", "int"), 3);
        assert_eq!(edit_distance("clock", "clock"), 0);
    }

    #[test]
    fn closest_only_when_close() {
        assert_eq!(
            closest("outptu", &["title", "run", "output"]),
            Some("output")
        );
        assert_eq!(closest("zzzzzz", &["title", "run"]), None);
    }
}
