//! Word matching for "did you mean" hints: no knowledge of Kubernetes or of any stage, so
//! every module may use it.

/// The candidate closest to `word`, if it is near enough to be a typo of it (an edit or two,
/// more for long words), for "did you mean" hints. Ties go to the first candidate.
pub fn closest_name<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (word.chars().count() / 4).max(2);
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance, for "did you mean" hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("htp", "http"), 1);
        assert_eq!(edit_distance("admin", "http"), 5);
        assert_eq!(edit_distance("", "ab"), 2);
    }

    #[test]
    fn closest_name_takes_the_nearest_typo_and_never_the_word_itself() {
        assert_eq!(closest_name("web", ["wbe", "api", "web"]), Some("wbe"));
        assert_eq!(closest_name("web", ["database"]), None);
    }
}
