//! Just enough POSIX shell to answer "which command runs last, and is it exec'd?".
//!
//! This is not a shell parser: it splits a `-c` script into simple commands at the control
//! operators (newline, `;`, `&`, `&&`, `||`, `|`, parentheses) while respecting quotes,
//! escapes, comments and `$(...)`, and keeps each command's words and byte range.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub words: Vec<String>,
    /// Byte range of the command in the script.
    pub start: usize,
    pub end: usize,
    /// Piped into, or run in the background: exec'ing it cannot make it PID 1.
    pub piped_or_background: bool,
}

// The macros reset state that the last expansion (after the loop) never reads again.
#[allow(unused_assignments)]
pub fn split_commands(script: &str) -> Vec<Command> {
    let bytes = script.as_bytes();
    let mut commands = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut cmd_start: Option<usize> = None;
    let mut cmd_end = 0;
    let mut piped_before = false;
    let mut i = 0;
    // Heredocs (`<<EOF`) started on this line: their bodies follow it, and are not commands.
    let mut heredocs: Vec<String> = Vec::new();
    let mut delimiter_next = false;

    macro_rules! end_word {
        () => {
            if in_word {
                let w = std::mem::take(&mut word);
                if delimiter_next {
                    heredocs.push(w.clone());
                    delimiter_next = false;
                } else if let Some(rest) = w.strip_prefix("<<")
                    && !rest.starts_with('<')
                {
                    let rest = rest.trim_start_matches('-');
                    if rest.is_empty() {
                        delimiter_next = true;
                    } else {
                        heredocs.push(rest.to_owned());
                    }
                }
                words.push(w);
                in_word = false;
            }
        };
    }
    macro_rules! end_command {
        ($piped_after:expr) => {{
            end_word!();
            if let Some(start) = cmd_start.take() {
                commands.push(Command {
                    words: std::mem::take(&mut words),
                    start,
                    end: cmd_end,
                    piped_or_background: piped_before || $piped_after,
                });
            }
            words.clear();
        }};
    }

    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b' ' | b'\t' => {
                end_word!();
                i += 1;
                continue;
            }
            // A line continuation joins lines; it separates nothing.
            b'\\' if bytes.get(i + 1) == Some(&b'\n') => {
                end_word!();
                i += 2;
                continue;
            }
            b'#' if !in_word => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'\n' => {
                end_command!(false);
                piped_before = false;
                i += 1;
                // Each heredoc's body runs to the line that is its delimiter alone.
                for delimiter in heredocs.drain(..) {
                    while i < bytes.len() {
                        let eol = script[i..].find('\n').map_or(bytes.len(), |at| i + at);
                        let line = script[i..eol].trim();
                        i = (eol + 1).min(bytes.len());
                        if line == delimiter {
                            break;
                        }
                    }
                }
                delimiter_next = false;
                continue;
            }
            b';' | b'(' | b')' => {
                end_command!(false);
                piped_before = false;
                i += 1;
                continue;
            }
            b'&' | b'|' => {
                // `2>&1`, `>&2` and `&>` are redirections, not control operators.
                let redirect = (c == b'&'
                    && (word.ends_with('>')
                        || word.ends_with('<')
                        || bytes.get(i + 1) == Some(&b'>')))
                    || (c == b'|' && word.ends_with('>'));
                if !redirect {
                    let doubled = bytes.get(i + 1) == Some(&c);
                    // `a | b`: `b` is piped into; `a &` runs in the background.
                    let pipe = c == b'|' && !doubled;
                    let background = c == b'&' && !doubled;
                    end_command!(background || pipe);
                    piped_before = pipe;
                    i += if doubled { 2 } else { 1 };
                    continue;
                }
            }
            _ => {}
        }
        if cmd_start.is_none() {
            cmd_start = Some(i);
        }
        in_word = true;
        let start = i;
        i = skip_quoted(bytes, i);
        word.push_str(&unquote(&script[start..i]));
        cmd_end = i;
    }
    end_command!(false);
    commands
}

