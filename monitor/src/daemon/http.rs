//! The HTTP server: `GET /metrics` (Prometheus text format), and the API:
//! `GET /api/v1/dump?filter=…&last=…` (a pcapng of the flight recorder),
//! `GET /api/v1/status`, `GET /api/v1/tail?filter=…&all=1` (the samples
//! as they come, as a pcapng stream that ends when the daemon stops;
//! `all=1` samples every frame the filter accepts while it lasts). With a
//! token configured every request needs
//! `Authorization: Bearer <token>`.

use std::sync::Arc;

use axum::{
    extract::{Query, Request, State as AxState},
    http::{header, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use tokio::{net::TcpListener, sync::watch};

use super::{
    dump::{DumpError, Dumps},
    Metrics,
};
use crate::recorder::pcapng;

/// What the handlers share.
#[derive(Clone, Debug)]
pub struct State {
    /// Metrics registry.
    pub metrics: Arc<Metrics>,
    /// Dump writer.
    pub dumps: Arc<Dumps>,
    /// Reads the sample ring before a dump.
    pub flush: super::ring::Flush,
    /// State for `/api/v1/status`.
    pub status: Arc<super::status::Status>,
    /// Bearer token required on every request, when set.
    pub token: Option<String>,
    /// The live pipeline, which `/api/v1/tail` follows.
    pub live: Arc<super::live::Live>,
    /// Turns true when the daemon stops (ends the tail streams).
    pub stop: watch::Receiver<bool>,
    /// The installed rules, which `/api/v1/tail?all=1` adds a temporary
    /// rule to.
    pub control: Arc<std::sync::Mutex<(super::rules::Control, crate::ebpf::RuleTables)>>,
}

/// Serve until `stop` turns true.
pub async fn serve(listener: TcpListener, state: State, mut stop: watch::Receiver<bool>) {
    let app = Router::new()
        .route("/metrics", get(metrics_handler))
        .route("/api/v1/dump", get(dump_handler))
        .route("/api/v1/status", get(status_handler))
        .route("/api/v1/tail", get(tail_handler))
        .layer(middleware::from_fn_with_state(state.clone(), auth))
        .with_state(state);
    let shutdown = async move {
        let _ = stop.wait_for(|s| *s).await;
    };
    if let Err(e) = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
    {
        tracing::error!(error = %e, "HTTP server failed");
    }
}

async fn auth(AxState(s): AxState<State>, req: Request, next: Next) -> Response {
    if let Some(token) = &s.token {
        let ok = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|t| t == token);
        if !ok {
            return (StatusCode::UNAUTHORIZED, "missing or wrong bearer token\n").into_response();
        }
    }
    next.run(req).await
}

async fn metrics_handler(AxState(s): AxState<State>) -> impl IntoResponse {
    let m = s.metrics.clone();
    let body = tokio::task::spawn_blocking(move || m.render())
        .await
        .unwrap_or_default();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
}

#[derive(Debug, serde::Deserialize)]
struct DumpQuery {
    filter: Option<String>,
    last: Option<String>,
}

async fn dump_handler(AxState(s): AxState<State>, Query(q): Query<DumpQuery>) -> Response {
    let last = match q.last.as_deref().filter(|l| !l.is_empty()) {
        Some(l) => match crate::config::parse_duration(l) {
            Ok(d) => Some(d),
            Err(e) => return (StatusCode::BAD_REQUEST, format!("last: {e}\n")).into_response(),
        },
        None => None,
    };
    s.flush.flush().await;
    let dumps = s.dumps.clone();
    let result =
        tokio::task::spawn_blocking(move || dumps.to_bytes(q.filter.as_deref(), last)).await;
    match result {
        Ok(Ok(bytes)) => (
            [(header::CONTENT_TYPE, "application/vnd.tcpdump.pcap")],
            bytes,
        )
            .into_response(),
        Ok(Err(e @ DumpError::BadFilter { .. })) => {
            (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response()
        }
        Ok(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
    }
}

async fn status_handler(AxState(s): AxState<State>) -> impl IntoResponse {
    let body = tokio::task::spawn_blocking(move || {
        s.status
            .render(&s.metrics.gather(), s.dumps.status())
            .to_string()
    })
    .await
    .unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], body)
}

#[derive(Debug, serde::Deserialize)]
struct TailQuery {
    filter: Option<String>,
    /// `1`: sample every frame the filter's kernel part accepts while
    /// the stream lasts.
    all: Option<String>,
}

/// A temporary rule of a `tail?all=1` stream, removed when the stream is
/// dropped: the client went away (noticed at the next write, at most a
/// second later), or the daemon stops.
struct TemporaryRule {
    slot: u32,
    control: Arc<std::sync::Mutex<(super::rules::Control, crate::ebpf::RuleTables)>>,
    live: Arc<super::live::Live>,
}

impl TemporaryRule {
    fn add(s: &State, filter: Option<&str>) -> Result<Self, String> {
        let (kernel, _) =
            crate::filter::kernel::kernel_rule(filter.unwrap_or("frame")).map_err(|e| e.message)?;
        let mut guard = s.control.lock().map_err(|_| "rule control poisoned")?;
        let (control, tables) = &mut *guard;
        let slot = control
            .add_temporary(kernel, tables)
            .map_err(|e| format!("{e:#}"))?;
        s.live.set_temporary_slots(control.temporary_slots());
        tracing::info!(
            slot,
            filter = filter.unwrap_or(""),
            "temporary rule for a follower installed"
        );
        Ok(Self {
            slot,
            control: s.control.clone(),
            live: s.live.clone(),
        })
    }
}

impl Drop for TemporaryRule {
    fn drop(&mut self) {
        let Ok(mut guard) = self.control.lock() else {
            return;
        };
        let (control, tables) = &mut *guard;
        match control.remove_temporary(self.slot, tables) {
            Ok(()) => tracing::info!(slot = self.slot, "temporary rule for a follower removed"),
            Err(e) => tracing::error!(slot = self.slot, "removing a temporary rule failed: {e:#}"),
        }
        self.live.set_temporary_slots(control.temporary_slots());
    }
}

/// An empty name resolution block: written to an idle stream every
/// second, so that a follower that went away is noticed.
const KEEPALIVE: [u8; 16] = [4, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0];

/// The samples the filter matches from now on, as a pcapng stream: the
/// section header at once, then each sample as the daemon reads it (with
/// its interface's description first). Samples the follower missed because
/// its queue was full are counted in the next sample's `epb_dropcount`.
/// The stream ends when the daemon stops; a client that goes away is
/// forgotten at the next sample.
async fn tail_handler(AxState(s): AxState<State>, Query(q): Query<TailQuery>) -> Response {
    use futures_util::StreamExt as _;
    let filter = match q.filter.as_deref().filter(|f| !f.trim().is_empty()) {
        Some(expr) => match crate::filter::compile(expr) {
            Ok(f) => Some(f),
            Err(e) => {
                return (StatusCode::BAD_REQUEST, format!("{}\n", e.render(expr))).into_response()
            }
        },
        None => None,
    };
    let mut writer = match pcapng::Writer::new(
        Vec::new(),
        &pcapng::SectionInfo::default(),
        monitor_common::MAX_SNAPLEN,
    ) {
        Ok(w) => w,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
    };
    let head = std::mem::take(writer.get_mut());
    let temporary = match q.all.as_deref() {
        Some("1" | "true") => match TemporaryRule::add(&s, q.filter.as_deref()) {
            Ok(t) => Some(t),
            Err(e) => return (StatusCode::SERVICE_UNAVAILABLE, format!("{e}\n")).into_response(),
        },
        _ => None,
    };
    let (rx, lost) = s.live.tail(filter);
    let mut idle = tokio::time::interval(std::time::Duration::from_secs(1));
    idle.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let state = (
        rx,
        writer,
        s.dumps.clone(),
        s.stop.clone(),
        lost,
        idle,
        temporary,
    );
    let packets = futures_util::stream::unfold(
        state,
        |(mut rx, mut w, dumps, mut stop, lost, mut idle, temporary)| async move {
            let bytes = tokio::select! {
                e = rx.recv() => {
                    // What this follower missed (its queue was full)
                    // goes with the next sample it gets.
                    let missed = lost.swap(0, std::sync::atomic::Ordering::Relaxed);
                    w.packet_after_drops(&e?, &|i| dumps.iface_name(i), missed).ok()?;
                    idle.reset();
                    std::mem::take(w.get_mut())
                }
                _ = idle.tick() => KEEPALIVE.to_vec(),
                _ = stop.wait_for(|s| *s) => return None,
            };
            Some((
                Ok::<_, std::convert::Infallible>(bytes),
                (rx, w, dumps, stop, lost, idle, temporary),
            ))
        },
    );
    let body = futures_util::stream::once(async move { Ok(head) }).chain(packets);
    (
        [(header::CONTENT_TYPE, "application/x-pcapng")],
        axum::body::Body::from_stream(body),
    )
        .into_response()
}
