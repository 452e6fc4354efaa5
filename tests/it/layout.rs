//! The shape of the source tree, checked by reading it: dependencies point one way, and event kinds are
//! named in one place. These rules keep the house one-way; README's "Layout rules" explains them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use samenspel::events::EventKind;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every .rs file under `dir`, relative to the crate root, sorted.
fn rust_files(dir: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join(dir), &mut out);
    out.sort();
    out.into_iter()
        .map(|p| p.strip_prefix(root()).unwrap().to_path_buf())
        .collect()
}

/// The code of a file without comments (line comments, doc comments and block comments), so a path or
/// a name mentioned in prose does not count.
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let (mut i, mut in_string, mut depth) = (0, false, 0);
    while i < bytes.len() {
        let rest = &text[i..];
        if depth > 0 {
            if rest.starts_with("*/") {
                depth -= 1;
                i += 2;
            } else if rest.starts_with("/*") {
                depth += 1;
                i += 2;
            } else {
                i += 1;
            }
            continue;
        }
        if in_string {
            if rest.starts_with("\\\"") || rest.starts_with("\\\\") {
                out.push_str(&rest[..2]);
                i += 2;
                continue;
            }
            if bytes[i] == b'"' {
                in_string = false;
            }
        } else if rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            i += end;
            continue;
        } else if rest.starts_with("/*") {
            depth = 1;
            i += 2;
            continue;
        } else if bytes[i] == b'"' && !text[..i].ends_with('\'') {
            in_string = true;
        }
        let c = rest.chars().next().unwrap();
        out.push(c);
        i += c.len_utf8();
    }
    out
}

// ---------------------------------------------------------------------------------------------------
// Event kinds

/// Every string literal of `code` with its line number.
fn string_literals(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut parts = line.split('"');
        parts.next();
        while let Some(inside) = parts.next() {
            found.push((n + 1, inside.to_string()));
            parts.next();
        }
    }
    found
}

