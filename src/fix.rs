//! Applying the fixes of a file's findings (`check --fix`, `--diff`), and proving them: the
//! fixed text is linted again, and is kept only if it parses as well as before, the fixed
//! findings are gone, no finding is new, and fixing it again changes nothing.
//!
//! This module computes texts; writing them is the command line's business.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::lint::lint_text;
use crate::parse::lines::LineIndex;
use crate::parse::parse_stream;
use crate::rules::RuleSet;
use crate::run_report::FileReport;

/// A fix changes what may make another applicable (two edits that overlapped): this many
/// passes that fix something at most.
const MAX_PASSES: usize = 16;

/// Every pass lints the file again, and one that does not prove is retried a fix at a time,
/// with the fixes set aside tried again after each pass that fixed something: this many lints
/// at most, so that a file with many unprovable fixes still finishes quickly.
const MAX_ATTEMPTS: usize = 64;

/// The fixes a run applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wanted {
    pub unsafe_fixes: bool,
}

impl Wanted {
    /// Whether this run applies fixes of this applicability.
    pub fn wants(&self, applicability: Applicability) -> bool {
        applicability == Applicability::Safe || self.unsafe_fixes
    }

    /// The fix of `diagnostic` if this run applies it.
    pub fn fix_of<'d>(&self, diagnostic: &'d Diagnostic) -> Option<&'d Fix> {
        let fix = diagnostic.fix.as_deref()?;
        (self.wants(fix.applicability) && fix.refused.is_none() && !fix.edits.is_empty())
            .then_some(fix)
    }
}

/// A file's text with its fixes applied.
#[derive(Debug)]
pub struct Fixed {
    pub text: String,
    /// How many findings the fixes removed.
    pub fixed: usize,
    /// The fixes left out because they did not prove, and why.
    pub refused: Vec<String>,
}

/// What identifies a finding across edits that move it: positions change, these do not (a
/// renamed key changes the pointer, which is the point).
/// Not the object: a fix may change what names it (`meta!data` renamed to `metadata` gives the
/// object its name), and its other findings are still the ones the run reported.
type Key<'d> = (&'static str, &'d str, &'d str);

fn key(d: &Diagnostic) -> Key<'_> {
    (d.rule, d.location.path.as_str(), d.message.as_str())
}

/// Applies the wanted fixes of `diagnostics` (the run's findings in the file `path`, whose
/// text is `text`) and proves the result. A pass whose fixes together do not prove is tried
/// again with its first fix alone; a fix that does not prove alone is set aside, with the
/// reason, and the others go on. `Ok(None)`: nothing to fix. `Err`: why the file is left as
/// it is.
pub fn fix_file(
    path: &Arc<str>,
    text: &str,
    diagnostics: &[Diagnostic],
    wanted: Wanted,
    rules: &RuleSet,
) -> Result<Option<Fixed>, String> {
    if !diagnostics.iter().any(|d| wanted.fix_of(d).is_some()) {
        return Ok(None);
    }
    // Only what the run reported is fixed: not what its configuration suppressed or its
    // baseline knows, which a second lint of the file alone would report again. A reported
    // finding whose fix another fix made possible (`privileged: true` gone, escalation can
    // be turned off) is fixed in a later pass. Matched by rule and message, not pointer: a
    // renamed key (`templateA` to `template`) moves the findings under it.
    let candidates: HashSet<(&str, &str)> = diagnostics
        .iter()
        .map(|d| (d.rule, d.message.as_str()))
        .collect();
    let reported = |d: &Diagnostic| candidates.contains(&(d.rule, d.message.as_str()));
    // The file is linted alone, now: its fixes' offsets are those of the text being fixed
    // (not of a read that may be older), and what it says is what "nothing new" compares with.
    let before = lint_text(path.clone(), text, true, rules);
    let said_before = said(&before.diagnostics);
    let parse_errors_before = parse_errors(text);
    let mut current = text.to_owned();
    let mut findings: Vec<Diagnostic> = before.diagnostics.clone();
    let mut fixed = 0;
    let mut set_aside: HashSet<OwnedKey> = HashSet::new();
    // Why each set-aside fix was left out, in the order they were: a later pass may fix it
    // after all, and then its reason no longer holds.
    let mut reasons: Vec<(OwnedKey, String)> = Vec::new();
    let mut progress = 0;
    let mut attempts = 0;
    while progress < MAX_PASSES && attempts < MAX_ATTEMPTS {
        let fixes: Vec<(&Diagnostic, &Fix)> = findings
            .iter()
            .filter(|d| reported(d))
            .filter(|d| !set_aside.contains(&owned_key(d)))
            .filter_map(|d| wanted.fix_of(d).map(|f| (d, f)))
            .collect();
        if fixes.is_empty() {
            break;
        }
        attempts += 1;
        let (next, applied) = apply(&current, &fixes);
        let after = lint_text(path.clone(), &next, true, rules);
        let proof = prove(&next, &after, &applied, &said_before, parse_errors_before);
        let (next, applied, after) = match proof {
            Ok(()) => (next, applied, after),
            Err(reason) => {
                // Alone, the first of them either proves or is set aside.
                let first = fixes
                    .iter()
                    .find(|(d, _)| applied.first().is_some_and(|a| std::ptr::eq(*a, *d)))
                    .copied();
                let Some(first) = first.filter(|_| applied.len() > 1) else {
                    if let Some(d) = applied.first() {
                        set_aside.insert(owned_key(d));
                        reasons.push((owned_key(d), refusal(d, &reason)));
                    }
                    continue;
                };
                attempts += 1;
                let (next, applied) = apply(&current, &[first]);
                let after = lint_text(path.clone(), &next, true, rules);
                if let Err(reason) =
                    prove(&next, &after, &applied, &said_before, parse_errors_before)
                {
                    set_aside.insert(owned_key(first.0));
                    reasons.push((owned_key(first.0), refusal(first.0, &reason)));
                    continue;
                }
                (next, applied, after)
            }
        };
        fixed += applied.len();
        progress += 1;
        current = next;
        findings = after.diagnostics;
        // A fix set aside may prove now: the one that adds a selector is refused while the
        // template it selects still has a misspelt `metadata`, and not once that is renamed.
        // Leaving it for a second `--fix` would make fixing a file not settle in one run.
        set_aside.clear();
    }
    let remaining: HashSet<Key> = findings.iter().map(key).collect();
    // A fix set aside more than once is reported with its latest reason.
    let mut refused: Vec<String> = Vec::new();
    let mut given: HashSet<&OwnedKey> = HashSet::new();
    for (k, reason) in reasons.iter().rev() {
        if remaining.contains(&(k.0, k.1.as_str(), k.2.as_str())) && given.insert(k) {
            refused.push(reason.clone());
        }
    }
    refused.reverse();
    let unsettled = findings
        .iter()
        .filter(|d| reported(d) && !set_aside.contains(&owned_key(d)))
        .any(|d| wanted.fix_of(d).is_some());
    if unsettled {
        refused.push(format!(
            "its fixes did not settle within {MAX_PASSES} passes (each made another possible)"
        ));
    }
    if fixed == 0 {
        return if refused.is_empty() {
            Ok(None)
        } else {
            Err(refused.join("; "))
        };
    }
    Ok(Some(Fixed {
        text: current,
        fixed,
        refused,
    }))
}

