//! Files on the exchange medium (USB stick or network share), in the desk's outbox and in its
//! export folder. Whoever can write the exchange folder may have planted something there, so:
//!
//! - a file is written under a temporary name nobody can guess (a random suffix), created new
//!   (`O_EXCL` and `O_NOFOLLOW`: a planted link or file is never followed, reused or waited
//!   for), synced, then renamed over its final name (a link planted there is replaced, never
//!   followed) and the folder synced: a reader never sees half a file, and a crash leaves at
//!   most a stray temporary file that no later write trips over;
//! - a file holding plain patient data is created readable by this user only (0600);
//! - only ordinary files are read: opened without following a link and without blocking (a
//!   FIFO would hang the reader forever), checked on the open handle (`fstat`, so nothing can
//!   be swapped in between), and capped per kind before reading and while reading.

use std::fs::{File, FileType, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::ExchangeError;
use crate::store::FolderProblem;

/// The largest bundle read: far above a day's bundle (10,000 forms are about 40 MB), far below
/// what would exhaust a tablet's memory.
pub const MAX_BUNDLE_BYTES: u64 = 512 * 1024 * 1024;

/// The largest photo or screenshot of a pairing QR code read (a phone photo is a few MB).
pub const MAX_PICTURE_BYTES: u64 = 32 * 1024 * 1024;

/// The largest handed-on form read back from the outbox (one form with its signature is tens
/// of KB).
pub const MAX_OUTBOX_FORM_BYTES: u64 = 16 * 1024 * 1024;

/// What a file read from outside should be, and so the most it may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// A desk's answer to this kiosk's pairing code.
    PairingAnswer,
    /// A desk's receipt for one of this kiosk's bundles.
    Receipt,
    /// A kiosk's export bundle.
    Bundle,
    /// A photo or screenshot of a kiosk's pairing QR code.
    QrPicture,
    /// One form's plain JSON copy as the desk wrote it into its outbox.
    OutboxForm,
    /// A kiosk's pairing nonce, revealed for the desk.
    PairingReveal,
}

impl Expected {
    /// The most bytes a file of this kind can hold.
    pub fn max_bytes(self) -> u64 {
        let from_format = |len: usize| u64::try_from(len).unwrap_or(u64::MAX);
        match self {
            Expected::PairingAnswer => from_format(crate::sync::MAX_PAIRING_ANSWER_LEN),
            Expected::Receipt => from_format(crate::sync::MAX_RECEIPT_LEN),
            Expected::Bundle => MAX_BUNDLE_BYTES,
            Expected::QrPicture => MAX_PICTURE_BYTES,
            Expected::OutboxForm => MAX_OUTBOX_FORM_BYTES,
            Expected::PairingReveal => from_format(crate::sync::MAX_REVEAL_LEN),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Expected::PairingAnswer => "pairing answer",
            Expected::Receipt => "receipt",
            Expected::Bundle => "bundle",
            Expected::QrPicture => "QR code picture",
            Expected::OutboxForm => "handed-on form",
            Expected::PairingReveal => "pairing reveal",
        }
    }
}

/// Who may read a file written here (its Unix mode; the medium may add rules of its own).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Readers {
    /// Sealed, signed or public content for the other side of the exchange (bundles, receipts,
    /// pairing answers), which may read it as another user: the usual mode, 0666 less umask.
    Exchange,
    /// Plain patient data (the outbox, access exports, marketing lists, erasure statements):
    /// this user only, 0600.
    OwnerOnly,
}

impl Readers {
    fn mode(self) -> u32 {
        match self {
            Readers::Exchange => 0o666,
            Readers::OwnerOnly => 0o600,
        }
    }
}

/// The folder files are written to: made when missing, but only as the last step of a path
/// whose parent exists ([`FolderProblem::unless_writable_there`]). A whole missing path is
/// refused — a typed path with a slip, or a share or drive that is not mounted: patient data
/// must not land on the machine's own disk instead.
///
/// A folder made for plain patient data ([`Readers::OwnerOnly`]) is this user's only (0700),
/// whatever the umask; one for the exchange takes the usual mode (0777 less umask).
fn folder_ready(dir: &Path, readers: Readers) -> Result<(), ExchangeError> {
    use std::os::unix::fs::DirBuilderExt;
    FolderProblem::unless_writable_there(dir)?;
    match std::fs::metadata(dir) {
        Ok(_) => Ok(()),
        Err(_) => std::fs::DirBuilder::new()
            .mode(match readers {
                Readers::Exchange => 0o777,
                Readers::OwnerOnly => 0o700,
            })
            .create(dir)
            .map_err(io(dir)),
    }
}

