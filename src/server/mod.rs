//! `kubelint server`: the Language Server Protocol over stdio. Synchronous, as the protocol's
//! messages are handled one at a time; reading the workspace happens on a thread of its own so
//! the editor gets diagnostics for what it opens before the folders are read.
//!
//! Each change lints the changed document alone (its first pass) against the workspace's files
//! and the other open documents, read before and kept as context; then re-lints the other open
//! documents, whose cross-object findings the change may have changed, and publishes what
//! differs.

pub mod actions;
pub mod convert;
pub mod workspace;

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use crossbeam_channel::{Sender, select};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{self as lsp, notification::Notification as _, request::Request as _};

use crate::diagnostic::Diagnostic;
use crate::lint::{self, Pass};
use crate::load::{self, Input};

use convert::Text;
use workspace::{Index, Settings, Setup};

/// Runs the server until the client says `exit`; 0 after a `shutdown`, 1 without one.
pub fn run() -> ExitCode {
    let (connection, io_threads) = Connection::stdio();
    let code = match serve(&connection) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kubelint server: {e}");
            ExitCode::from(1)
        }
    };
    // The writer thread ends when every sender is gone: drop the connection before joining.
    drop(connection);
    if let Err(e) = io_threads.join() {
        eprintln!("kubelint server: {e}");
    }
    code
}

fn serve(connection: &Connection) -> Result<ExitCode, String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: lsp::InitializeParams =
        serde_json::from_value(params).map_err(|e| format!("initialize: {e}"))?;
    let capabilities = lsp::ServerCapabilities {
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::FULL),
                save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                ..lsp::TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp::CodeActionKind::QUICKFIX,
                    lsp::CodeActionKind::from(actions::FIX_ALL),
                ]),
                ..lsp::CodeActionOptions::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        ..lsp::ServerCapabilities::default()
    };
    let result = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": {"name": "kubelint", "version": env!("CARGO_PKG_VERSION")},
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let roots = workspace_roots(&params);
    let (settings, settings_error) = match Settings::from_json(params.initialization_options) {
        Ok(s) => (s, None),
        Err(e) => (Settings::default(), Some(e)),
    };
    let (indexed_tx, indexed_rx) = crossbeam_channel::unbounded();
    let mut server = Server {
        sender: connection.sender.clone(),
        setup: Arc::new(Setup::new(Vec::new(), &settings).0),
        settings,
        index: Index::default(),
        generation: 0,
        documents: BTreeMap::new(),
        shutting_down: false,
        indexed_tx,
    };
    if let Some(e) = settings_error {
        server.show_error(&e);
    }
    server.configure(roots);
    loop {
        let message = select! {
            recv(connection.receiver) -> m => match m {
                Ok(m) => Event::Message(m),
                Err(_) => return Ok(ExitCode::from(1)),
            },
            recv(indexed_rx) -> i => match i {
                Ok(i) => Event::Indexed(i),
                Err(_) => continue,
            },
        };
        match message {
            Event::Message(m) => {
                if let Some(code) = server.handle(m) {
                    return Ok(code);
                }
            }
            Event::Indexed(indexed) => server.indexed(indexed),
        }
        // A burst of changes (typing) is linted once, at its end: what is already waiting is
        // read before anything is linted.
        while let Ok(m) = connection.receiver.try_recv() {
            if let Some(code) = server.handle(m) {
                return Ok(code);
            }
        }
        server.flush(Some(&connection.receiver));
    }
}

enum Event {
    Message(Message),
    Indexed(Indexed),
}

/// A workspace read on the indexing thread, for the configuration of `generation`.
struct Indexed {
    generation: u64,
    index: Index,
    elapsed_ms: u128,
}

struct Document {
    uri: lsp::Uri,
    /// The file's path; for a buffer with no file (`untitled:`), its URI.
    path: PathBuf,
    text: Arc<str>,
    json: bool,
    /// Its first pass, as the findings it reports; `None` once its text changed.
    own: Option<Pass>,
    /// What the last lint reported, after suppressions.
    diagnostics: Vec<Diagnostic>,
    published: Option<Vec<lsp::Diagnostic>>,
    /// Linted again at the next flush.
    stale: bool,
    /// Its text changed since it was last linted: linted before the other stale documents.
    edited: bool,
}

impl Document {
    fn display(&self) -> String {
        load::display_path(&self.path)
    }