#[test]
fn event_kinds_are_named_only_in_the_enum() {
    let names: BTreeSet<&str> = EventKind::ALL.iter().map(|k| k.name()).collect();
    let mut found = Vec::new();
    for file in rust_files("src").into_iter().chain(rust_files("examples")) {
        if file == Path::new("src/events/kind.rs") {
            continue;
        }
        let code = code_of(&std::fs::read_to_string(root().join(&file)).unwrap());
        for (line, literal) in string_literals(&code) {
            if names.contains(literal.as_str()) {
                found.push(format!("{}:{line}: \"{literal}\"", file.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "event kinds named outside src/events/kind.rs (use EventKind):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_event_kind_check_finds_a_kind_written_as_text() {
    // The check above must be able to fail: the same scan over a line that names a kind.
    let code = code_of(
        "let a = \"decision.recorded\"; // \"meeting.closed\" in a comment\nlet b = t(\"form.yes\");",
    );
    let literals: Vec<String> = string_literals(&code).into_iter().map(|(_, l)| l).collect();
    assert_eq!(literals, ["decision.recorded", "form.yes"]);
    assert_eq!(
        EventKind::parse(&literals[0]),
        Some(EventKind::DecisionRecorded)
    );
}

// ---------------------------------------------------------------------------------------------------
// Dependencies

/// The module path of a source file: src/web/meetings.rs is `web::meetings`, src/events/mod.rs is
/// `events`, src/lib.rs is the crate root (empty).
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix("src").unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The paths a file names with `crate::` or `super::` (use declarations, grouped or not, and paths in
/// code), resolved to absolute module paths.
fn named_paths(code: &str, module: &[String]) -> Vec<Vec<String>> {
    // `super` of src/web/meetings.rs (`web::meetings`) is `web`; of src/web/mod.rs (`web`) the root.
    let parent: Vec<String> = module[..module.len().saturating_sub(1)].to_vec();
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    for (start, base) in [("crate::", Vec::new()), ("super::", parent)] {
        let mut from = 0;
        while let Some(at) = code[from..].find(start) {
            let at = from + at;
            from = at + start.len();
            let before = code[..at].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut prefixes = Vec::new();
            parse_tree(code, bytes, &mut from.clone(), base.clone(), &mut prefixes);
            out.extend(prefixes);
        }
    }
    out
}

/// Parses a use tree at `pos` (`a::b`, `a::{b, c::d}`, `a::b as c`), pushing each full path.
fn parse_tree(
    code: &str,
    bytes: &[u8],
    pos: &mut usize,
    prefix: Vec<String>,
    out: &mut Vec<Vec<String>>,
) {
    let mut path = prefix;
    loop {
        while *pos < bytes.len() && bytes[*pos].is_ascii_whitespace() {
            *pos += 1;
        }
        if *pos < bytes.len() && bytes[*pos] == b'{' {
            *pos += 1;
            loop {
                parse_tree(code, bytes, pos, path.clone(), out);
                while *pos < bytes.len() && bytes[*pos].is_ascii_whitespace() {
                    *pos += 1;
                }
                match bytes.get(*pos) {
                    Some(b',') => *pos += 1,
                    Some(b'}') => {
                        *pos += 1;
                        return;
                    }
                    _ => return,
                }
                while *pos < bytes.len() && bytes[*pos].is_ascii_whitespace() {
                    *pos += 1;
                }
                if bytes.get(*pos) == Some(&b'}') {
                    *pos += 1;
                    return;
                }
            }
        }
        let start = *pos;
        while *pos < bytes.len() && (bytes[*pos].is_ascii_alphanumeric() || bytes[*pos] == b'_') {
            *pos += 1;
        }
        let ident = &code[start..*pos];
        if ident.is_empty() || ident == "self" {
            out.push(path);
            return;
        }
        if ident == "super" {
            path.pop();
        } else {
            path.push(ident.to_string());
        }
        if code[*pos..].starts_with("::") {
            *pos += 2;
        } else {
            out.push(path);
            return;
        }
    }
}

/// Which file each module path lives in.
fn module_files() -> BTreeMap<Vec<String>, PathBuf> {
    rust_files("src")
        .into_iter()
        .filter(|f| f != Path::new("src/main.rs"))
        .map(|f| (module_of(&f), f))
        .collect()
}

/// file → the files it depends on. A module naming its own submodules (a parent's `mod` list, a route
/// table) is not a dependency: only a file's reach outside its own subtree counts.
fn dependencies() -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let files = module_files();
    let mut graph = BTreeMap::new();
    for (module, file) in &files {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        // Unit tests (a `#[cfg(test)] mod tests` at the end of a file) are not part of the structure.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let code = code_of(text);
        let mut deps = BTreeSet::new();
        for path in named_paths(&code, module) {
            // The longest prefix of the path that is a module file.
            let target = (0..=path.len())
                .rev()
                .find_map(|n| files.get(&path[..n]).map(|f| (n, f)));
            let Some((n, target)) = target else { continue };
            let target_module = &path[..n];
            if target == file || target_module.starts_with(module) {
                continue;
            }
            deps.insert(target.clone());
        }
        graph.insert(file.clone(), deps);
    }
    graph
}

/// The strongly connected groups of more than one file (Tarjan's algorithm): each is an import circle.
fn circles(graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    struct State<'a> {
        graph: &'a BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        index: BTreeMap<&'a PathBuf, usize>,
        low: BTreeMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        on_stack: BTreeSet<&'a PathBuf>,
        out: Vec<Vec<PathBuf>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a PathBuf) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[w].min(s.low[v]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.index[w].min(s.low[v]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut group = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                group.push(w.clone());
                if w == v {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                s.out.push(group);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

#[test]
fn no_source_file_depends_on_itself_through_others() {
    let found: Vec<String> = circles(&dependencies())
        .into_iter()
        .map(|group| {
            group
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" ↔ ")
        })
        .collect();
    assert!(
        found.is_empty(),
        "import circles between source files:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_lower_layers_never_reach_up_to_web_or_live() {
    // The core (domain rules and queries, the event log, policy, the one way to change a record) and
    // the background tasks run without the web layer and without the live room.
    let lower = [
        "src/domain/",
        "src/events/",
        "src/policy",
        "src/record",
        "src/webhooks.rs",
        "src/digest.rs",
        "src/mail.rs",
        "src/export/",
        "src/calendar.rs",
        "src/backup.rs",
        "src/time.rs",
        "src/db.rs",
    ];
    let mut found = Vec::new();
    for (file, deps) in dependencies() {
        let name = file.display().to_string();
        if !lower.iter().any(|l| name.starts_with(l)) {
            continue;
        }
        for dep in deps {
            let dep = dep.display().to_string();
            if dep.starts_with("src/web/") || dep == "src/live.rs" {
                found.push(format!("{name} → {dep}"));
            }
        }
    }
    assert!(found.is_empty(), "reaching up:\n{}", found.join("\n"));
}

#[test]
fn the_event_log_stands_on_the_database_alone() {
    // The log sits below the domain: domain modules may name event kinds and read events, so the log
    // itself must not need the domain (or anything above it).
    let mut found = Vec::new();
    for (file, deps) in dependencies() {
        if !file.starts_with("src/events") {
            continue;
        }
        for dep in deps {
            let allowed = ["src/db.rs", "src/time.rs"];
            let below = dep.starts_with("src/events") || dep.starts_with("src/schema");
            if !below && !allowed.iter().any(|a| dep == Path::new(a)) {
                found.push(format!("{} → {}", file.display(), dep.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the event log reaches up:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_dependency_reader_sees_grouped_and_relative_paths() {
    let module: Vec<String> = vec!["web".into(), "meetings".into()];
    let code = code_of(
        "use crate::{db::DbConn, domain::{family, meeting::Item}};\nuse super::access::read_family;\nlet x = crate::events::append(c); // crate::live::Hub",
    );
    let found = named_paths(&code, &module);
    let found: Vec<String> = found.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        found,
        [
            "db::DbConn",
            "domain::family",
            "domain::meeting::Item",
            "events::append",
            "web::access::read_family",
        ]
    );
    // A circle of two files is found.
    let a = PathBuf::from("src/a.rs");
    let b = PathBuf::from("src/b.rs");
    let graph = BTreeMap::from([
        (a.clone(), BTreeSet::from([b.clone()])),
        (b.clone(), BTreeSet::from([a.clone()])),
    ]);
    assert_eq!(circles(&graph), vec![vec![a, b]]);
}

// ---------------------------------------------------------------------------------------------------
// Size

/// A file longer than this does several jobs: split it by job into a folder module.
const MAX_FILE_LINES: usize = 800;
/// A function longer than this does several jobs: split it into functions named after them.
const MAX_FUNCTION_LINES: usize = 80;

/// The name of the function a line starts (`fn`, with `pub`, `pub(…)`, `async`, `const` or `unsafe`
/// before it), with the line's indentation.
fn function_start(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim_start();
    let indent = &line[..line.len() - rest.len()];
    let mut rest = rest;
    if let Some(after) = rest.strip_prefix("pub") {
        rest = match after.strip_prefix('(') {
            Some(inner) => inner.split_once(") ")?.1,
            None => after.strip_prefix(' ')?,
        };
    }
    for word in ["async ", "const ", "unsafe "] {
        rest = rest.strip_prefix(word).unwrap_or(rest);
    }
    let rest = rest.strip_prefix("fn ")?;
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| (indent, &rest[..end]))
}

/// Every function of `text` with its length in lines: from the `fn` line to the closing brace at the
/// same indentation, inclusive (as rustfmt lays them out). Declarations without a body do not count,
/// nor do unit tests (a `#[cfg(test)]` module): a table of cases is long by nature and one job.
fn function_lengths(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim() == "#[cfg(test)]"
            && let Some(next) = lines.get(i + 1)
            && next.trim_start().starts_with("mod ")
            && next.ends_with('{')
        {
            let close = format!("{}}}", &next[..next.len() - next.trim_start().len()]);
            i += lines[i..]
                .iter()
                .position(|l| *l == close)
                .unwrap_or(lines.len());
            continue;
        }
        if let Some((indent, name)) = function_start(line) {
            // The signature ends at the first `{` (a body) or `;` (a declaration).
            let body = lines[i..]
                .iter()
                .find_map(|l| {
                    let code = l.split("//").next().unwrap_or_default().trim_end();
                    (code.contains('{') || code.ends_with(';')).then(|| code.contains('{'))
                })
                .unwrap_or(false);
            let one_line = line.trim_end().ends_with('}');
            let close = format!("{indent}}}");
            let length = if one_line {
                Some(1)
            } else if body {
                lines[i..].iter().position(|l| *l == close).map(|n| n + 1)
            } else {
                None
            };
            if let Some(length) = length {
                found.push((name.to_string(), length));
            }
        }
        i += 1;
    }
    found
}

#[test]
fn no_source_file_is_over_800_lines_and_no_function_over_80() {
    // Functions and files still too long, each with the reason it may stay so for now. The list may
    // only shrink: an entry that is no longer too long must go.
    let remaining: [(&str, &str); 0] = [];
    let mut found = Vec::new();
    for file in rust_files("src") {
        // Demo data: one long, flat list of what the demo holds.
        if file == Path::new("src/demo.rs") {
            continue;
        }
        let name = file.display().to_string();
        let text = std::fs::read_to_string(root().join(&file)).unwrap();
        let lines = text.lines().count();
        if lines > MAX_FILE_LINES {
            found.push((name.clone(), format!("{name}: {lines} lines")));
        }
        for (function, length) in function_lengths(&text) {
            if length > MAX_FUNCTION_LINES {
                let key = format!("{name}::{function}");
                found.push((key.clone(), format!("{key}: {length} lines")));
            }
        }
    }
    let listed: BTreeSet<&str> = remaining.iter().map(|(key, _)| *key).collect();
    let stale: Vec<&str> = listed
        .iter()
        .filter(|key| !found.iter().any(|(k, _)| k == *key))
        .copied()
        .collect();
    assert!(
        stale.is_empty(),
        "no longer too long, take them off the list: {stale:?}"
    );
    let over: Vec<&str> = found
        .iter()
        .filter(|(key, _)| !listed.contains(key.as_str()))
        .map(|(_, text)| text.as_str())
        .collect();
    assert!(
        over.is_empty(),
        "over {MAX_FILE_LINES} lines per file or {MAX_FUNCTION_LINES} per function (split by job):\n{}",
        over.join("\n")
    );
}

#[test]
fn the_size_check_measures_functions_from_fn_to_closing_brace() {
    let text = "\
pub(crate) async fn outer(a: i32) -> i32
where
    i32: Copy,
{
    fn inner() {
        let s = \"}\";
    }
    a
}
trait T {
    fn declared(&self);
    pub const fn short() {}
}
#[cfg(test)]
mod tests {
    fn long_table_of_cases() {
    }
}
";
    assert_eq!(
        function_lengths(text),
        [
            ("outer".to_string(), 9),
            ("inner".to_string(), 3),
            ("short".to_string(), 1)
        ]
    );
    assert_eq!(
        function_start("    pub(super) fn x() {"),
        Some(("    ", "x"))
    );
    assert_eq!(function_start("    let fn_name = 1;"), None);
    assert_eq!(function_start("// fn in prose"), None);
}

#[test]
fn no_handler_module_imports_another_handler_module() {
    // Handlers share through modules that hold no routes: the app and its helpers (web/mod.rs), access
    // rules, forms and uploads, errors, middleware, the chart, the mail, finishing a login (signin.rs,
    // for every way in) and the view pieces (views/). A folder of
    // handlers (meetings/) is one area and shares through its mod.rs. The partner API (web/api/) is
    // checked by the circle test.
    let shared = [
        "src/web/mod.rs",
        "src/web/access.rs",
        "src/web/forms.rs",
        "src/web/upload.rs",
        "src/web/error.rs",
        "src/web/middleware.rs",
        "src/web/chart.rs",
        "src/web/notify.rs",
        "src/web/signin.rs",
    ];
    let is_handler = |path: &str| {
        path.starts_with("src/web/")
            && !path.starts_with("src/web/api/")
            && !path.starts_with("src/web/views/")
            && !shared.contains(&path)
    };
    let area = |path: &str| -> String {
        let rest = path.trim_start_matches("src/web/");
        match rest.split_once('/') {
            Some((folder, _)) => format!("src/web/{folder}/"),
            None => path.to_string(),
        }
    };
    let mut found = Vec::new();
    for (file, deps) in dependencies() {
        let name = file.display().to_string();
        if !is_handler(&name) {
            continue;
        }
        for dep in deps {
            let dep = dep.display().to_string();
            if is_handler(&dep) && area(&dep) != area(&name) {
                found.push(format!("{name} → {dep}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "a handler module imports another:\n{}",
        found.join("\n")
    );
}