/// [`FolderProblem::NotMounted`] when `dir` lies on a disk that is not mounted now
/// ([`crate::mounts`]): nothing is read from or written into an empty mount point.
fn on_a_mounted_disk(dir: &Path) -> Result<(), ExchangeError> {
    Ok(FolderProblem::unless_mounted(dir)?)
}

/// Refuses an outbox that is the exchange folder, or lies inside it or around it (links
/// followed): the outbox's plain patient files would travel on the shared medium beside the
/// sealed bundles.
pub fn apart(exchange: &Path, outbox: &Path) -> Result<(), ExchangeError> {
    // A folder not made yet is where its parent really is (asked before it is made, so a
    // refused outbox is not left behind as an empty folder on the medium).
    let real = |dir: &Path| match std::fs::canonicalize(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
                return Err(io(dir)(e));
            };
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            std::fs::canonicalize(parent)
                .map(|p| p.join(name))
                .map_err(io(dir))
        }
        other => other.map_err(io(dir)),
    };
    let (exchange, outbox) = (real(exchange)?, real(outbox)?);
    if exchange.starts_with(&outbox) || outbox.starts_with(&exchange) {
        return Err(ExchangeError::OutboxInExchange { exchange, outbox });
    }
    Ok(())
}

/// Checks that files can be written into `dir` (made as [`folder_ready`] allows): a file is
/// written, synced and removed. For a folder that must work before anything it would receive
/// is stored (the desk's outbox, before an import).
pub fn check_writable(dir: &Path, readers: Readers) -> Result<(), ExchangeError> {
    folder_ready(dir, readers)?;
    let (temp, file) = write_temp(dir, ".write-check", b"", readers)?;
    let synced = file.sync_all().map_err(io(&temp));
    drop(file);
    let _ = std::fs::remove_file(&temp);
    synced
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExchangeError + '_ {
    move |source| ExchangeError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Writes `bytes` to `dir/name` atomically and durably. An existing file of that name (or a
/// link planted under it) is replaced only once the new one is complete.
pub fn write_atomically(
    dir: &Path, name: &str, bytes: &[u8], readers: Readers,
) -> Result<PathBuf, ExchangeError> {
    folder_ready(dir, readers)?;
    let target = write_one(dir, name, bytes, readers, File::sync_all)?;
    sync_folder(dir);
    Ok(target)
}

/// [`write_atomically`] to a path given whole (a file named on the command line).
pub fn write_to_path(path: &Path, bytes: &[u8], readers: Readers) -> Result<(), ExchangeError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| ExchangeError::Io {
            path: path.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"),
        })?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    write_atomically(dir, name, bytes, readers).map(|_| ())
}

/// Writes many files into `dir`, each whole and durable before it gets its name (see [`Batch`]).
pub fn write_batch(
    dir: &Path, files: &[(String, Vec<u8>)], readers: Readers,
) -> Result<(), ExchangeError> {
    let mut batch = Batch::new(dir, readers)?;
    for (name, bytes) in files {
        batch.add(name, bytes)?;
    }
    batch.commit()
}

/// Files written into one folder and made durable together. Each is written under its
/// temporary name as it is added (nothing is held in memory); [`Batch::commit`] makes all of
/// them durable at once (one `syncfs` of the folder's file system on Linux; elsewhere one sync
/// per file as it is added), then renames them, then syncs the folder once.
/// [`Batch::commit_behind`] does the same on another thread while the caller writes the next
/// files (a thread that mostly waits for the disk); slices are named in the order they were
/// committed. A crash before a slice's renames leaves only temporary files of it (no name points
/// at an incomplete file); one during the renames leaves some files under their names and the
/// others complete under their temporary names. A batch dropped or failed before its commit
/// removes its temporary files (waiting for a slice being committed behind it first).
pub struct Batch<'a> {
    dir: &'a Path,
    readers: Readers,
    /// (temporary, final) paths written since the last commit.
    written: Vec<(PathBuf, PathBuf)>,
    bytes: u64,
    /// The slice being made durable and named on another thread, if any.
    behind: Option<std::thread::JoinHandle<Result<(), ExchangeError>>>,
}