    fn input(&self) -> Input {
        Input::Buffer {
            path: self.path.clone(),
            display: self.display(),
            text: self.text.clone(),
        }
    }
}

struct Server {
    sender: Sender<Message>,
    settings: Settings,
    setup: Arc<Setup>,
    index: Index,
    /// Bumped on every new configuration: a workspace read for an older one is dropped.
    generation: u64,
    documents: BTreeMap<String, Document>,
    shutting_down: bool,
    indexed_tx: Sender<Indexed>,
}

impl Server {
    /// Returns the process's exit code when the client says `exit`.
    fn handle(&mut self, message: Message) -> Option<ExitCode> {
        match message {
            Message::Request(request) => {
                self.request(request);
                None
            }
            Message::Notification(n) if n.method == lsp::notification::Exit::METHOD => {
                Some(if self.shutting_down {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                })
            }
            Message::Notification(n) => {
                if let Err(e) = self.notification(n) {
                    self.log(lsp::MessageType::ERROR, &e);
                }
                None
            }
            Message::Response(_) => None,
        }
    }

    fn request(&mut self, request: Request) {
        let id = request.id.clone();
        if self.shutting_down {
            return self.respond_error(
                id,
                ErrorCode::InvalidRequest,
                "the server is shutting down".to_owned(),
            );
        }
        match request.method.as_str() {
            lsp::request::Shutdown::METHOD => {
                self.shutting_down = true;
                self.respond(id, serde_json::Value::Null);
            }
            lsp::request::CodeActionRequest::METHOD => {
                match serde_json::from_value::<lsp::CodeActionParams>(request.params) {
                    Ok(params) => {
                        self.flush_document(params.text_document.uri.as_str());
                        let result = self.code_actions(&params);
                        self.respond(id, result);
                    }
                    Err(e) => self.respond_error(id, ErrorCode::InvalidParams, e.to_string()),
                }
            }
            lsp::request::HoverRequest::METHOD => {
                match serde_json::from_value::<lsp::HoverParams>(request.params) {
                    Ok(params) => {
                        let position = params.text_document_position_params;
                        self.flush_document(position.text_document.uri.as_str());
                        let hover = self
                            .documents
                            .get(position.text_document.uri.as_str())
                            .and_then(|doc| {
                                actions::hover(&doc.text, &doc.diagnostics, position.position)
                            });
                        self.respond(id, hover);
                    }
                    Err(e) => self.respond_error(id, ErrorCode::InvalidParams, e.to_string()),
                }
            }
            method => self.respond_error(
                id,
                ErrorCode::MethodNotFound,
                format!("kubelint does not handle `{method}`"),
            ),
        }
    }