/// Returns the index after the unit starting at `i`: a quoted string, an escape, a `$(...)`
/// or `${...}` or backquote substitution, or one plain character.
fn skip_quoted(b: &[u8], i: usize) -> usize {
    let close = |from: usize, quote: u8| {
        let mut j = from;
        while j < b.len() {
            if b[j] == b'\\' && quote != b'\'' {
                j += 2;
                continue;
            }
            if b[j] == quote {
                return j + 1;
            }
            j += 1;
        }
        b.len()
    };
    match b[i] {
        b'\'' => close(i + 1, b'\''),
        b'"' => close(i + 1, b'"'),
        b'`' => close(i + 1, b'`'),
        b'\\' => {
            // The escaped character, whole: `\é` is three bytes.
            let mut j = (i + 2).min(b.len());
            while j < b.len() && (b[j] & 0xC0) == 0x80 {
                j += 1;
            }
            j
        }
        b'$' if matches!(b.get(i + 1), Some(b'(' | b'{')) => {
            let (open, shut) = if b[i + 1] == b'(' {
                (b'(', b')')
            } else {
                (b'{', b'}')
            };
            let mut depth = 0usize;
            let mut j = i + 1;
            while j < b.len() {
                match b[j] {
                    b'\'' | b'"' | b'`' | b'\\' => {
                        j = skip_quoted(b, j);
                        continue;
                    }
                    x if x == open => depth += 1,
                    x if x == shut => {
                        depth -= 1;
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            b.len()
        }
        _ => {
            // Advance by one whole UTF-8 character.
            let mut j = i + 1;
            while j < b.len() && (b[j] & 0xC0) == 0x80 {
                j += 1;
            }
            j
        }
    }
}

fn unquote(unit: &str) -> String {
    if unit.len() >= 2
        && ((unit.starts_with('\'') && unit.ends_with('\''))
            || (unit.starts_with('"') && unit.ends_with('"')))
    {
        unit[1..unit.len() - 1].to_owned()
    } else if let Some(rest) = unit.strip_prefix('\\') {
        rest.to_owned()
    } else {
        unit.to_owned()
    }
}

/// Reserved words that open a construct and may precede a command on the same line.
const OPENERS: [&str; 9] = [
    "then", "else", "do", "if", "elif", "while", "until", "{", "!",
];
/// Reserved words that close a construct; the command before them is the one that ran last.
const CLOSERS: [&str; 3] = ["fi", "}", "esac"];

/// The words of a command without leading reserved words and variable assignments.
pub fn command_words(cmd: &Command) -> &[String] {
    let mut words = cmd.words.as_slice();
    while let Some(first) = words.first() {
        let is_assignment = first.split_once('=').is_some_and(|(name, _)| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if OPENERS.contains(&first.as_str()) || is_assignment {
            words = &words[1..];
        } else {
            break;
        }
    }
    words
}

/// The command the script runs last, looking through `fi`, `}` and `esac`.
pub fn last_command(commands: &[Command]) -> Option<&Command> {
    commands.iter().rev().find(|c| {
        let words = command_words(c);
        match words {
            [] => false,
            [only] => !CLOSERS.contains(&only.as_str()),
            _ => true,
        }
    })
}

/// Where `exec ` goes in the script to make `last` replace the shell: before its command word,
/// after any variable assignments (`PORT=80 exec app` keeps them). `None` when the command
/// cannot be exec'd (piped, in the background) or its words are not written plainly.
pub fn exec_insertion_point(script: &str, last: &Command) -> Option<usize> {
    // A heredoc's body and closing word read as commands here; `exec` there breaks it.
    if last.piped_or_background || script.contains("<<") {
        return None;
    }
    // Only a program can replace the shell: not a builtin, a keyword or a closing word.
    let program = command_words(last).first()?;
    if NOT_PROGRAMS.contains(&program.as_str()) || program.starts_with(['(', '{', '$']) {
        return None;
    }
    let skipped = last.words.len() - command_words(last).len();
    let mut at = last.start;
    // `then app` and `FOO=1 app`: reserved words and assignments stay before the exec.
    for word in &last.words[..skipped] {
        let rest = script.get(at..)?;
        if !rest.starts_with(word.as_str()) {
            return None;
        }
        at += word.len();
        let rest = &script[at..];
        at += rest.len() - rest.trim_start_matches([' ', '\t']).len();
    }
    Some(at)
}

/// Whether the script is a plain list of simple commands joined by `&&`, `;` or newlines,
/// `last` being the last one: `exec` before it changes nothing but which process the
/// command runs as.
pub fn is_simple_chain(script: &str, commands: &[Command], last: &Command) -> bool {
    if commands.last() != Some(last) || script.contains("<<") {
        return false;
    }
    let keyword = |c: &Command| {
        c.words.first().is_some_and(|w| {
            OPENERS.contains(&w.as_str())
                || CLOSERS.contains(&w.as_str())
                || matches!(w.as_str(), "done" | "case" | "in" | "function")
        })
    };
    if commands.iter().any(|c| c.piped_or_background || keyword(c)) {
        return false;
    }
    if !script[..commands[0].start].trim().is_empty() || !script[last.end..].trim().is_empty() {
        return false;
    }
    commands
        .windows(2)
        .all(|w| matches!(script[w[0].end..w[1].start].trim(), "&&" | ";" | ""))
}

fn is_redirection(word: &str) -> bool {
    let rest = word.trim_start_matches(|c: char| c.is_ascii_digit());
    rest.starts_with(['>', '<']) || word.starts_with("&>")
}

/// `exec prog ...` replaces the shell; `exec >log 2>&1` only redirects it.
pub fn is_exec(cmd: &Command) -> bool {
    let words = command_words(cmd);
    if words.first().map(String::as_str) != Some("exec") || cmd.piped_or_background {
        return false;
    }
    let mut rest = words[1..].iter();
    while let Some(w) = rest.next() {
        if is_redirection(w) {
            // A bare operator (`>`, `2>`) takes the next word as its target.
            if w.trim_start_matches(|c: char| c.is_ascii_digit())
                .trim_start_matches('&')
                .trim_matches(['>', '<', '&'])
                .is_empty()
            {
                rest.next();
            }
            continue;
        }
        return true;
    }
    false
}

/// Builtins that finish at once: a script ending with one has no long-running child.
/// What `exec` cannot run: shell builtins and keywords, and the words that close a compound
/// command (`done < f`, `fi 2>&1`).
const NOT_PROGRAMS: [&str; 38] = [
    ":", ".", "source", "eval", "wait", "cd", "export", "set", "unset", "trap", "read", "shift",
    "return", "exit", "time", "true", "false", "echo", "printf", "local", "alias", "break",
    "continue", "done", "fi", "esac", "}", ")", "then", "do", "else", "elif", "if", "while",
    "until", "for", "case", "exec",
];

const QUICK_BUILTINS: [&str; 10] = [
    "exit", "true", "false", ":", "echo", "printf", "return", "set", "export", "cd",
];

/// The last command exits the shell (or runs nothing that lasts), so there is no process to
/// keep alive and nothing for SIGTERM to reach.
pub fn is_quick_builtin(cmd: &Command) -> bool {
    command_words(cmd)
        .first()
        .is_some_and(|w| QUICK_BUILTINS.contains(&w.as_str()))
}

/// Whether the script installs a handler for SIGTERM (and so can forward it).
pub fn traps_term(commands: &[Command]) -> bool {
    commands.iter().any(|c| {
        let words = command_words(c);
        words.first().map(String::as_str) == Some("trap")
            && words[1..]
                .iter()
                .any(|w| matches!(w.as_str(), "TERM" | "SIGTERM" | "15" | "term"))
    })
}

/// A single simple command with nothing else: bash exec's it without forking.
pub fn is_single_simple_command(commands: &[Command]) -> bool {
    match commands {
        [only] => {
            let words = command_words(only);
            !only.piped_or_background
                && words.len() == only.words.len()
                && !words.is_empty()
                && !words.iter().any(|w| is_redirection(w))
                && !matches!(words[0].as_str(), "while" | "for" | "until" | "if" | "case")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last(script: &str) -> (Vec<String>, bool) {
        let cmds = split_commands(script);
        let c = last_command(&cmds).expect("a command");
        (c.words.clone(), is_exec(c))
    }

    #[test]
    fn finds_the_last_command_and_its_exec() {
        assert!(!last("python app.py").1);
        assert!(last("cd /app && exec python app.py").1);
        assert!(last("set -e\n# comment; exec x\nexec \"$@\"\n").1);
        assert!(!last("exec >/var/log/x 2>&1; python app.py").1);
        assert!(!last("exec 2>&1").1);
        assert!(last("if [ -f x ]; then exec a; else exec b; fi").1);
        assert!(!last("python app.py | tee log").1);
        assert!(!last("exec python app.py | tee log").1);
        assert_eq!(last("echo \"a; exec b\"").0, vec!["echo", "a; exec b"]);
        assert!(last("x=$(cat f; echo y) exec run").1);
        assert!(!last("while true; do sleep 5; done").1);
        assert_eq!(
            last("nginx -g 'daemon off;'").0,
            vec!["nginx", "-g", "daemon off;"]
        );
        assert_eq!(
            last("pip install x && \\\n  run --flag").0,
            vec!["run", "--flag"]
        );
    }

    #[test]
    fn heredoc_bodies_are_not_commands() {
        assert_eq!(
            last("psql \"$DB\" <<EOF\nVACUUM;\nEOF").0,
            vec!["psql", "$DB", "<<EOF"]
        );
        assert_eq!(
            last("cat <<-'END' >/etc/x\n\tline; rm -rf /\n\tEND\nexec app").0,
            vec!["exec", "app"]
        );
        assert_eq!(last("cat << EOF\nbody\nEOF\nrun").0, vec!["run"]);
        assert_eq!(last("grep x <<< \"$v\"; run").0, vec!["run"]);
    }

    #[test]
    fn an_escaped_multibyte_character_is_one_word_character() {
        assert_eq!(last("echo \\é; app").0, vec!["app"]);
    }

    #[test]
    fn ranges_point_into_the_script() {
        let s = "cd /app && python  app.py --port 80 # run";
        let cmds = split_commands(s);
        let c = last_command(&cmds).unwrap();
        assert_eq!(&s[c.start..c.end], "python  app.py --port 80");
    }

    #[test]
    fn traps_and_single_commands() {
        assert!(traps_term(&split_commands(
            "trap 'kill $PID' TERM; app & PID=$!; wait"
        )));
        assert!(!traps_term(&split_commands("trap cleanup EXIT; app")));
        assert!(is_single_simple_command(&split_commands("python app.py")));
        assert!(!is_single_simple_command(&split_commands(
            "python app.py > log"
        )));
        assert!(!is_single_simple_command(&split_commands("a; b")));
    }
}