impl<'a> Batch<'a> {
    pub fn new(dir: &'a Path, readers: Readers) -> Result<Batch<'a>, ExchangeError> {
        folder_ready(dir, readers)?;
        Ok(Batch {
            dir,
            readers,
            written: Vec::new(),
            bytes: 0,
            behind: None,
        })
    }

    /// Writes `bytes` under a temporary name beside `dir/name` (named at the next commit).
    pub fn add(&mut self, name: &str, bytes: &[u8]) -> Result<(), ExchangeError> {
        let (temp, file) = write_temp(self.dir, name, bytes, self.readers)?;
        self.written.push((temp, self.dir.join(name)));
        sync_unless_batched(&file).map_err(io(self.dir))?;
        self.bytes += u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        Ok(())
    }

    /// Bytes added since the last commit.
    pub fn pending_bytes(&self) -> u64 {
        self.bytes
    }

    /// Makes every file added since the last commit durable, then gives each its name (after
    /// the slice committed behind, if any, which this waits for).
    pub fn commit(&mut self) -> Result<(), ExchangeError> {
        self.wait_behind()?;
        self.bytes = 0;
        commit_slice(self.dir, &mut self.written)
    }

    /// [`Batch::commit`] on another thread: the files added since the last commit are made
    /// durable and named there while the caller adds more. Waits for the slice committed behind
    /// before (so slices are named in order) and returns its error, if any.
    pub fn commit_behind(&mut self) -> Result<(), ExchangeError> {
        self.wait_behind()?;
        let dir = self.dir.to_owned();
        let mut slice = std::mem::take(&mut self.written);
        self.bytes = 0;
        let naming = std::thread::Builder::new()
            .name("outbox-sync".into())
            .spawn(move || {
                let result = commit_slice(&dir, &mut slice);
                remove_temps(&slice);
                result
            })
            .map_err(io(self.dir))?;
        self.behind = Some(naming);
        Ok(())
    }

    fn wait_behind(&mut self) -> Result<(), ExchangeError> {
        match self.behind.take() {
            Some(naming) => naming
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            None => Ok(()),
        }
    }
}

/// Makes `written` durable, then renames each file in the order it was added (a rename that
/// fails stops there); those renamed leave `written` (those left are the caller's to remove).
fn commit_slice(dir: &Path, written: &mut Vec<(PathBuf, PathBuf)>) -> Result<(), ExchangeError> {
    if written.is_empty() {
        return Ok(());
    }
    sync_file_system(dir)?;
    let mut renamed = 0;
    let result = written
        .iter()
        .try_for_each(|(temp, target)| -> Result<(), ExchangeError> {
            std::fs::rename(temp, target).map_err(io(target))?;
            renamed += 1;
            Ok(())
        });
    written.drain(..renamed);
    result?;
    sync_folder(dir);
    Ok(())
}

fn remove_temps(written: &[(PathBuf, PathBuf)]) {
    for (temp, _) in written {
        let _ = std::fs::remove_file(temp);
    }
}

impl Drop for Batch<'_> {
    /// A failure leaves no temporary file behind.
    fn drop(&mut self) {
        if let Some(naming) = self.behind.take() {
            // It removes its own temporary files if it fails.
            let _ = naming.join();
        }
        remove_temps(&self.written);
    }
}

/// Makes every file written so far on `dir`'s file system durable: one `syncfs` (Linux).
#[cfg(target_os = "linux")]
#[allow(unsafe_code)] // std has no `syncfs`; the one call below is the whole of it
fn sync_file_system(dir: &Path) -> Result<(), ExchangeError> {
    use std::os::fd::AsRawFd;
    let folder = File::open(dir).map_err(io(dir))?;
    // SAFETY: `syncfs` takes an open descriptor, which `folder` holds until it is dropped.
    if unsafe { libc::syncfs(folder.as_raw_fd()) } != 0 {
        return Err(io(dir)(std::io::Error::last_os_error()));
    }
    Ok(())
}

/// On Linux nothing yet: the batch's one `syncfs` makes every file durable at its commit.
/// (Starting each file's write-out here, with `sync_file_range`, made a batch of 30,000 small
/// files 2.5 times slower on this machine: one I/O submission per file instead of one sort.)
/// Elsewhere each file is synced as it is added.
fn sync_unless_batched(file: &File) -> std::io::Result<()> {
    if cfg!(target_os = "linux") {
        Ok(())
    } else {
        file.sync_data()
    }
}

