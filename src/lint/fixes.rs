//! A rule's fix, in nodes, made into edits of the file's bytes. The edits keep what a person
//! wrote around them: comments, quoting, indentation (taken from a sibling key), flow or block
//! style, and line endings. A fix that would go through a YAML anchor (an alias or a merge key
//! shares what it edits) or a place whose bytes are not the value's (a folded scalar, an escape)
//! is refused with the reason.

use crate::diagnostic::{Edit, Fix};
use crate::parse::exact_offset_in_scalar;
use crate::parse::lines::LineIndex;
use crate::parse::tree::{ByteSpan, Document, Node};
use crate::rules::{EditSpec, FixSpec, NewValue};

/// An edit in byte offsets, before positions are computed.
struct ByteEdit {
    span: ByteSpan,
    replacement: String,
}

pub(super) fn resolve(
    text: &str,
    lines: &LineIndex,
    document: &Document<'_>,
    spec: FixSpec<'_>,
) -> Fix {
    let mut edits = Vec::new();
    let mut refused = None;
    for edit in &spec.edits {
        match byte_edits(text, document, edit) {
            Ok(mut more) => edits.append(&mut more),
            Err(reason) => {
                refused = Some(reason);
                break;
            }
        }
    }
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    if refused.is_none()
        && edits
            .windows(2)
            .any(|w| w[1].span.start < w[0].span.end || w[1].span.start == w[0].span.start)
    {
        refused = Some("its edits overlap".to_owned());
    }
    let edits = if refused.is_some() {
        Vec::new()
    } else {
        edits
            .into_iter()
            .map(|e| Edit {
                start: lines.position(text, e.span.start),
                end: lines.position(text, e.span.end),
                replacement: e.replacement,
            })
            .collect()
    };
    Fix {
        message: spec.message,
        applicability: spec.applicability,
        edits,
        refused,
    }
}

const SHARED: &str = "the value is shared through a YAML anchor (an alias or a merge key uses it \
                      too), so it is not changed in one place";

fn byte_edits(
    text: &str,
    document: &Document<'_>,
    edit: &EditSpec<'_>,
) -> Result<Vec<ByteEdit>, String> {
    let not_shared = |span: ByteSpan| {
        if document.touches_anchored(span) {
            Err(SHARED.to_owned())
        } else {
            Ok(())
        }
    };
    match edit {
        EditSpec::ReplaceScalar { node, text: new } => {
            not_shared(node.span())?;
            Ok(vec![ByteEdit {
                span: node.span(),
                replacement: new.clone(),
            }])
        }
        EditSpec::RenameKey { key, to } | EditSpec::ReplaceString { node: key, to } => {
            not_shared(key.span())?;
            let raw = slice(text, key.span())?;
            let replacement = match raw.chars().next() {
                Some('"') => serde_json::to_string(to).map_err(|e| e.to_string())?,
                Some('\'') => format!("'{}'", to.replace('\'', "''")),
                _ => to.clone(),
            };
            Ok(vec![ByteEdit {
                span: key.span(),
                replacement,
            }])
        }
        EditSpec::InsertInScalar {
            node,
            at,
            text: new,
        } => {
            not_shared(node.span())?;
            let offset = exact_offset_in_scalar(text, *node, *at).ok_or_else(|| {
                "the script is written so that a place in its value is not a place in the \
                 file (a folded scalar, or escapes before it)"
                    .to_owned()
            })?;
            Ok(vec![ByteEdit {
                span: ByteSpan {
                    start: offset,
                    end: offset,
                },
                replacement: new.clone(),
            }])
        }
        EditSpec::RemoveItem { item } => {
            not_shared(item.span())?;
            remove_item(text, item.span())
        }
        EditSpec::SetEntry { map, key, value } => set_entry(text, document, *map, key, value),
    }
}

fn slice(text: &str, span: ByteSpan) -> Result<&str, String> {
    text.get(span.start as usize..span.end as usize)
        .ok_or_else(|| "a node's range is not in the file".to_owned())
}

/// The line break the file uses.
fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// The offset just past the line break of the line `offset` is on (or the end of the text).
fn next_line_start(text: &str, offset: usize) -> usize {
    text[offset..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1)
}

/// The end of the last line with any of `span`'s text on it: a block collection's span may
/// end at the start of the line after it.
fn last_content_end(text: &str, span: ByteSpan) -> usize {
    let body = &text[span.start as usize..span.end as usize];
    span.start as usize + body.trim_end().len()
}

/// Removes a sequence item: its whole lines in block style, the node and one comma in flow
/// style.
fn remove_item(text: &str, span: ByteSpan) -> Result<Vec<ByteEdit>, String> {
    if text.get(span.start as usize..span.end as usize).is_none() {
        return Err("a node's range is not in the file".to_owned());
    }
    let start = span.start as usize;
    let first_line = line_start(text, start);
    if text[first_line..start].trim() == "-" {
        let end = last_content_end(text, span);
        // Whatever follows on its last line (a comment) goes with it; more content would not.
        let rest_of_line = &text[end..next_line_start(text, end)];
        let rest = rest_of_line.trim();
        if !rest.is_empty() && !rest.starts_with('#') {
            return Err("more follows it on its line".to_owned());
        }
        return Ok(vec![ByteEdit {
            span: ByteSpan {
                start: first_line as u32,
                end: next_line_start(text, end) as u32,
            },
            replacement: String::new(),
        }]);
    }
    // Flow style: the node and the comma after it, or else the comma before it.
    let end = span.end as usize;
    let after = &text[end..];
    let gap = after.len() - after.trim_start().len();
    if after[gap..].starts_with(',') {
        let rest = &after[gap + 1..];
        let space = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        return Ok(vec![ByteEdit {
            span: ByteSpan {
                start: start as u32,
                end: (end + gap + 1 + space) as u32,
            },
            replacement: String::new(),
        }]);
    }
    let prior = text[..start].trim_end();
    if prior.ends_with(',') {
        return Ok(vec![ByteEdit {
            span: ByteSpan {
                start: (prior.len() - 1) as u32,
                end: end as u32,
            },
            replacement: String::new(),
        }]);
    }
    Ok(vec![ByteEdit {
        span: ByteSpan {
            start: start as u32,
            end: end as u32,
        },
        replacement: String::new(),
    }])
}

