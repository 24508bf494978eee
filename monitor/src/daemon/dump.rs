//! Dumps of the flight recorder: to a client over the HTTP API, or into
//! the dump directory on SIGUSR1. Writing never disturbs capture: it works
//! on a snapshot of shared records, on a blocking thread.

use std::{
    collections::HashMap,
    os::unix::fs::DirBuilderExt as _,
    path::PathBuf,
    sync::Arc,
    time::{Duration, SystemTime},
};

use super::Metrics;
use crate::{
    dissect::pipeline::Pipeline,
    recorder::{self, DropStats, Entry, Recorder},
};

/// Why a dump request failed. Each message is one line (or, for a bad
/// filter, the filter with a caret under the problem).
#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    /// The filter did not compile.
    #[error("{}", .error.render(.expr))]
    BadFilter {
        /// The filter as given.
        expr: String,
        /// Why it was refused.
        error: crate::filter::FilterError,
    },
    /// The dump directory cannot be created.
    #[error("{}: {source}", .dir.display())]
    CreateDir {
        /// The directory.
        dir: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    /// Writing the pcapng failed.
    #[error("{0}")]
    Write(#[source] std::io::Error),
    /// Saving or rotating the dump files failed.
    #[error("{0}")]
    File(#[source] recorder::dumpfile::DumpFileError),
}

/// Everything a dump needs.
#[derive(Debug)]
pub struct Dumps {
    dir: PathBuf,
    max_files: usize,
    max_bytes: u64,
    recorder: Arc<Recorder>,
    metrics: Arc<Metrics>,
    names: HashMap<u32, String>,
}

impl Dumps {
    /// Dumps of `recorder` into `dir`, rotated to `max_files`/`max_bytes`.
    pub fn new(
        dir: PathBuf,
        max_files: usize,
        max_bytes: u64,
        recorder: Arc<Recorder>,
        metrics: Arc<Metrics>,
        names: HashMap<u32, String>,
    ) -> Self {
        Self {
            dir,
            max_files,
            max_bytes,
            recorder,
            metrics,
            names,
        }
    }

    fn now_ns() -> i64 {
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0)
    }

    /// The recorder's content (optionally only the last `last`, and only
    /// packets matching the display filter `filter`).
    pub fn entries(
        &self,
        filter: Option<&str>,
        last: Option<Duration>,
    ) -> Result<Vec<Arc<Entry>>, DumpError> {
        let compiled = match filter.filter(|f| !f.trim().is_empty()) {
            Some(f) => Some(
                crate::filter::compile(f).map_err(|error| DumpError::BadFilter {
                    expr: f.to_string(),
                    error,
                })?,
            ),
            None => None,
        };
        let mut entries = self.recorder.snapshot(|_| true, last, Self::now_ns());
        // Records reach the recorder in ring order, which is reservation
        // order across CPUs and directions, not always timestamp order; a
        // dump is in strict time order (stable: equal times keep theirs).
        entries.sort_by_key(|e| e.record.ts_ns);
        let Some(f) = compiled else {
            return Ok(entries);
        };
        // Dissect the snapshot in order, each frame on its own as the rules
        // saw it (no TCP reassembly across samples).
        let mut pipe = Pipeline::new();
        pipe.set_tcp_desegment(false);
        Ok(entries
            .into_iter()
            .filter(|e| {
                let lt = crate::record::live_link_type(e.record.iface);
                f.matches(&pipe.dissect_linktype(&e.record, lt))
            })
            .collect())
    }

    fn stats(&self) -> DropStats {
        let totals = self.metrics.kernel_totals();
        DropStats {
            ring_lost: totals.iter().map(|(_, _, t)| t.ringbuf_dropped).sum(),
            evicted: self.recorder.stats().evicted,
            iface_drops: HashMap::new(),
        }
    }

    /// The name of interface `ifindex` as dumps write it.
    pub(crate) fn iface_name(&self, ifindex: u32) -> String {
        self.names
            .get(&ifindex)
            .cloned()
            .unwrap_or_else(|| format!("if{ifindex}"))
    }

    /// A pcapng of the recorder's content, in memory.
    pub fn to_bytes(
        &self,
        filter: Option<&str>,
        last: Option<Duration>,
    ) -> Result<Vec<u8>, DumpError> {
        let entries = self.entries(filter, last)?;
        let mut out = Vec::new();
        let r = recorder::write_dump(
            &mut out,
            &entries,
            &|i| self.iface_name(i),
            Some(self.stats()),
        );
        self.count(r.is_ok());
        r.map_err(DumpError::Write)?;
        Ok(out)
    }

    /// Write a timestamped dump into the dump directory and rotate old ones.
    pub fn to_dir(&self) -> Result<PathBuf, DumpError> {
        let r = self.write_dir();
        self.count(r.is_ok());
        r
    }

    fn write_dir(&self) -> Result<PathBuf, DumpError> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(|source| DumpError::CreateDir {
                dir: self.dir.clone(),
                source,
            })?;
        let entries = self.entries(None, None)?;
        let path = recorder::save_dump(
            &self.dir,
            SystemTime::now(),
            &entries,
            &|i| self.iface_name(i),
            Some(self.stats()),
        )
        .map_err(DumpError::File)?;
        recorder::dumpfile::rotate(&self.dir, Some(self.max_files.max(1)), Some(self.max_bytes))
            .map_err(DumpError::File)?;
        Ok(path)
    }

    fn count(&self, ok: bool) {
        self.metrics
            .dumps
            .with_label_values(&[if ok { "ok" } else { "error" }])
            .inc();
    }

    /// Recorder statistics for `/api/v1/status`.
    pub fn status(&self) -> serde_json::Value {
        serde_json::json!({
            "recorder": self.recorder.stats(),
            "dump_dir": self.dir,
        })
    }
}
