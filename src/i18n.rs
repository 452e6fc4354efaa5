//! Languages: Dutch first, English second. Texts live in locales/app.yml, both languages side by side.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    #[default]
    Nl,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Nl, Locale::En];

    pub fn code(self) -> &'static str {
        match self {
            Locale::Nl => "nl",
            Locale::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Locale> {
        match code.trim().to_ascii_lowercase().as_str() {
            "nl" => Some(Locale::Nl),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// The first language of an Accept-Language header that we speak (weights respected), if any.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut offers: Vec<(f32, Locale)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let primary = tag.split('-').next()?;
                let locale = Locale::from_code(primary)?;
                let q = pieces
                    .find_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                    })
                    .unwrap_or(1.0);
                (q > 0.0).then_some((q, locale))
            })
            .collect();
        // Stable sort keeps the header's order among equal weights.
        offers.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        offers.first().map(|(_, l)| *l)
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Translates for one locale; pages hold one and call `t` from their templates.
#[derive(Clone, Copy, Debug, Default)]
pub struct I18n {
    pub locale: Locale,
}

impl I18n {
    pub fn new(locale: Locale) -> Self {
        I18n { locale }
    }

    pub fn t(&self, key: &str) -> String {
        rust_i18n::t!(key, locale = self.locale.code()).into_owned()
    }

    /// Translates and fills `%{name}` placeholders.
    pub fn t_with(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.t(key);
        for (name, value) in args {
            text = text.replace(&format!("%{{{name}}}"), value);
        }
        text
    }

    pub fn lang(&self) -> &'static str {
        self.locale.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_language_we_speak() {
        assert_eq!(
            Locale::from_accept_language("en-GB,en;q=0.9,nl;q=0.8"),
            Some(Locale::En)
        );
        assert_eq!(
            Locale::from_accept_language("de-DE, nl;q=0.5, en;q=0.4"),
            Some(Locale::Nl)
        );
        assert_eq!(Locale::from_accept_language("fr, de"), None);
        assert_eq!(
            Locale::from_accept_language("en;q=0, nl;q=0.1"),
            Some(Locale::Nl)
        );
    }

    /// The keys in locales/app.yml (lines without indentation).
    fn defined_keys() -> Vec<String> {
        include_str!("../locales/app.yml")
            .lines()
            .filter(|l| !l.starts_with([' ', '#', '_']) && l.ends_with(':'))
            .map(|l| l.trim_end_matches(':').to_string())
            .collect()
    }

    /// String literals in the sources and templates that look like text keys ("area.item") of an area
    /// that exists must be defined: a typo would show the key instead of the text.
    #[test]
    fn every_text_key_used_is_defined() {
        let keys = defined_keys();
        let areas: std::collections::HashSet<&str> =
            keys.iter().filter_map(|k| k.split('.').next()).collect();
        let mut files = Vec::new();
        for dir in ["src", "templates"] {
            let mut stack = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir)];
            while let Some(d) = stack.pop() {
                for entry in std::fs::read_dir(&d).unwrap().flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        stack.push(path)
                    } else {
                        files.push(path)
                    }
                }
            }
        }
        let mut checked = 0;
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for literal in text.split('"').skip(1).step_by(2) {
                let is_key_like = literal.contains('.')
                    && literal
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
                    && !literal.ends_with('.')
                    && !literal.ends_with(".html")
                    && !literal.ends_with(".txt");
                let area = literal.split('.').next().unwrap_or_default();
                // Event kinds ("family.created") are named only in events/kind.rs; each needs
                // "event.<kind>". Elsewhere a literal is a text key.
                let key = if file.ends_with("events/kind.rs") {
                    match crate::events::EventKind::parse(literal) {
                        Some(kind) => kind.text_key(),
                        None => continue,
                    }
                } else if is_key_like && areas.contains(area) {
                    literal.to_string()
                } else {
                    continue;
                };
                // A prefix for `t_of` ("plan.part") counts when keys exist below it.
                let prefix = format!("{key}.");
                let defined = keys.contains(&key)
                    || keys.iter().any(|k| k.starts_with(&prefix))
                    || keys.contains(&format!("event.{key}"));
                assert!(defined, "{} uses undefined text key {key}", file.display());
                checked += 1;
            }
        }
        assert!(
            checked > 50,
            "only {checked} keys found: is the scan broken?"
        );
        for role in crate::domain::user::Role::ALL {
            assert!(keys.contains(&role.label_key()), "{}", role.label_key());
        }
        for kind in crate::domain::organisation::OrganisationKind::ALL {
            assert!(keys.contains(&kind.label_key()), "{}", kind.label_key());
        }
        for page in [
            "not_found",
            "forbidden",
            "unprocessable",
            "too_large",
            "unavailable",
            "internal",
        ] {
            for part in ["title", "message"] {
                assert!(
                    keys.contains(&format!("error.{page}.{part}")),
                    "error.{page}.{part}"
                );
            }
        }
    }

    /// A key defined twice silently keeps one of its texts: the other place shows the wrong words.
    #[test]
    fn every_text_key_is_defined_once() {
        let mut seen = std::collections::HashSet::new();
        let twice: Vec<String> = defined_keys()
            .into_iter()
            .filter(|k| !seen.insert(k.clone()))
            .collect();
        assert!(twice.is_empty(), "defined more than once: {twice:?}");
    }

    #[test]
    fn every_text_exists_in_dutch_and_english() {
        let source = include_str!("../locales/app.yml");
        let mut key: Option<&str> = None;
        let mut seen: Vec<&str> = Vec::new();
        let check = |key: Option<&str>, seen: &mut Vec<&str>| {
            if let Some(k) = key {
                assert!(
                    seen.contains(&"nl") && seen.contains(&"en"),
                    "{k} needs nl and en"
                );
            }
            seen.clear();
        };
        for line in source
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        {
            if line.starts_with("_version") {
                continue;
            }
            if !line.starts_with(' ') {
                check(key, &mut seen);
                key = Some(line.trim_end_matches(':'));
            } else if let Some((lang, _)) = line.trim().split_once(':') {
                seen.push(lang);
            }
        }
        check(key, &mut seen);
        let nl = I18n::new(Locale::Nl);
        assert_eq!(nl.t("login.title"), "Inloggen");
        assert_eq!(I18n::new(Locale::En).t("login.title"), "Log in");
    }
}
