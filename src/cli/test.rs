//! `rectify test`.
use super::Status;
#[derive(Debug, clap::Args)]
pub struct Args {}
pub fn run(_args: Args) -> Status { Status::Ok }
