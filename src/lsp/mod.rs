//! The language server behind `rectify lsp`: protocol messages in, protocol messages out.
//!
//! Messages are answered in order from the open documents, which are checked again on every
//! change. A handler that panics is caught: the request gets an error answer, the editor a log
//! message, and the server goes on. The server reads files only beside an open document (its
//! vocabularies and sibling schemes) and writes none; the command line carries its messages
//! over standard input and output.

mod document;
mod features;
mod index;

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use lsp_server::{ErrorCode, Message, Notification, Request, Response};
use lsp_types::*;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use document::{Document, beside, file_path};
use index::Index;

use crate::lang::{Lang, Text};

impl Server {
    /// A server for the editor whose `initialize` request carried `params`, and the answer to
    /// that request. `lang` is the language to speak unless the editor asks for another.
    pub fn start(params: Value, lang: Lang) -> (Server, Value) {
        let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
        let lang = chosen_language(&params).unwrap_or(lang);
        let result = json!({
            "capabilities": capabilities(),
            "serverInfo": { "name": "rectify", "version": env!("CARGO_PKG_VERSION") },
        });
        (Server::new(lang), result)
    }

    /// Takes one message from the editor; returns the messages to send back, the answer to a
    /// request last.
    pub fn handle(&mut self, message: Message) -> Vec<Message> {
        match message {
            Message::Request(request) => {
                let (response, notifications) = self.request(request);
                let mut out: Vec<Message> = notifications
                    .into_iter()
                    .map(Message::Notification)
                    .collect();
                out.push(Message::Response(response));
                out
            }
            Message::Notification(notification) => self
                .notification(notification)
                .into_iter()
                .map(Message::Notification)
                .collect(),
            Message::Response(_) => Vec::new(),
        }
    }
}

/// The language the editor asks for (`initializationOptions.lang`, else its locale).
fn chosen_language(params: &InitializeParams) -> Option<Lang> {
    let asked = params
        .initialization_options
        .as_ref()
        .and_then(|options| options.get("lang"))
        .and_then(Value::as_str)
        .and_then(Lang::parse);
    #[allow(deprecated)] // `locale` is where LSP 3.16 clients put it.
    let locale = params.locale.as_deref().map(|locale| {
        if locale.starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    });
    asked.or(locale)
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["(".into(), "（".into(), " ".into()]),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![features::RUN_EXAMPLE.to_string()],
            ..ExecuteCommandOptions::default()
        }),
        ..ServerCapabilities::default()
    }
}

/// The open documents and the language the server speaks.
pub struct Server {
    lang: Lang,
    documents: HashMap<String, Document>,
    /// Each document's ids when it last parsed, for completion while it is half typed.
    parsed: HashMap<String, Index>,
}

type Answer = Result<Value, (ErrorCode, String)>;

impl Server {
    pub(crate) fn new(lang: Lang) -> Server {
        Server {
            lang,
            documents: HashMap::new(),
            parsed: HashMap::new(),
        }
    }

