//! Minutes that two people write at once. A writer's save names the revision of the stored text it was
//! based on; a save based on an older revision that would drop someone else's text is not written but
//! answered with both texts, and the writer can put their text under the stored one.

use sha2::{Digest, Sha256};

/// The revision of a stored text: a short hash of it, sent along with the form.
pub fn revision(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The text of the minutes as it is stored: line ends as "\n", no trailing white space.
pub fn normalized(text: &str) -> String {
    text.replace("\r\n", "\n").trim_end().to_string()
}

/// Whether `typed`, written on the revision `base`, may replace `stored` without losing anything: the
/// stored text is still the one the writer started from, or the typed text holds it whole at its start
/// (it is empty, or the writer's own earlier save of what they are still typing).
pub fn may_replace(stored: &str, base: &str, typed: &str) -> bool {
    revision(stored) == base || typed.starts_with(stored)
}

/// `mine` put under `stored`, both kept whole. The start both texts share (up to a space or line end)
/// is already in the stored text, so only what follows it goes under; a text that is already there
/// (a second click) is not added again.
pub fn merge_under(stored: &str, mine: &str) -> String {
    let (stored, mine) = (stored.trim_end(), mine.trim_end());
    if stored.contains(mine) {
        return stored.to_string();
    }
    if stored.is_empty() {
        return mine.to_string();
    }
    let rest = mine[shared_start(stored, mine)..].trim_start();
    if stored.ends_with(rest) {
        return stored.to_string();
    }
    format!("{stored}\n\n{rest}")
}

/// The length in bytes of the start `a` and `b` share, cut back to just after a white space character
/// (so no word is split).
fn shared_start(a: &str, b: &str) -> usize {
    let mut last_break = 0;
    for ((i, x), y) in b.char_indices().zip(a.chars()) {
        if x != y {
            break;
        }
        if x.is_whitespace() {
            last_break = i + x.len_utf8();
        }
    }
    last_break
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revision_names_one_text() {
        assert_eq!(revision("Sandra was er."), revision("Sandra was er."));
        assert_ne!(revision("Sandra was er."), revision("Sandra was er"));
        assert_eq!(revision("").len(), 24);
    }

    #[test]
    fn a_save_on_an_old_revision_may_not_drop_the_stored_text() {
        let started = "Sandra was er.";
        let stored = "Sandra was er. Afspraak: oma belt.";
        // Written on what is stored: fine, also when it removes text.
        assert!(may_replace(stored, &revision(stored), "Sandra."));
        // Written on an older text: only when the stored text stays whole at the start.
        assert!(!may_replace(
            stored,
            &revision(started),
            "Sandra was er. Opa komt."
        ));
        assert!(may_replace(
            stored,
            &revision(started),
            &format!("{stored} Opa komt.")
        ));
        assert!(may_replace("", &revision(started), "Iets nieuws."));
    }

    #[test]
    fn my_text_goes_under_the_stored_text_without_the_start_they_share() {
        let stored = "Sandra was er. Afspraak: oma belt.";
        let mine = "Sandra was er. Opa komt ook.";
        let merged = merge_under(stored, mine);
        assert_eq!(
            merged,
            "Sandra was er. Afspraak: oma belt.\n\nOpa komt ook."
        );
        // The shared start is cut at a space, not inside a word ("Oma" and "Opa" share an "O").
        assert_eq!(
            merge_under("Sandra was er. Oma belt.", "Sandra was er. Opa komt."),
            "Sandra was er. Oma belt.\n\nOpa komt."
        );
        // Nothing shared: all of mine goes under.
        assert_eq!(merge_under("Eerste.", "Tweede."), "Eerste.\n\nTweede.");
        // Pressed twice, or already in there: nothing is added again.
        assert_eq!(merge_under(&merged, mine), merged);
        assert_eq!(merge_under(stored, "oma belt."), stored);
        assert_eq!(merge_under("", "Alleen ik.\n"), "Alleen ik.");
        assert_eq!(merge_under("Één één", "Één twee"), "Één één\n\ntwee");
    }
}