fn set_entry(
    text: &str,
    document: &Document<'_>,
    map: Node<'_>,
    key: &str,
    value: &NewValue,
) -> Result<Vec<ByteEdit>, String> {
    if !map.is_map() {
        return Err(format!("the place for `{key}` is not a mapping"));
    }
    let span = map.span();
    if document.touches_anchored(span) {
        return Err(SHARED.to_owned());
    }
    // Only the entries written in this mapping: merged ones are written elsewhere.
    let written: Vec<(Node<'_>, Node<'_>)> = map
        .entries()
        .filter(|(k, _)| span.start <= k.span().start && k.span().end <= span.end)
        .collect();
    if let Some((_, existing)) = written.iter().find(|(k, _)| k.key_text() == Some(key)) {
        // An alias's node is its anchor's, written elsewhere: editing it edits that place.
        let inside = span.start <= existing.span().start && existing.span().end <= span.end;
        if !inside || document.touches_anchored(existing.span()) {
            return Err(SHARED.to_owned());
        }
        return match value {
            NewValue::Scalar(scalar) if existing.is_scalar() => Ok(vec![ByteEdit {
                span: existing.span(),
                replacement: (*scalar).to_owned(),
            }]),
            NewValue::Map(inner, inner_value) if existing.is_map() => {
                set_entry(text, document, *existing, inner, inner_value)
            }
            _ => Err(format!("`{key}` holds a value of another shape")),
        };
    }
    if map.entries().any(|(k, _)| k.key_text() == Some(key)) {
        return Err(format!("`{key}` comes from a merge key"));
    }
    let flow = text.as_bytes().get(span.start as usize) == Some(&b'{');
    if flow {
        return insert_in_flow(text, span, &written, key, value);
    }
    let Some((first_key, _)) = written.first() else {
        return Err("the mapping has no key written in it".to_owned());
    };
    let first = first_key.span().start as usize;
    let indent_width = text[line_start(text, first)..first].chars().count();
    let indent = " ".repeat(indent_width);
    let nl = newline(text);
    let entry = block_entry(key, value, &indent, nl);
    let end = written
        .iter()
        .map(|(k, v)| k.span().end.max(v.span().end))
        .max()
        .unwrap_or(span.end) as usize;
    let end = last_content_end(
        text,
        ByteSpan {
            start: first as u32,
            end: end as u32,
        },
    );
    // After the last entry's last line (and any comment on it), at the same indentation.
    let eol = next_line_start(text, end);
    let (at, replacement) = if eol == text.len() && !text.ends_with('\n') {
        (eol, format!("{nl}{indent}{entry}"))
    } else {
        (eol, format!("{indent}{entry}{nl}"))
    };
    Ok(vec![ByteEdit {
        span: ByteSpan {
            start: at as u32,
            end: at as u32,
        },
        replacement,
    }])
}

/// `key: value` in block style; a mapping value on the lines below, two columns deeper.
fn block_entry(key: &str, value: &NewValue, indent: &str, nl: &str) -> String {
    match value {
        NewValue::Scalar(scalar) => format!("{key}: {scalar}"),
        NewValue::Map(inner, inner_value) => {
            let deeper = format!("{indent}  ");
            format!(
                "{key}:{nl}{deeper}{}",
                block_entry(inner, inner_value, &deeper, nl)
            )
        }
    }
}

/// `key: value` in flow style, keys quoted when the mapping's are (JSON).
fn flow_entry(key: &str, value: &NewValue, json: bool) -> String {
    let key = if json {
        format!("\"{key}\"")
    } else {
        key.to_owned()
    };
    match value {
        NewValue::Scalar(scalar) => format!("{key}: {scalar}"),
        NewValue::Map(inner, inner_value) => {
            format!("{key}: {{{}}}", flow_entry(inner, inner_value, json))
        }
    }
}

fn insert_in_flow(
    text: &str,
    span: ByteSpan,
    written: &[(Node<'_>, Node<'_>)],
    key: &str,
    value: &NewValue,
) -> Result<Vec<ByteEdit>, String> {
    let close = span.end.saturating_sub(1);
    if text.as_bytes().get(close as usize) != Some(&b'}') {
        return Err("the mapping's closing brace is not where it ends".to_owned());
    }
    // JSON quotes its keys: a file that starts as JSON (or a mapping whose keys are quoted
    // that way) gets a quoted key.
    let json = text.trim_start().starts_with(['{', '['])
        || written
            .first()
            .is_some_and(|(k, _)| text.as_bytes().get(k.span().start as usize) == Some(&b'"'));
    let entry = flow_entry(key, value, json);
    let (at, replacement) = match written.last() {
        Some((k, v)) if v.span().end < k.span().end => {
            return Err("the mapping's last value is an alias".to_owned());
        }
        Some((k, v)) => (k.span().end.max(v.span().end), format!(", {entry}")),
        None => (close, entry),
    };
    Ok(vec![ByteEdit {
        span: ByteSpan { start: at, end: at },
        replacement,
    }])
}
