//! The small-number rule: a group of fewer than five (families, referrals, decisions) is shown as
//! "< 5", in every view and export, and a total or a difference that would give such a group away is
//! hidden too. One pure rule for the page, the CSV and the XLSX.

/// The smallest group the monitor shows as a number.
pub const MIN_GROUP: u64 = 5;

/// How a count is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// The number itself (0 or at least 5).
    Count(u64),
    /// 1 to 4: shown as "< 5".
    Small,
    /// Large enough, but with the total it would give a small group away: hidden.
    Hidden,
}

impl Shown {
    pub fn count(self) -> Option<u64> {
        match self {
            Shown::Count(n) => Some(n),
            Shown::Small | Shown::Hidden => None,
        }
    }
}

/// One count on its own (no total next to it).
pub fn one(n: u64) -> Shown {
    if n > 0 && n < MIN_GROUP {
        Shown::Small
    } else {
        Shown::Count(n)
    }
}

/// Counts that add up to a total shown with them (a row and its total, or a column and its total).
/// Every count of 1 to 4 is "< 5". When the total minus the counts still shown would give away the
/// hidden ones together as fewer than five (one small count, or small ones adding up to less than
/// five), the smallest count still shown is hidden too, until it does not; with nothing left to hide,
/// the total itself is hidden.
pub fn group(counts: &[u64]) -> (Vec<Shown>, Shown) {
    let total: u64 = counts.iter().sum();
    let mut shown: Vec<Shown> = counts.iter().map(|&n| one(n)).collect();
    let total_shown = one(total);
    if total_shown == Shown::Small {
        return (shown, Shown::Small);
    }
    loop {
        let hidden: u64 = counts
            .iter()
            .zip(&shown)
            .filter(|(_, s)| s.count().is_none())
            .map(|(n, _)| n)
            .sum();
        if hidden == 0 || hidden >= MIN_GROUP {
            return (shown, total_shown);
        }
        let next = (0..counts.len())
            .filter(|&i| shown[i].count().is_some() && counts[i] > 0)
            .min_by_key(|&i| counts[i]);
        match next {
            Some(i) => shown[i] = Shown::Hidden,
            None => return (shown, Shown::Hidden),
        }
    }
}

/// A share `part` of `whole` in percent, unless it would give a small group away: the part, the rest
/// or the whole between 1 and 4.
pub fn share(part: u64, whole: u64) -> Option<f64> {
    let rest = whole.saturating_sub(part);
    if whole == 0 || [part, rest, whole].iter().any(|&n| one(n) == Shown::Small) {
        return None;
    }
    Some(100.0 * part as f64 / whole as f64)
}

/// Whether a figure over `basis` items (a median, a percentile) may be shown: only over at least five,
/// so that it never describes one family's case.
pub fn statistic_shown(basis: u64) -> bool {
    basis >= MIN_GROUP
}

#[cfg(test)]
mod tests {
    use super::Shown::*;
    use super::*;

    #[test]
    fn counts_of_one_to_four_are_small_and_zero_and_five_are_shown() {
        assert_eq!(one(0), Count(0));
        for n in 1..5 {
            assert_eq!(one(n), Small, "{n}");
        }
        assert_eq!(one(5), Count(5));
        assert_eq!(one(120), Count(120));
    }

    #[test]
    fn a_group_without_small_counts_shows_everything() {
        assert_eq!(
            group(&[5, 0, 12]),
            (vec![Count(5), Count(0), Count(12)], Count(17))
        );
    }

    #[test]
    fn one_small_count_hides_the_smallest_other_so_the_total_does_not_give_it_away() {
        // 63 − 10 − 50 would be 3.
        assert_eq!(
            group(&[3, 10, 50]),
            (vec![Small, Hidden, Count(50)], Count(63))
        );
        // Zeroes are no cover: the next non-zero count is hidden.
        assert_eq!(
            group(&[0, 2, 8]),
            (vec![Count(0), Small, Hidden], Count(10))
        );
    }

    #[test]
    fn small_counts_that_add_up_to_less_than_five_hide_one_more() {
        // 54 − 50 = 4: the two small ones together would be shown as 4.
        assert_eq!(
            group(&[2, 2, 50, 60]),
            (vec![Small, Small, Hidden, Count(60)], Count(114))
        );
        // Together 6: the total gives away no group of fewer than five.
        assert_eq!(
            group(&[3, 3, 50]),
            (vec![Small, Small, Count(50)], Count(56))
        );
    }

    #[test]
    fn a_total_under_five_is_small_itself() {
        assert_eq!(group(&[4, 0]), (vec![Small, Count(0)], Small));
        assert_eq!(group(&[]), (vec![], Count(0)));
    }

    #[test]
    fn every_hidden_set_of_a_group_is_zero_or_at_least_five() {
        for a in 0..9u64 {
            for b in 0..9u64 {
                for c in 0..9u64 {
                    let counts = [a, b, c];
                    let (shown, total) = group(&counts);
                    let hidden: u64 = counts
                        .iter()
                        .zip(&shown)
                        .filter(|(_, s)| s.count().is_none())
                        .map(|(n, _)| n)
                        .sum();
                    if total.count().is_some() {
                        assert!(hidden == 0 || hidden >= MIN_GROUP, "{counts:?}");
                    }
                    for (n, s) in counts.iter().zip(&shown) {
                        assert_eq!(*s == Small, (1..5).contains(n), "{counts:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_share_is_hidden_when_the_part_or_the_rest_is_small() {
        assert_eq!(share(0, 0), None);
        assert_eq!(share(3, 40), None);
        assert_eq!(share(38, 40), None, "the rest, 2, would be given away");
        assert_eq!(share(20, 40), Some(50.0));
        assert_eq!(share(0, 10), Some(0.0));
        assert_eq!(share(10, 10), Some(100.0));
        assert!(!statistic_shown(4));
        assert!(statistic_shown(5));
    }
}