    /// Answers a request, with the notifications it leads to; a panic is an error answer.
    pub(crate) fn request(&mut self, request: Request) -> (Response, Vec<Notification>) {
        let method = request.method.clone();
        let mut notifications = Vec::new();
        let answer = catch_unwind(AssertUnwindSafe(|| {
            self.answer(&request.method, request.params, &mut notifications)
        }))
        .unwrap_or_else(|_| {
            let log = self.log_panic(&method);
            let message = log.params["message"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            notifications.push(log);
            Err((ErrorCode::InternalError, message))
        });
        let response = match answer {
            Ok(result) => Response::new_ok(request.id, result),
            Err((code, message)) => Response::new_err(request.id, code as i32, message),
        };
        (response, notifications)
    }

    /// Takes a notification in; returns what the editor is to be told (diagnostics).
    pub(crate) fn notification(&mut self, notification: Notification) -> Vec<Notification> {
        let method = notification.method.clone();
        catch_unwind(AssertUnwindSafe(|| {
            self.notified(&notification.method, notification.params)
        }))
        .unwrap_or_else(|_| vec![self.log_panic(&method)])
    }

    fn log_panic(&self, method: &str) -> Notification {
        Notification::new(
            "window/logMessage".to_string(),
            LogMessageParams {
                typ: MessageType::ERROR,
                message: Text::new("lsp.panic")
                    .with("method", method)
                    .render(self.lang),
            },
        )
    }

    fn notified(&mut self, method: &str, params: Value) -> Vec<Notification> {
        match method {
            "textDocument/didOpen" => {
                let Some(p) = parse::<DidOpenTextDocumentParams>(params) else {
                    return Vec::new();
                };
                self.open(p.text_document.uri, p.text_document.text)
            }
            "textDocument/didChange" => {
                let Some(p) = parse::<DidChangeTextDocumentParams>(params) else {
                    return Vec::new();
                };
                // Full synchronisation: the last change holds the whole text.
                match p.content_changes.into_iter().last() {
                    Some(change) => self.open(p.text_document.uri, change.text),
                    None => Vec::new(),
                }
            }
            "textDocument/didClose" => {
                let Some(p) = parse::<DidCloseTextDocumentParams>(params) else {
                    return Vec::new();
                };
                let key = p.text_document.uri.as_str().to_string();
                self.documents.remove(&key);
                self.parsed.remove(&key);
                vec![publish(p.text_document.uri, Vec::new())]
            }
            _ => Vec::new(),
        }
    }

    /// Reads a document anew and says its problems.
    pub(crate) fn open(&mut self, uri: Uri, text: String) -> Vec<Notification> {
        // A file beside it that is open is read as the editor holds it, not as it was saved.
        let open: HashMap<std::path::PathBuf, &str> = self
            .documents
            .values()
            .filter_map(|doc| Some((file_path(&doc.uri)?, doc.text.as_str())))
            .collect();
        let others = file_path(&uri)
            .map(|path| beside(&path))
            .unwrap_or_default()
            .into_iter()
            .map(|(other, mut file)| {
                if let Some(text) = file_path(&other).and_then(|path| open.get(&path)) {
                    file.text = text.to_string();
                }
                (other, file)
            })
            .collect();
        let document = Document::new(uri.clone(), text, others);
        let diagnostics = features::diagnostics(&document, self.lang);
        let key = uri.as_str().to_string();
        if document.parses {
            self.parsed.insert(key.clone(), document.index.clone());
        }
        self.documents.insert(key, document);
        vec![publish(uri, diagnostics)]
    }

    fn document(&self, uri: &Uri) -> Result<&Document, (ErrorCode, String)> {
        self.documents.get(uri.as_str()).ok_or_else(|| {
            let why = Text::new("lsp.not_open").with("uri", uri.as_str());
            (ErrorCode::InvalidParams, why.render(self.lang))
        })
    }

    fn answer(&mut self, method: &str, params: Value, out: &mut Vec<Notification>) -> Answer {
        let lang = self.lang;
        let value = |v: Result<Value, serde_json::Error>| {
            v.map_err(|e| (ErrorCode::InternalError, e.to_string()))
        };
        match method {
            "textDocument/hover" => {
                let p: HoverParams = params_of(params)?;
                let at = p.text_document_position_params;
                let doc = self.document(&at.text_document.uri)?;
                value(serde_json::to_value(features::hover(
                    doc,
                    at.position,
                    lang,
                )))
            }
            "textDocument/definition" => {
                let p: GotoDefinitionParams = params_of(params)?;
                let at = p.text_document_position_params;
                let doc = self.document(&at.text_document.uri)?;
                value(serde_json::to_value(features::definition(doc, at.position)))
            }
            "textDocument/references" => {
                let p: ReferenceParams = params_of(params)?;
                let at = p.text_document_position;
                let doc = self.document(&at.text_document.uri)?;
                let found = features::references(doc, at.position, p.context.include_declaration);
                value(serde_json::to_value(found))
            }
            "textDocument/prepareRename" => {
                let p: TextDocumentPositionParams = params_of(params)?;
                let doc = self.document(&p.text_document.uri)?;
                value(serde_json::to_value(features::prepare_rename(
                    doc, p.position,
                )))
            }
            "textDocument/rename" => {
                let p: RenameParams = params_of(params)?;
                let at = p.text_document_position;
                let doc = self.document(&at.text_document.uri)?;
                match features::rename(doc, at.position, &p.new_name) {
                    Ok(edit) => value(serde_json::to_value(edit)),
                    Err(why) => Err((ErrorCode::RequestFailed, why.render(lang))),
                }
            }
            "textDocument/completion" => {
                let p: CompletionParams = params_of(params)?;
                let at = p.text_document_position;
                let doc = self.document(&at.text_document.uri)?;
                let names = match doc.parses {
                    true => &doc.index,
                    false => self
                        .parsed
                        .get(at.text_document.uri.as_str())
                        .unwrap_or(&doc.index),
                };
                value(serde_json::to_value(features::completion(
                    doc,
                    names,
                    at.position,
                )))
            }
            "textDocument/documentSymbol" => {
                let p: DocumentSymbolParams = params_of(params)?;
                let doc = self.document(&p.text_document.uri)?;
                value(serde_json::to_value(features::symbols(doc, lang)))
            }
            "textDocument/foldingRange" => {
                let p: FoldingRangeParams = params_of(params)?;
                let doc = self.document(&p.text_document.uri)?;
                value(serde_json::to_value(features::folding(doc)))
            }
            "textDocument/formatting" => {
                let p: DocumentFormattingParams = params_of(params)?;
                let doc = self.document(&p.text_document.uri)?;
                value(serde_json::to_value(features::formatting(doc)))
            }
            "textDocument/codeAction" => {
                let p: CodeActionParams = params_of(params)?;
                let doc = self.document(&p.text_document.uri)?;
                value(serde_json::to_value(features::code_actions(
                    doc, p.range, lang,
                )))
            }
            "textDocument/codeLens" => {
                let p: CodeLensParams = params_of(params)?;
                let doc = self.document(&p.text_document.uri)?;
                value(serde_json::to_value(features::code_lenses(doc, lang)))
            }
            "workspace/executeCommand" => {
                let p: ExecuteCommandParams = params_of(params)?;
                let arg = |n: usize| p.arguments.get(n).and_then(Value::as_str).unwrap_or("");
                if p.command != features::RUN_EXAMPLE {
                    return Err((ErrorCode::InvalidParams, p.command));
                }
                let uri: Uri = arg(0)
                    .parse()
                    .map_err(|_| (ErrorCode::InvalidParams, arg(0).to_string()))?;
                let doc = self.document(&uri)?;
                let (passed, message) = features::run_example(doc, arg(1), lang);
                out.push(Notification::new(
                    "window/showMessage".to_string(),
                    ShowMessageParams {
                        typ: if passed {
                            MessageType::INFO
                        } else {
                            MessageType::WARNING
                        },
                        message: message.clone(),
                    },
                ));
                Ok(json!({ "passed": passed, "message": message }))
            }
            // A handler that fails, for the test that the server outlives it.
            #[cfg(test)]
            "rectify/fail" => panic!("a handler failed"),
            _ => Err((ErrorCode::MethodNotFound, method.to_string())),
        }
    }
}

fn parse<T: DeserializeOwned>(params: Value) -> Option<T> {
    serde_json::from_value(params).ok()
}

fn params_of<T: DeserializeOwned>(params: Value) -> Result<T, (ErrorCode, String)> {
    serde_json::from_value(params).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}

fn publish(uri: Uri, diagnostics: Vec<Diagnostic>) -> Notification {
    Notification::new(
        "textDocument/publishDiagnostics".to_string(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        },
    )
}

#[cfg(test)]
mod tests;