type OwnedKey = (&'static str, String, String);

fn owned_key(d: &Diagnostic) -> OwnedKey {
    (d.rule, d.location.path.clone(), d.message.clone())
}

/// Why one finding's fix was not written.
fn refusal(d: &Diagnostic, reason: &str) -> String {
    format!(
        "the fix of `{}` at line {} is left out: {reason}",
        d.rule, d.location.start.line
    )
}

/// The text with as many of `fixes` as do not overlap applied (the first by position wins;
/// the rest wait for the next pass), and which findings they fix.
fn apply<'d>(text: &str, fixes: &[(&'d Diagnostic, &Fix)]) -> (String, Vec<&'d Diagnostic>) {
    let mut order: Vec<&(&Diagnostic, &Fix)> = fixes.iter().collect();
    order.sort_by_key(|(_, f)| f.edits.first().map(|e| e.start.offset));
    let mut taken: Vec<(u32, u32)> = Vec::new();
    let mut edits = Vec::new();
    let mut applied = Vec::new();
    for (diagnostic, fix) in order {
        // Touching counts as overlapping: two insertions at one offset have no order.
        let clashes = fix.edits.iter().any(|e| {
            taken
                .iter()
                .any(|&(s, t)| e.start.offset <= t && s <= e.end.offset)
        });
        let fits = fix.edits.iter().all(|e| {
            e.start.offset <= e.end.offset
                && text.is_char_boundary(e.start.offset as usize)
                && text.is_char_boundary(e.end.offset as usize)
                && (e.end.offset as usize) <= text.len()
        });
        if clashes || !fits {
            continue;
        }
        taken.extend(fix.edits.iter().map(|e| (e.start.offset, e.end.offset)));
        edits.extend(fix.edits.iter());
        applied.push(*diagnostic);
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.start.offset));
    let mut out = text.to_owned();
    for edit in edits {
        out.replace_range(
            edit.start.offset as usize..edit.end.offset as usize,
            &edit.replacement,
        );
    }
    (out, applied)
}

/// How many findings of each rule and message a file has.
fn said(diagnostics: &[Diagnostic]) -> HashMap<(&'static str, String), usize> {
    let mut counts = HashMap::new();
    for d in diagnostics {
        *counts.entry((d.rule, d.message.clone())).or_default() += 1;
    }
    counts
}

/// The syntax errors of a text, whichever rules the run selects.
fn parse_errors(text: &str) -> usize {
    let lines = LineIndex::new(text);
    parse_stream(text, &lines).errors.len()
}

/// Refuses a pass whose text parses worse, still has a finding it fixed, or has a finding the
/// file did not have before any fix (or more of one than it had).
fn prove(
    text: &str,
    after: &FileReport,
    applied: &[&Diagnostic],
    said_before: &HashMap<(&'static str, String), usize>,
    parse_errors_before: usize,
) -> Result<(), String> {
    if parse_errors(text) > parse_errors_before {
        return Err("its fixes would make it unparseable".to_owned());
    }
    let remaining: HashSet<Key> = after.diagnostics.iter().map(key).collect();
    if let Some(still) = applied.iter().find(|d| remaining.contains(&key(d))) {
        return Err(format!(
            "the fix of `{}` at line {} did not remove the finding",
            still.rule, still.location.start.line
        ));
    }
    let said_after = said(&after.diagnostics);
    if let Some(((rule, message), _)) = said_after
        .iter()
        .find(|(k, n)| said_before.get(*k).is_none_or(|b| *n > b))
    {
        return Err(format!("its fixes would add a finding: {rule}: {message}"));
    }
    Ok(())
}

/// `a/shop.yaml` for a relative path (as git writes it); an absolute path as it is.
fn header(side: &str, path: &str) -> String {
    if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("{side}/{path}")
    }
}

/// `1 finding`, `2 findings`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A unified diff of a file's fix, as `diff -u` and `ruff --diff` print it.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&header("a", path), &header("b", path))
        .to_string()
}
