//! The outbox's writer thread: the files a hand-off makes, written into one [`files::Batch`]
//! on a thread of their own while the next forms are made.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::thread::{Scope, ScopedJoinHandle};

use zeroize::Zeroizing;

use crate::exchange::ExchangeError;
use crate::exchange::files::{self, Readers};

/// A file's bytes on their way to the writer: patient data, wiped when dropped.
pub(super) type FileBytes = Zeroizing<Vec<u8>>;

/// A form's three files, in the order they are written and named.
type Form = ([String; 3], [FileBytes; 3]);

/// How many forms may wait for the writer: the making never runs far ahead of the disk, and
/// memory stays flat (about 36 buffers of ~64 KB).
pub(super) const WAITING_FORMS: usize = 12;

/// What a new buffer holds before it grows: the largest file of a form of the built-in kind
/// fits, so a buffer seldom grows (growing leaves the old block unwiped where the allocator
/// freed it), and each keeps its role (JSON, page, Bundle) from form to form.
const BUFFER_BYTES: [usize; 3] = [64 * 1024, 32 * 1024, 64 * 1024];

/// The thread that writes the forms made, whole and in order, into one [`files::Batch`],
/// committed every `slice_bytes` (between two forms) and at the end. Once the making is
/// abandoned (it failed, or panicked) nothing more is written and the files not yet committed
/// are removed. Buffers written go back to be filled again.
pub(super) struct FileWriter<'scope> {
    outbox: &'scope Path,
    abandoned: &'scope AtomicBool,
    forms: Option<SyncSender<Form>>,
    emptied: Receiver<[FileBytes; 3]>,
    /// Set when a form could not be handed over: the writer had stopped on an error of its own.
    stopped: bool,
    /// Taken by [`FileWriter::finish`]; still here when the making panicked.
    thread: Option<ScopedJoinHandle<'scope, Result<(), ExchangeError>>>,
}

impl<'scope> FileWriter<'scope> {
    pub(super) fn start<'env>(
        scope: &'scope Scope<'scope, 'env>, outbox: &'env Path, abandoned: &'env AtomicBool,
        slice_bytes: u64,
    ) -> Result<FileWriter<'scope>, ExchangeError> {
        let (forms, to_write) = sync_channel::<Form>(WAITING_FORMS);
        let (give_back, emptied) = channel::<[FileBytes; 3]>();
        let thread = std::thread::Builder::new()
            .name("outbox-writer".into())
            .spawn_scoped(scope, move || {
                let mut batch = files::Batch::new(outbox, Readers::OwnerOnly)?;
                for (names, bytes) in to_write {
                    if abandoned.load(Ordering::Acquire) {
                        break;
                    }
                    for (name, bytes) in names.iter().zip(&bytes) {
                        batch.add(name, bytes)?;
                    }
                    if batch.pending_bytes() >= slice_bytes {
                        batch.commit_behind()?;
                    }
                    let _ = give_back.send(bytes.map(|mut b| {
                        b.clear();
                        b
                    }));
                }
                if abandoned.load(Ordering::Acquire) {
                    // Dropped uncommitted: its temporary files are removed.
                    return Ok(());
                }
                batch.commit()
            })
            .map_err(|source| ExchangeError::Io {
                path: outbox.to_owned(),
                source,
            })?;
        Ok(FileWriter {
            outbox,
            abandoned,
            forms: Some(forms),
            emptied,
            stopped: false,
            thread: Some(thread),
        })
    }

    /// Three empty buffers (JSON, page, Bundle): ones the writer gave back, or new ones.
    pub(super) fn buffers(&self) -> [FileBytes; 3] {
        self.emptied
            .try_recv()
            .unwrap_or_else(|_| BUFFER_BYTES.map(|n| Zeroizing::new(Vec::with_capacity(n))))
    }

    /// Hands a form's files to the writer. An error when the writer has stopped: it stops only
    /// on an error of its own, which [`FileWriter::finish`] returns in place of this one.
    pub(super) fn write(
        &mut self, names: [String; 3], files: [FileBytes; 3],
    ) -> Result<(), ExchangeError> {
        let sent = self
            .forms
            .as_ref()
            .is_some_and(|forms| forms.send((names, files)).is_ok());
        if sent {
            return Ok(());
        }
        self.stopped = true;
        Err(ExchangeError::Io {
            path: self.outbox.to_owned(),
            source: std::io::Error::other("the outbox's writer stopped"),
        })
    }

    /// Waits for the writer. With the making `made`, every form handed over is written, made
    /// durable and named; after a failed making nothing more is written and nothing more named.
    /// The error returned is the cause: the writer's when it stopped the making, else the
    /// making's own.
    pub(super) fn finish(
        mut self, made: Result<usize, ExchangeError>,
    ) -> Result<usize, ExchangeError> {
        let thread = self.thread.take();
        if made.is_err() {
            self.abandoned.store(true, Ordering::Release);
        }
        drop(self.forms.take());
        let written = thread.map_or(Ok(()), |thread| {
            thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        match made {
            Ok(count) => written.map(|()| count),
            Err(stopped) if self.stopped => Err(written.err().unwrap_or(stopped)),
            Err(failed) => Err(failed),
        }
    }
}

impl Drop for FileWriter<'_> {
    /// Dropped unfinished (the making panicked): the files not yet committed are removed, never
    /// named (the queue closes after this, when the fields are dropped).
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.abandoned.store(true, Ordering::Release);
        }
    }
}
