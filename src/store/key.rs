//! The secret with which a store hashes reporters: made once, kept in a file of its own beside
//! the store (readable by its owner only), never printed and never written into the store.
//!
//! Two tips from the same reporter get the same hash, so a rule can ask for "the same
//! reporter" (同人同事); without the secret the hash does not say who it is, not even to
//! someone who guesses names and numbers.

use std::io::Write;
use std::path::Path;

use super::StoreError;
use crate::eval::Reporter;

/// The length of the secret, in bytes.
const LENGTH: usize = 32;

/// A store's secret for hashing reporters.
#[derive(Clone)]
pub struct ReporterKey([u8; LENGTH]);

impl std::fmt::Debug for ReporterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReporterKey(…)")
    }
}

impl ReporterKey {
    /// The key in `path`, made there first when the file does not exist.
    pub fn load_or_create(path: &Path) -> Result<ReporterKey, StoreError> {
        let fail = |error| StoreError::Key(path.to_path_buf(), error);
        match std::fs::read(path) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; LENGTH];
                getrandom::fill(&mut key)
                    .map_err(|e| fail(std::io::Error::other(e.to_string())))?;
                match write_new(path, &key) {
                    Ok(()) => {}
                    // Another process made it first: use theirs.
                    Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
                    Err(error) => return Err(fail(error)),
                }
                Self::from_file(path)
            }
            _ => Self::from_file(path),
        }
    }

    fn from_file(path: &Path) -> Result<ReporterKey, StoreError> {
        let bytes =
            std::fs::read(path).map_err(|error| StoreError::Key(path.to_path_buf(), error))?;
        let key: [u8; LENGTH] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::KeyLength(path.to_path_buf(), LENGTH))?;
        Ok(ReporterKey(key))
    }

    /// The hash of a reporter: name and contact in normal form, keyed, as 32 hex digits.
    pub fn hash(&self, reporter: &Reporter) -> String {
        let mut hasher = blake3::Hasher::new_keyed(&self.0);
        reporter.hash_into(&mut hasher);
        let hash = hasher.finalize();
        hash.to_hex()[..32].to_string()
    }
}

/// Writes a new file that only its owner may read, failing if it exists. The bytes are written
/// to a file of their own first and then linked in under `path`, so that another process
/// making the same key at once never reads it half written.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.new", std::process::id()));
    let staged = path.with_file_name(name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&staged).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&staged, path));
    let _ = std::fs::remove_file(&staged);
    linked
}
