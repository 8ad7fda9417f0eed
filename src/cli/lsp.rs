//! `rectify lsp`: the language server of [`rectify::lsp`], over standard input and output.

use lsp_server::{Connection, Message};
use rectify::lang::Text;
use rectify::lsp::Server;

use super::Status;
use super::render::fatal;

/// Run the language server, over standard input and output, for any editor.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_: Args) -> Status {
    match serve() {
        Ok(()) => Status::Ok,
        Err(error) => {
            fatal(Text::new("lsp.failed").with("error", error));
            Status::Failure
        }
    }
}

/// Answers one editor until it asks the server to exit.
fn serve() -> Result<(), String> {
    let (connection, threads) = Connection::stdio();
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let (mut server, result) = Server::start(params, super::lang());
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    for message in &connection.receiver {
        if let Message::Request(request) = &message
            && connection
                .handle_shutdown(request)
                .map_err(|e| e.to_string())?
        {
            break;
        }
        for answer in server.handle(message) {
            connection.sender.send(answer).map_err(|e| e.to_string())?;
        }
    }
    drop(connection);
    threads.join().map_err(|e| e.to_string())
}
