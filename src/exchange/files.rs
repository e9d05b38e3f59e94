//! Files on the exchange medium (USB stick or network share): written so that a reader never
//! sees half a file (temporary name, fsync, rename, fsync of the folder), read with a size cap.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::ExchangeError;

/// The largest file read from an exchange folder: far above a day's bundle (10,000 forms are
/// about 40 MB), far below what would exhaust a tablet's memory.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExchangeError + '_ {
    move |source| ExchangeError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Writes `bytes` to `dir/name` atomically and durably. An existing file of that name is
/// replaced only once the new one is complete.
pub fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, ExchangeError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let target = dir.join(name);
    let temp = dir.join(format!(".{name}.partial"));
    {
        let mut file = std::fs::File::create(&temp).map_err(io(&temp))?;
        file.write_all(bytes).map_err(io(&temp))?;
        file.sync_all().map_err(io(&temp))?;
    }
    if let Err(e) = std::fs::rename(&temp, &target) {
        let _ = std::fs::remove_file(&temp);
        return Err(io(&target)(e));
    }
    // The rename itself must survive a power cut; not every file system lets a folder be
    // opened for this (some network shares), which is not an error.
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(target)
}

/// Writes many files into `dir`, each whole and durable before it gets its name, with one
/// folder sync at the end instead of one per file.
pub fn write_batch(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), ExchangeError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    for (name, bytes) in files {
        let target = dir.join(name);
        let temp = dir.join(format!(".{name}.partial"));
        {
            let mut file = std::fs::File::create(&temp).map_err(io(&temp))?;
            file.write_all(bytes).map_err(io(&temp))?;
            file.sync_data().map_err(io(&temp))?;
        }
        if let Err(e) = std::fs::rename(&temp, &target) {
            let _ = std::fs::remove_file(&temp);
            return Err(io(&target)(e));
        }
    }
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// Reads a whole file, refusing one larger than [`MAX_FILE_BYTES`] before reading it all.
pub fn read_capped(path: &Path) -> Result<Vec<u8>, ExchangeError> {
    let file = std::fs::File::open(path).map_err(io(path))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io(path))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ExchangeError::TooLarge {
            path: path.to_owned(),
        });
    }
    Ok(bytes)
}

/// Files in `dir` whose names start with `prefix` and end with `suffix`, sorted by name
/// (names carry zero-padded sequence numbers, so this is also their order).
pub fn list(dir: &Path, prefix: &str, suffix: &str) -> Result<Vec<PathBuf>, ExchangeError> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(suffix))
        })
        .collect();
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_whole_files_and_leave_no_partials() {
        let dir = tempfile::tempdir().unwrap();
        write_atomically(dir.path(), "bundle-1.ikb", b"first").unwrap();
        let path = write_atomically(dir.path(), "bundle-1.ikb", b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no .partial file left behind");
        assert_eq!(list(dir.path(), "bundle-", ".ikb").unwrap(), vec![path]);
    }
}