    fn notification(&mut self, n: Notification) -> Result<(), String> {
        use lsp::notification as note;
        fn params<P: serde::de::DeserializeOwned>(n: Notification) -> Result<P, String> {
            let method = n.method.clone();
            serde_json::from_value(n.params).map_err(|e| format!("{method}: {e}"))
        }
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                let p: lsp::DidOpenTextDocumentParams = params(n)?;
                let doc = p.text_document;
                if !is_manifest(&doc.uri, &doc.language_id) {
                    return Ok(());
                }
                let path =
                    convert::path_of(&doc.uri).unwrap_or_else(|| PathBuf::from(doc.uri.as_str()));
                let json =
                    doc.language_id == "json" || path.extension().is_some_and(|e| e == "json");
                self.documents.insert(
                    doc.uri.as_str().to_owned(),
                    Document {
                        uri: doc.uri,
                        path,
                        text: Arc::from(doc.text),
                        json,
                        own: None,
                        diagnostics: Vec::new(),
                        published: None,
                        stale: true,
                        edited: true,
                    },
                );
                self.all_stale();
            }
            note::DidChangeTextDocument::METHOD => {
                let p: lsp::DidChangeTextDocumentParams = params(n)?;
                let Some(doc) = self.documents.get_mut(p.text_document.uri.as_str()) else {
                    return Ok(());
                };
                // Full sync: the last change is the whole text.
                if let Some(change) = p.content_changes.into_iter().last() {
                    doc.text = Arc::from(change.text);
                    doc.own = None;
                    doc.edited = true;
                    self.all_stale();
                }
            }
            note::DidSaveTextDocument::METHOD => {
                let p: lsp::DidSaveTextDocumentParams = params(n)?;
                if let Some(path) = convert::path_of(&p.text_document.uri) {
                    self.setup.reread(&mut self.index, &path);
                    self.all_stale();
                }
            }
            note::DidCloseTextDocument::METHOD => {
                let p: lsp::DidCloseTextDocumentParams = params(n)?;
                if let Some(doc) = self.documents.remove(p.text_document.uri.as_str()) {
                    // Its findings go with it; what is on disk (or nothing, if it was deleted)
                    // is the workspace's again.
                    self.publish(&doc.uri, Vec::new());
                    if let Some(path) = convert::path_of(&doc.uri) {
                        self.setup.reread(&mut self.index, &path);
                    }
                    self.all_stale();
                }
            }
            note::DidChangeConfiguration::METHOD => {
                let p: lsp::DidChangeConfigurationParams = params(n)?;
                match Settings::from_json(Some(p.settings)) {
                    Ok(settings) => {
                        self.settings = settings;
                        let roots = self.setup.roots.clone();
                        self.configure(roots);
                    }
                    Err(e) => self.show_error(&e),
                }
            }
            note::DidChangeWatchedFiles::METHOD => {
                let p: lsp::DidChangeWatchedFilesParams = params(n)?;
                for change in p.changes {
                    if let Some(path) = convert::path_of(&change.uri) {
                        self.setup.reread(&mut self.index, &path);
                    }
                }
                self.all_stale();
            }
            _ => {}
        }
        Ok(())
    }

    /// Reads the configuration for `roots` and starts reading the workspace with it.
    fn configure(&mut self, roots: Vec<PathBuf>) {
        let (setup, error) = Setup::new(roots, &self.settings);
        if let Some(e) = error {
            self.show_error(&format!("{e}; linting with the default configuration"));
        }
        let setup = Arc::new(setup);
        self.setup = setup.clone();
        // The workspace read for the previous settings stays until this one is read: its files
        // are the same, and dropping it would make cross-object findings flicker.
        self.generation += 1;
        let generation = self.generation;
        let indexed = self.indexed_tx.clone();
        std::thread::spawn(move || {
            let started = Instant::now();
            let index = setup.index();
            let _ = indexed.send(Indexed {
                generation,
                index,
                elapsed_ms: started.elapsed().as_millis(),
            });
        });
        for doc in self.documents.values_mut() {
            doc.own = None;
        }
        self.all_stale();
    }

    fn indexed(&mut self, indexed: Indexed) {
        if indexed.generation != self.generation {
            return;
        }
        self.log(
            lsp::MessageType::INFO,
            &format!(
                "kubelint: read {} workspace files in {} ms",
                indexed.index.files, indexed.elapsed_ms
            ),
        );
        self.index = indexed.index;
        for doc in self.documents.values_mut() {
            // Whether a document is a kustomize patch is known now.
            doc.own = None;
        }
        self.all_stale();
    }

    fn all_stale(&mut self) {
        for doc in self.documents.values_mut() {
            doc.stale = true;
        }
    }

    /// Lints the documents whose findings may have changed and publishes those that did: the
    /// edited ones first, then the others (a change may have changed their cross-object
    /// findings). Stops early when the editor has sent something else meanwhile: the rest
    /// stay stale and are linted after it, so typing is never queued behind other files.
    fn flush(&mut self, pending: Option<&crossbeam_channel::Receiver<Message>>) {
        let options = self.prepare();
        let mut keys: Vec<(bool, String)> = self
            .documents
            .iter()
            .filter(|(_, d)| d.stale)
            .map(|(k, d)| (!d.edited, k.clone()))
            .collect();
        keys.sort();
        for (_, key) in keys {
            self.relint(&key, &options);
            if pending.is_some_and(|p| !p.is_empty()) {
                return;
            }
        }
    }

    /// Makes one document's findings current (a request about it is answered from them).
    fn flush_document(&mut self, key: &str) {
        if self.documents.get(key).is_some_and(|d| d.stale) {
            let options = self.prepare();
            self.relint(key, &options);
        }
    }

    /// The first pass of every document whose text changed, and the run options.
    fn prepare(&mut self) -> lint::RunOptions {
        let setup = self.setup.clone();
        let mut options = setup.options.clone();
        options.patches = self.index.patches.clone();
        for doc in self.documents.values_mut().filter(|d| d.own.is_none()) {
            doc.own = Some(lint::first_pass(
                &[doc.input()],
                &[],
                &setup.rules,
                &options,
                false,
            ));
        }
        options
    }

    fn relint(&mut self, key: &str, options: &lint::RunOptions) {
        let open: HashSet<PathBuf> = self.documents.values().map(|d| d.path.clone()).collect();
        let diagnostics = self.lint(key, &open, options);
        let doc = self.documents.get_mut(key).expect("a key of the map");
        doc.stale = false;
        doc.edited = false;
        doc.diagnostics = diagnostics;
        let text = Text::new(&doc.text);
        let published: Vec<lsp::Diagnostic> = doc
            .diagnostics
            .iter()
            .map(|d| convert::diagnostic(d, &text, &doc.uri))
            .collect();
        if doc.published.as_ref() != Some(&published) {
            doc.published = Some(published.clone());
            let uri = doc.uri.clone();
            self.publish(&uri, published);
        }
    }

    /// The findings of one open document, with the workspace and the other open documents
    /// as context.
    fn lint(
        &self,
        key: &str,
        open: &HashSet<PathBuf>,
        options: &lint::RunOptions,
    ) -> Vec<Diagnostic> {
        let doc = &self.documents[key];
        let Some(own) = &doc.own else {
            return Vec::new();
        };
        let mut pass = own.clone();
        pass.reuse(&self.index.pass, &|input| match input {
            Input::File { path, .. } => !open.contains(path),
            _ => true,
        });
        for (other_key, other) in &self.documents {
            if other_key != key
                && let Some(other_pass) = &other.own
            {
                pass.reuse(&other_pass.clone().into_context(), &|_| true);
            }
        }
        let rules = &self.setup.rules;
        let (mut report, _) = lint::finish(pass, rules, options, false);
        self.setup.config.apply_suppressions(&mut report);
        let display = doc.display();
        report
            .files
            .into_iter()
            .filter(|f| *f.path == *display)
            .flat_map(|f| f.diagnostics)
            .collect()
    }

    fn code_actions(&self, params: &lsp::CodeActionParams) -> Vec<lsp::CodeActionOrCommand> {
        let Some(doc) = self.documents.get(params.text_document.uri.as_str()) else {
            return Vec::new();
        };
        let display = doc.display();
        let target = actions::Target {
            uri: &doc.uri,
            display: &display,
            text: &doc.text,
            json: doc.json,
            diagnostics: &doc.diagnostics,
        };
        actions::code_actions(
            &target,
            params.range,
            params.context.only.as_deref(),
            &self.setup.rules,
        )
    }

    fn publish(&self, uri: &lsp::Uri, diagnostics: Vec<lsp::Diagnostic>) {
        self.notify::<lsp::notification::PublishDiagnostics>(lsp::PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics,
            version: None,
        });
    }

    fn log(&self, typ: lsp::MessageType, message: &str) {
        self.notify::<lsp::notification::LogMessage>(lsp::LogMessageParams {
            typ,
            message: message.to_owned(),
        });
    }

    fn show_error(&self, message: &str) {
        self.notify::<lsp::notification::ShowMessage>(lsp::ShowMessageParams {
            typ: lsp::MessageType::ERROR,
            message: message.to_owned(),
        });
    }

    fn notify<N: lsp::notification::Notification>(&self, params: N::Params) {
        let _ = self
            .sender
            .send(Notification::new(N::METHOD.to_owned(), params).into());
    }

    fn respond(&self, id: RequestId, result: impl serde::Serialize) {
        let _ = self.sender.send(Response::new_ok(id, result).into());
    }

    fn respond_error(&self, id: RequestId, code: ErrorCode, message: String) {
        let _ = self
            .sender
            .send(Response::new_err(id, code as i32, message).into());
    }
}

/// The folders of the workspace (or its root), as absolute paths.
fn workspace_roots(params: &lsp::InitializeParams) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| convert::path_of(&f.uri))
        .collect();
    #[allow(deprecated)]
    if roots.is_empty()
        && let Some(root) = params.root_uri.as_ref().and_then(convert::path_of)
    {
        roots.push(root);
    }
    roots
}

/// YAML and JSON documents; which of them hold Kubernetes objects is the linter's to say
/// (a document that holds none gets no findings, as a file found by walking).
fn is_manifest(uri: &lsp::Uri, language_id: &str) -> bool {
    matches!(language_id, "yaml" | "json" | "jsonc")
        || uri
            .as_str()
            .rsplit_once('.')
            .is_some_and(|(_, ext)| load::EXTENSIONS.contains(&ext))
}