/// Elsewhere each file was synced as it was written.
#[cfg(not(target_os = "linux"))]
fn sync_file_system(_dir: &Path) -> Result<(), ExchangeError> {
    Ok(())
}

/// A new temporary file under an unguessable name beside `name`, filled (not yet synced).
fn write_temp(
    dir: &Path, name: &str, bytes: &[u8], readers: Readers,
) -> Result<(PathBuf, File), ExchangeError> {
    let temp = dir.join(format!(".{name}.{}.partial", crate::sync::random_id()?));
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(readers.mode())
        .custom_flags(libc::O_NOFOLLOW)
        .open(&temp)
        .map_err(io(&temp))?;
    if let Err(e) = file.write_all(bytes) {
        drop(file);
        let _ = std::fs::remove_file(&temp);
        return Err(io(&temp)(e));
    }
    Ok((temp, file))
}

/// One file: a new temporary file under an unguessable name, filled, synced, renamed.
fn write_one(
    dir: &Path, name: &str, bytes: &[u8], readers: Readers, sync: fn(&File) -> std::io::Result<()>,
) -> Result<PathBuf, ExchangeError> {
    let target = dir.join(name);
    let (temp, file) = write_temp(dir, name, bytes, readers)?;
    let synced = sync(&file);
    drop(file);
    let result = synced
        .map_err(io(&temp))
        .and_then(|()| std::fs::rename(&temp, &target).map_err(io(&target)));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map(|()| target)
}

/// The renames must survive a power cut; not every file system lets a folder be opened for
/// this (some network shares), which is not an error.
fn sync_folder(dir: &Path) {
    if let Ok(folder) = File::open(dir) {
        let _ = folder.sync_all();
    }
}

fn not_regular(path: &Path, found: &'static str) -> ExchangeError {
    ExchangeError::NotRegularFile {
        path: path.to_owned(),
        found,
    }
}

/// `Ok` for an ordinary file; otherwise the refusal naming what was found instead.
fn refuse_unless_regular(path: &Path, kind: FileType) -> Result<(), ExchangeError> {
    let found = if kind.is_file() {
        return Ok(());
    } else if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_dir() {
        "a folder"
    } else if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else {
        "an unknown kind of file"
    };
    Err(not_regular(path, found))
}

/// Reads a whole ordinary file of the `expected` kind. Refuses, with the file named and
/// without blocking, anything else (a link, FIFO, socket, device or folder), and a file larger
/// than the kind can be before reading it (and if it grows while being read).
pub fn read_capped(path: &Path, expected: Expected) -> Result<Vec<u8>, ExchangeError> {
    let too_large = || ExchangeError::TooLarge {
        path: path.to_owned(),
        kind: expected.name(),
        limit: expected.max_bytes(),
    };
    // A look at the name first, so a device is never even opened; the check that counts is
    // the one on the open handle below.
    let named = std::fs::symlink_metadata(path).map_err(io(path))?;
    refuse_unless_regular(path, named.file_type())?;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            // Swapped since the look above: for a link (ELOOP) or a socket (ENXIO).
            Some(libc::ELOOP) => not_regular(path, "a symbolic link"),
            Some(libc::ENXIO) => not_regular(path, "a socket"),
            _ => io(path)(e),
        })?;
    let opened = file.metadata().map_err(io(path))?;
    refuse_unless_regular(path, opened.file_type())?;
    let limit = expected.max_bytes();
    if opened.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io(path))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Entries in `dir` whose names start with `prefix` and end with `suffix`, sorted by name
/// (names carry zero-padded sequence numbers, so this is also their order). Whatever they are:
/// [`read_capped`] refuses each one that is not an ordinary file, by name, so the caller can
/// report it and go on with the others.
pub fn list(dir: &Path, prefix: &str, suffix: &str) -> Result<Vec<PathBuf>, ExchangeError> {
    // What an empty mount point holds is not what the disk holds: said, not listed.
    on_a_mounted_disk(dir)?;
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| match e.kind() {
            // Named, not "No such file or directory": nothing was written there yet, or the
            // path or its disk is wrong.
            std::io::ErrorKind::NotFound => FolderProblem::Missing(dir.to_owned()).into(),
            _ => io(dir)(e),
        })?
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
mod tests;
