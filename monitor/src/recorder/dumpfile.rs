//! Dump files on disk: written whole or not at all, readable by the owner
//! only, never through a symbolic link and never outside the dump
//! directory; named by their UTC time and rotated by count and size.
//!
//! A dump is written to a hidden temporary file in the dump directory
//! (created exclusively, mode 0600, not following symbolic links), flushed
//! to disk, and then linked under its final name, which fails rather than
//! replace anything already there (a file or a symbolic link). Readers
//! therefore never see a partial dump.

use std::{
    fs::{self, File, OpenOptions},
    io::{self, BufWriter, Write},
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

/// Prefix of dump file names.
pub const PREFIX: &str = "monitor-";
/// Suffix of dump file names.
pub const SUFFIX: &str = ".pcapng";
/// Longest file name accepted (leaves room for the temporary name within
/// the usual 255-byte limit).
pub const MAX_NAME_LEN: usize = 200;

/// Why a dump file could not be written or rotated.
#[derive(Debug, thiserror::Error)]
pub enum DumpFileError {
    /// The file name is not a plain name inside the directory.
    #[error("invalid dump file name {name:?}: {reason}")]
    InvalidName {
        /// The name given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The dump directory cannot be used.
    #[error("dump directory {}: {source}", path.display())]
    Dir {
        /// The directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The dump directory is not a directory.
    #[error("dump directory {} is not a directory", path.display())]
    NotADir {
        /// The path given.
        path: PathBuf,
    },
    /// The dump directory itself is a symbolic link.
    #[error(
        "dump directory {} is a symbolic link; give the directory it points to instead",
        path.display()
    )]
    SymlinkDir {
        /// The path given.
        path: PathBuf,
    },
    /// A symbolic link already has the file's name.
    #[error("{} is a symbolic link; refusing to write through it", path.display())]
    SymlinkTarget {
        /// The final path.
        path: PathBuf,
    },
    /// Something already has the file's name.
    #[error("{} already exists", path.display())]
    Exists {
        /// The final path.
        path: PathBuf,
    },
    /// The final path would not be directly inside the dump directory.
    #[error("{} is outside the dump directory {}", path.display(), dir.display())]
    Escape {
        /// The path that would have been written.
        path: PathBuf,
        /// The dump directory (canonical).
        dir: PathBuf,
    },
    /// Writing, syncing, linking or removing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

type Result<T> = std::result::Result<T, DumpFileError>;

/// Check that `name` is a plain file name: not empty, at most
/// [`MAX_NAME_LEN`] bytes, no `/`, no NUL, not starting with `.` (which
/// also rules out `.`, `..` and hidden files).
pub fn check_name(name: &str) -> Result<()> {
    let bad = |reason| {
        Err(DumpFileError::InvalidName {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return bad("empty");
    }
    if name.len() > MAX_NAME_LEN {
        return bad("too long");
    }
    if name.contains('/') {
        return bad("contains '/' (a path, not a file name)");
    }
    if name.contains('\0') {
        return bad("contains a NUL byte");
    }
    if name.starts_with('.') {
        return bad("starts with '.'");
    }
    if name.chars().any(char::is_control) {
        return bad("contains a control character");
    }
    Ok(())
}

/// The canonical path of a usable dump directory: it must exist, be a
/// directory, and not itself be a symbolic link.
pub fn check_dir(dir: &Path) -> Result<PathBuf> {
    let meta = fs::symlink_metadata(dir).map_err(|source| DumpFileError::Dir {
        path: dir.to_owned(),
        source,
    })?;
    if meta.file_type().is_symlink() {
        return Err(DumpFileError::SymlinkDir {
            path: dir.to_owned(),
        });
    }
    if !meta.is_dir() {
        return Err(DumpFileError::NotADir {
            path: dir.to_owned(),
        });
    }
    fs::canonicalize(dir).map_err(|source| DumpFileError::Dir {
        path: dir.to_owned(),
        source,
    })
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> DumpFileError + '_ {
    move |source| DumpFileError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Fail if anything (file, directory or symbolic link) has this path.
fn check_free(path: &Path) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(DumpFileError::SymlinkTarget {
            path: path.to_owned(),
        }),
        Ok(_) => Err(DumpFileError::Exists {
            path: path.to_owned(),
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_err(path)(e)),
    }
}

/// Write a new file `name` in `dir` with the bytes `write` produces, all at
/// once: nothing appears under `name` unless `write` succeeded and the data
/// reached the disk. The file has mode 0600. Refuses to replace an existing
/// file and to write through symbolic links. Returns the final path (in
/// the canonical directory).
pub fn write_atomic(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<PathBuf> {
    check_name(name)?;
    let canon = check_dir(dir)?;
    let target = inside(&canon, name)?;
    check_free(&target)?;
    let tmp = write_tmp(&canon, name, write)?;
    let result = publish(&tmp, &target);
    finish(&canon, &tmp, result.map(|()| target))
}

/// `dir/name`, checked to be directly inside `dir`.
fn inside(canon: &Path, name: &str) -> Result<PathBuf> {
    let target = canon.join(name);
    if target.parent() != Some(canon) {
        return Err(DumpFileError::Escape {
            path: target,
            dir: canon.to_owned(),
        });
    }
    Ok(target)
}

/// Write and sync a hidden temporary file in `canon`, created exclusively
/// with mode 0600 without following a symbolic link.
fn write_tmp(
    canon: &Path,
    label: &str,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<PathBuf> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let tmp = canon.join(format!(
        ".{label}.{}.{}.tmp",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&tmp)
        .map_err(io_err(&tmp))?;
    let filled = (|| {
        let mut out = BufWriter::with_capacity(64 * 1024, file);
        write(&mut out)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
    })();
    match filled {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(io_err(&tmp)(e))
        }
    }
}

/// Give the temporary file its final name. link(2) never replaces an
/// existing entry and does not follow a symbolic link at the new name, so
/// a file or link that appeared since the check makes this fail instead of
/// being overwritten or followed.
fn publish(tmp: &Path, target: &Path) -> Result<()> {
    match fs::hard_link(tmp, target) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            check_free(target).and(Err(DumpFileError::Exists {
                path: target.to_owned(),
            }))
        }
        // File systems without hard links (FAT, some network and FUSE
        // ones): rename, which at worst replaces an entry created since
        // the check, and replaces a symbolic link itself rather than
        // following it.
        Err(e) if is_no_link(&e) => {
            check_free(target)?;
            fs::rename(tmp, target).map_err(io_err(target))
        }
        Err(e) => Err(io_err(target)(e)),
    }
}

fn is_no_link(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::Unsupported
        || matches!(e.raw_os_error(), Some(libc::EPERM | libc::EOPNOTSUPP))
}

/// Remove the temporary name and, on success, make the new directory entry
/// durable.
fn finish(canon: &Path, tmp: &Path, result: Result<PathBuf>) -> Result<PathBuf> {
    let _ = fs::remove_file(tmp);
    let target = result?;
    File::open(canon)
        .and_then(|d| d.sync_all())
        .map_err(io_err(canon))?;
    Ok(target)
}

/// [`write_atomic`] with the bytes at hand.
pub fn write_atomic_bytes(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    write_atomic(dir, name, |w| w.write_all(bytes))
}

/// The dump file name for time `now`, in UTC with milliseconds:
/// `monitor-20261125T031500.123Z.pcapng`. Names sort in time order.
pub fn timestamped_name(now: SystemTime) -> String {
    format!("{PREFIX}{}{SUFFIX}", stamp(now))
}

fn stamp(now: SystemTime) -> String {
    let d = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, day) = civil_from_days(days as i64);
    format!(
        "{y:04}{m:02}{day:02}T{:02}{:02}{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        d.subsec_millis()
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01
/// (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Write a new dump named for `now` (see [`timestamped_name`]); when that
/// name is taken (two dumps in one millisecond), `-1`, `-2`, … is added
/// before the suffix. Otherwise as [`write_atomic`].
pub fn write_new_dump(
    dir: &Path,
    now: SystemTime,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<PathBuf> {
    let canon = check_dir(dir)?;
    let stamp = stamp(now);
    let tmp = write_tmp(&canon, &format!("{PREFIX}{stamp}"), write)?;
    let mut result = Err(DumpFileError::Exists {
        path: canon.join(format!("{PREFIX}{stamp}-*{SUFFIX}")),
    });
    for n in 0..10_000u32 {
        let name = if n == 0 {
            format!("{PREFIX}{stamp}{SUFFIX}")
        } else {
            format!("{PREFIX}{stamp}-{n}{SUFFIX}")
        };
        let attempt = inside(&canon, &name).and_then(|target| {
            check_free(&target)?;
            publish(&tmp, &target).map(|()| target)
        });
        match attempt {
            Err(DumpFileError::Exists { .. }) => continue,
            other => {
                result = other;
                break;
            }
        }
    }
    finish(&canon, &tmp, result)
}

/// A dump file found by [`list_dumps`] (serializable for an HTTP API).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DumpFile {
    /// Path in the canonical directory.
    pub path: PathBuf,
    /// Size in bytes.
    pub bytes: u64,
}

/// Sort key: the time stamp, then the `-N` sequence number.
fn order_key(name: &str) -> (String, u32) {
    let core = &name[PREFIX.len()..name.len() - SUFFIX.len()];
    match core.rsplit_once('-') {
        Some((stamp, n)) if n.bytes().all(|b| b.is_ascii_digit()) && !n.is_empty() => {
            (stamp.to_owned(), n.parse().unwrap_or(u32::MAX))
        }
        _ => (core.to_owned(), 0),
    }
}

/// Dump files (regular files named `monitor-*.pcapng`, not symbolic links)
/// in `dir`, oldest first by the time in their names.
pub fn list_dumps(dir: &Path) -> Result<Vec<DumpFile>> {
    let canon = check_dir(dir)?;
    let mut found = Vec::new();
    for ent in fs::read_dir(&canon).map_err(io_err(&canon))? {
        let ent = ent.map_err(io_err(&canon))?;
        let Some(name) = ent.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if !(name.starts_with(PREFIX) && name.ends_with(SUFFIX))
            || name.len() < PREFIX.len() + SUFFIX.len()
        {
            continue;
        }
        let path = ent.path();
        // DirEntry::metadata does not follow symbolic links.
        let meta = match ent.metadata() {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue, // raced away
            Err(e) => return Err(io_err(&path)(e)),
        };
        if meta.file_type().is_file() {
            found.push((
                order_key(&name),
                DumpFile {
                    path,
                    bytes: meta.len(),
                },
            ));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found.into_iter().map(|(_, f)| f).collect())
}

/// Delete the oldest dump files of `dir` until at most `max_files` remain
/// and they total at most `max_bytes` (`None`: no such limit). The newest
/// dump is kept even when it alone exceeds `max_bytes`. Returns the paths
/// deleted, oldest first.
pub fn rotate(
    dir: &Path,
    max_files: Option<usize>,
    max_bytes: Option<u64>,
) -> Result<Vec<PathBuf>> {
    let dumps = list_dumps(dir)?;
    let mut keep = 0usize;
    let mut total = 0u64;
    // Walk from the newest, keeping while within both limits.
    for (i, d) in dumps.iter().rev().enumerate() {
        let within_count = max_files.is_none_or(|m| i < m);
        let within_bytes = max_bytes.is_none_or(|m| total + d.bytes <= m) || i == 0;
        if !(within_count && within_bytes) {
            break;
        }
        keep += 1;
        total += d.bytes;
    }
    let mut removed = Vec::new();
    for d in &dumps[..dumps.len() - keep] {
        match fs::remove_file(&d.path) {
            Ok(()) => removed.push(d.path.clone()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(&d.path)(e)),
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{
        os::unix::fs::{symlink, PermissionsExt},
        sync::Arc,
        time::Duration,
    };

    fn scratch(tag: &str) -> PathBuf {
        static N: AtomicU64 = AtomicU64::new(0);
        let d = std::env::temp_dir().join(format!(
            "monitor-dumpfile-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn writes_file_with_mode_0600() {
        let dir = scratch("mode");
        let p = write_atomic_bytes(&dir, "a.pcapng", b"hello").unwrap();
        assert_eq!(p, fs::canonicalize(&dir).unwrap().join("a.pcapng"));
        assert_eq!(fs::read(&p).unwrap(), b"hello");
        let mode = fs::metadata(&p).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
        // No temporary file is left behind.
        assert_eq!(names(&dir), vec!["a.pcapng"]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn refuses_bad_names() {
        let dir = scratch("names");
        for bad in [
            "",
            "..",
            ".",
            ".hidden",
            "../escape",
            "a/b",
            "/etc/passwd",
            "nul\0byte",
            "new\nline",
            &"x".repeat(MAX_NAME_LEN + 1),
        ] {
            let err = write_atomic_bytes(&dir, bad, b"x").unwrap_err();
            assert!(
                matches!(err, DumpFileError::InvalidName { .. }),
                "{bad:?}: {err}"
            );
        }
        assert!(names(&dir).is_empty());
        assert!(!dir.parent().unwrap().join("escape").exists());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn refuses_symlinks() {
        let base = scratch("symlink");
        let dir = base.join("dumps");
        let outside = base.join("outside");
        fs::create_dir_all(&dir).unwrap();
        fs::create_dir_all(&outside).unwrap();
        // Target name exists as a link (dangling or not): refused, nothing written outside.
        symlink(outside.join("victim"), dir.join("d.pcapng")).unwrap();
        let err = write_atomic_bytes(&dir, "d.pcapng", b"x").unwrap_err();
        assert!(matches!(err, DumpFileError::SymlinkTarget { .. }), "{err}");
        assert!(!outside.join("victim").exists());
        fs::write(outside.join("existing"), b"keep").unwrap();
        symlink(outside.join("existing"), dir.join("e.pcapng")).unwrap();
        let err = write_atomic_bytes(&dir, "e.pcapng", b"x").unwrap_err();
        assert!(matches!(err, DumpFileError::SymlinkTarget { .. }), "{err}");
        assert_eq!(fs::read(outside.join("existing")).unwrap(), b"keep");
        // A linked subdirectory cannot be reached: names have no '/'.
        symlink(&outside, dir.join("sub")).unwrap();
        let err = write_atomic_bytes(&dir, "sub/x.pcapng", b"x").unwrap_err();
        assert!(matches!(err, DumpFileError::InvalidName { .. }), "{err}");
        // The dump directory given as a symbolic link is refused.
        symlink(&outside, base.join("dumps-link")).unwrap();
        let err = write_atomic_bytes(&base.join("dumps-link"), "f.pcapng", b"x").unwrap_err();
        assert!(matches!(err, DumpFileError::SymlinkDir { .. }), "{err}");
        assert_eq!(names(&outside), vec!["existing"]);
        // Not a directory; missing directory.
        let err = write_atomic_bytes(&outside.join("existing"), "g", b"x").unwrap_err();
        assert!(matches!(err, DumpFileError::NotADir { .. }), "{err}");
        let err = write_atomic_bytes(&base.join("missing"), "g", b"x").unwrap_err();
        assert!(matches!(err, DumpFileError::Dir { .. }), "{err}");
        assert!(err.to_string().contains("missing"), "{err}");
        fs::remove_dir_all(base).unwrap();
    }

    #[test]
    fn never_replaces_and_leaves_nothing_on_failure() {
        let dir = scratch("replace");
        write_atomic_bytes(&dir, "a", b"first").unwrap();
        let err = write_atomic_bytes(&dir, "a", b"second").unwrap_err();
        assert!(matches!(err, DumpFileError::Exists { .. }), "{err}");
        assert_eq!(fs::read(dir.join("a")).unwrap(), b"first");
        // A failing writer leaves neither the file nor a temporary.
        let err = write_atomic(&dir, "b", |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("disk on fire"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("disk on fire"), "{err}");
        assert_eq!(names(&dir), vec!["a"]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn concurrent_writers_produce_complete_distinct_files() {
        let dir = Arc::new(scratch("concurrent"));
        let now = UNIX_EPOCH + Duration::from_millis(1_764_040_500_123);
        let threads: Vec<_> = (0..8u8)
            .map(|t| {
                let dir = Arc::clone(&dir);
                std::thread::spawn(move || {
                    (0..10u8)
                        .map(|i| {
                            // Same time stamp for all: names must still differ.
                            write_new_dump(&dir, now, |w| {
                                for _ in 0..1000 {
                                    w.write_all(&[t, i, 0xee, 0xff])?;
                                }
                                Ok(())
                            })
                            .unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut paths = Vec::new();
        for (t, th) in threads.into_iter().enumerate() {
            for (i, p) in th.join().unwrap().into_iter().enumerate() {
                let data = fs::read(&p).unwrap();
                assert_eq!(data.len(), 4000);
                assert!(data.chunks(4).all(|c| c == [t as u8, i as u8, 0xee, 0xff]));
                paths.push(p);
            }
        }
        paths.sort();
        paths.dedup();
        assert_eq!(paths.len(), 80);
        let listed = names(&dir);
        assert_eq!(listed.len(), 80, "{listed:?}");
        assert!(listed.contains(&"monitor-20251125T031500.123Z.pcapng".to_owned()));
        assert!(listed.contains(&"monitor-20251125T031500.123Z-79.pcapng".to_owned()));
        fs::remove_dir_all(&*dir).unwrap();
    }

    #[test]
    fn timestamped_names() {
        let t = |ms: u64| timestamped_name(UNIX_EPOCH + Duration::from_millis(ms));
        assert_eq!(t(0), "monitor-19700101T000000.000Z.pcapng");
        assert_eq!(t(1_795_576_500_123), "monitor-20261125T031500.123Z.pcapng");
        // Leap day and end of year.
        assert_eq!(t(951_782_400_000), "monitor-20000229T000000.000Z.pcapng");
        assert_eq!(t(1_798_761_599_999), "monitor-20261231T235959.999Z.pcapng");
        assert!(t(1_000) < t(2_000) && t(59_999) < t(60_000));
        check_name(&t(1_795_576_500_123)).unwrap();
    }

    #[test]
    fn rotation_keeps_newest() {
        let dir = scratch("rotate");
        let start = UNIX_EPOCH + Duration::from_secs(1_795_576_500);
        let mut written = Vec::new();
        for i in 0..6u64 {
            // Written out of time order: rotation goes by the names' time.
            let k = [3, 0, 5, 1, 4, 2][i as usize];
            let p = write_new_dump(&dir, start + Duration::from_secs(k), |w| {
                w.write_all(&vec![0; 100 * (k as usize + 1)])
            })
            .unwrap();
            written.push((k, p));
        }
        written.sort();
        // Same time stamp twice: the -1 copy is newer.
        let dup = write_new_dump(&dir, start + Duration::from_secs(5), |w| {
            w.write_all(&[1; 10])
        })
        .unwrap();
        assert!(dup.to_str().unwrap().ends_with("-1.pcapng"));
        // Other files are left alone.
        fs::write(dir.join("notes.txt"), b"keep").unwrap();
        fs::write(dir.join("monitor-x.pcap"), b"keep").unwrap();
        symlink("/etc/passwd", dir.join("monitor-zzz.pcapng")).unwrap();

        let listed: Vec<PathBuf> = list_dumps(&dir)
            .unwrap()
            .into_iter()
            .map(|d| d.path)
            .collect();
        let mut expect: Vec<PathBuf> = written.iter().map(|w| w.1.clone()).collect();
        expect.push(dup.clone());
        assert_eq!(listed, expect);

        // By count: keep the newest 4.
        let removed = rotate(&dir, Some(4), None).unwrap();
        assert_eq!(removed, expect[..3].to_vec());
        let left: Vec<PathBuf> = list_dumps(&dir)
            .unwrap()
            .into_iter()
            .map(|d| d.path)
            .collect();
        assert_eq!(left, expect[3..].to_vec());
        // By size: newest (10 B) + k=5 (600 B) fit in 1000, k=4 (500 B) does not.
        let removed = rotate(&dir, None, Some(1000)).unwrap();
        assert_eq!(removed, expect[3..5].to_vec());
        // The newest is kept even when alone over the limit.
        assert!(rotate(&dir, None, Some(1)).unwrap() == vec![expect[5].clone()]);
        assert_eq!(
            list_dumps(&dir).unwrap(),
            vec![DumpFile {
                path: dup,
                bytes: 10
            }]
        );
        // max_files = 0 removes all; unrelated files and links survive.
        rotate(&dir, Some(0), None).unwrap();
        assert_eq!(
            names(&dir),
            vec!["monitor-x.pcap", "monitor-zzz.pcapng", "notes.txt"]
        );
        assert!(fs::metadata("/etc/passwd").is_ok());
        fs::remove_dir_all(dir).unwrap();
    }
}
