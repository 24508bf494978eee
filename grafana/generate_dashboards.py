#!/usr/bin/env python3
"""Writes grafana/dashboards/*.json with the Grafana Foundation SDK's typed builders.

`cargo xtask dashboards` runs it in a virtual environment (under target/)
holding the SDK version pinned in grafana/requirements.txt; with `--check`
(`cargo xtask dashboards --check`, also part of `cargo xtask test`) it writes
nothing and exits 1 when a committed file is not what it would write. With
the SDK installed otherwise, `python3 grafana/generate_dashboards.py` works
too.

Every dashboard has the same variables (datasource, instance, interface),
link bar and annotation; a panel is a kind, a title, a description that says
whether its numbers are exact, sampled or estimated, a unit and its queries.
"""

import json
import os
import sys

try:
    from grafana_foundation_sdk.builders import bargauge, common, dashboard, heatmap, prometheus, stat, table, timeseries
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
    from grafana_foundation_sdk.models import common as cm
    from grafana_foundation_sdk.models import dashboard as dm
    from grafana_foundation_sdk.models import heatmap as hm
    from grafana_foundation_sdk.models import prometheus as pm
except ImportError:
    sys.exit("generate_dashboards.py needs grafana-foundation-sdk (grafana/requirements.txt): run `cargo xtask dashboards`")

DS = dm.DataSourceRef(type_val="prometheus", uid="${datasource}")
INST = 'instance=~"$instance"'
IF = 'iface=~"$interface"'
RI = "$__rate_interval"


def sel(extra=""):
    """Label matchers of a per-interface series: host, interface, and `extra`."""
    return "{" + ",".join([INST, IF] + ([extra] if extra else [])) + "}"


def inst(extra=""):
    """Label matchers of a per-host series: host and `extra`."""
    return "{" + ",".join([INST] + ([extra] if extra else [])) + "}"


SEL = sel()


def by(labels, fn, metric, matchers=SEL, window=RI):
    """`sum by (labels) (fn(metric{matchers}[window]))`."""
    return f"sum by ({labels}) ({fn}({metric}{matchers}[{window}]))"


def flags(pattern):
    """Per-flag rate of the TCP analysis flags matching `pattern`."""
    return by("flag", "rate", "monitor_tcp_analysis_total", sel(f'flag=~"{pattern}"'))


def daemon_process(expr):
    """A process_* series of the hosts that run monitor (not of other jobs)."""
    return f"{expr} and on (instance, job) monitor_build_info"


def variable(name, label, query):
    """A multi-value query variable with an All option."""
    return (
        dashboard.QueryVariable(name)
        .label(label)
        .datasource(DS)
        .query({"query": query, "refId": name, "qryType": 1})
        .include_all(True)
        .multi(True)
        .all_value(".*")
        .refresh(dm.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(dm.VariableSort.ALPHABETICAL_ASC)
        .hide(dm.VariableHide.DONT_HIDE)
    )


VARIABLES = [
    dashboard.DatasourceVariable("datasource").label("Data source").type("prometheus").hide(dm.VariableHide.DONT_HIDE),
    variable("instance", "Host", "label_values(monitor_build_info, instance)"),
    variable("interface", "Interface", 'label_values(monitor_packets_total{instance=~"$instance"}, iface)'),
]


def reduce_last():
    return common.ReduceDataOptions().calcs(["lastNotNull"]).fields("").values(False)


def timeseries_panel(stack="none"):
    return (
        timeseries.Panel()
        .draw_style(cm.GraphDrawStyle.LINE)
        .line_width(1)
        .fill_opacity(10)
        .show_points(cm.VisibilityMode.NEVER)
        .stacking(common.StackingConfig().mode(cm.StackingMode(stack)).group("A"))
        .legend(
            common.VizLegendOptions()
            .show_legend(True)
            .display_mode(cm.LegendDisplayMode.TABLE)
            .placement(cm.LegendPlacement.BOTTOM)
            .calcs(["mean", "max", "lastNotNull"])
        )
        .tooltip(common.VizTooltipOptions().mode(cm.TooltipDisplayMode.MULTI).sort(cm.SortOrder.DESCENDING))
    )


def stat_panel():
    return (
        stat.Panel()
        .reduce_options(reduce_last())
        .color_mode(cm.BigValueColorMode.VALUE)
        .graph_mode(cm.BigValueGraphMode.AREA)
        .text_mode(cm.BigValueTextMode.AUTO)
    )


def bargauge_panel():
    return (
        bargauge.Panel()
        .reduce_options(reduce_last())
        .orientation(cm.VizOrientation.HORIZONTAL)
        .display_mode(cm.BarGaugeDisplayMode.GRADIENT)
    )


def heatmap_panel(unit):
    return (
        heatmap.Panel()
        .calculate(False)
        .y_axis(heatmap.YAxisConfig().unit(unit).axis_placement(cm.AxisPlacement.LEFT))
        .cell_gap(1)
        .color(heatmap.HeatmapColorOptions().mode(hm.HeatmapColorMode.SCHEME).scheme("Oranges").exponent(0.5).steps(64))
        .rows_frame(heatmap.RowsHeatmapOptions().layout(cm.HeatmapCellLayout.AUTO))
        .show_y_histogram()
        .show_legend()
        .max_data_points(60)
    )


def table_panel(merge):
    p = table.Panel().show_header(True)
    if merge:
        p = p.with_transformation(dm.DataTransformerConfig(id_val="merge", options={}))
    return p


def query(expr, legend, ref, fmt=None, instant=False):
    q = prometheus.Dataquery().datasource(DS).ref_id(ref).expr(expr).legend_format(legend)
    q = q.instant() if instant else q.range()
    if fmt == "heatmap":
        q = q.format(pm.PromQueryFormat.HEATMAP).interval("")
    elif fmt == "table":
        q = q.format(pm.PromQueryFormat.TABLE)
    return q


class Dash:
    """One dashboard: the shared frame, and panels laid out left to right in rows of 24 columns."""

    def __init__(self, uid, title, description, tags):
        self.builder = (
            dashboard.Dashboard(title)
            .uid(uid)
            .description(description)
            .tags(tags)
            .editable()
            .tooltip(dm.DashboardCursorSync.CROSSHAIR)
            .version(1)
            .refresh("30s")
            .time("now-1h", "now")
            .timezone("")
            .fiscal_year_start_month(0)
            .live_now(False)
            .annotation(
                dashboard.AnnotationQuery()
                .built_in(1)
                .datasource(dm.DataSourceRef(type_val="grafana", uid="-- Grafana --"))
                .enable(True)
                .hide(True)
                .icon_color("rgba(0, 211, 255, 1)")
                .name("Annotations & Alerts")
                .type("dashboard")
            )
            .link(
                dashboard.DashboardLink("monitor")
                .type(dm.DashboardLinkType.DASHBOARDS)
                .tags(["monitor"])
                .as_dropdown(True)
                .include_vars(True)
                .keep_time(True)
            )
            .variables(VARIABLES)
        )
        self.ids = 0
        self.x = self.y = self.row_h = 0

    def place(self, w, h):
        if self.x + w > 24:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0
        pos = dm.GridPos(x=self.x, y=self.y, w=w, h=h)
        self.x += w
        self.row_h = max(self.row_h, h)
        return pos

    def add(self, panel, title, desc, unit, targets, w=12, h=8, fmt=None, instant=False, thresholds=(), min=None):
        self.ids += 1
        p = panel.id(self.ids).title(title).description(desc).datasource(DS).unit(unit).grid_pos(self.place(w, h))
        for i, (expr, legend) in enumerate(targets):
            p = p.with_target(query(expr, legend, chr(ord("A") + i), fmt, instant))
        if thresholds:
            steps = [dm.Threshold(color="green", value=None)] + [dm.Threshold(color=c, value=v) for v, c in thresholds]
            p = p.thresholds(dashboard.ThresholdsConfig().mode(dm.ThresholdsMode.ABSOLUTE).steps(steps))
        if min is not None:
            p = p.min(min)
        self.builder.with_panel(p)

    def timeseries(self, title, desc, unit, targets, stack="none", **kw):
        self.add(timeseries_panel(stack), title, desc, unit, targets, **kw)

    def stat(self, title, desc, unit, targets, **kw):
        self.add(stat_panel(), title, desc, unit, targets, **kw)

    def bargauge(self, title, desc, unit, targets, **kw):
        self.add(bargauge_panel(), title, desc, unit, targets, instant=True, **kw)

    def heatmap(self, title, desc, unit, targets, **kw):
        self.add(heatmap_panel(unit), title, desc, unit, targets, fmt="heatmap", **kw)

    def table(self, title, desc, unit, targets, merge=False, **kw):
        self.add(table_panel(merge), title, desc, unit, targets, fmt="table", instant=True, **kw)

    def json(self):
        return json.dumps(self.builder.build(), cls=JSONEncoder, indent=2) + "\n"


def overview():
    d = Dash(
        "monitor-overview",
        "monitor / Overview",
        "Traffic seen by monitor's kernel programs (exact counts) and the busiest rules.",
        ["monitor", "network"],
    )
    d.timeseries(
        "Packets/s by direction",
        "Frames per second seen by the XDP (ingress) and TC (egress) programs. Exact: counted in the kernel for every frame, not sampled.",
        "pps",
        [(by("iface, direction", "rate", "monitor_packets_total"), "{{iface}} {{direction}}")],
    )
    d.timeseries(
        "Throughput by direction",
        "Bits per second (frame length including the Ethernet header, without FCS). Exact: counted in the kernel.",
        "bps",
        [(by("iface, direction", "rate", "monitor_bytes_total") + " * 8", "{{iface}} {{direction}}")],
    )
    for title, what, protocols in [
        ("Link-level protocols", "link-level protocol (arp, ipv4, ipv6, other) and vlan-tagged frames", "arp|ipv4|ipv6|other|vlan"),
        ("Transport protocols", "transport protocol (tcp, udp, icmp, icmpv6, ip_other)", "tcp|udp|icmp|icmpv6|ip_other"),
    ]:
        d.timeseries(
            title,
            f"Frames per second by {what}, both directions. Exact: kernel counters.",
            "pps",
            [(by("protocol", "rate", "monitor_protocol_packets_total", sel(f'protocol=~"{protocols}"')), "{{protocol}}")],
            stack="normal",
        )
    rule_packets = by("rule", "rate", "monitor_rule_packets_total")
    rule_bytes = by("rule", "rate", "monitor_rule_bytes_total")
    d.bargauge(
        "Top rules by packet rate",
        "The ten rules with the highest match rate (packets/s, both directions) at the end of the dashboard range: the exact count for kernel-exact rules, the estimate from samples for the others (see the Rules dashboard).",
        "pps",
        [(f"topk(10, {rule_packets} or {by('rule', 'rate', 'monitor_rule_packets_estimated_total')})", "{{rule}}")],
    )
    d.bargauge(
        "Top rules by throughput",
        "The ten rules with the highest matched throughput (bits/s, both directions): exact for kernel-exact rules, estimated from samples for the others.",
        "bps",
        [(f"topk(10, {rule_bytes} or {by('rule', 'rate', 'monitor_rule_bytes_estimated_total')}) * 8", "{{rule}}")],
    )
    small = dict(w=8, h=5)
    d.stat(
        "Interfaces monitored",
        "Number of interfaces the daemon has programs attached to (per host).",
        "short",
        [(f"sum by (instance) (monitor_interfaces{inst()})", "{{instance}}")],
        **small,
    )
    per_frame = "sum(rate({}{}[{}])) / sum(rate(monitor_packets_total{}[{}]))"
    d.stat(
        "Average frame size",
        "Bytes per frame over the selected interfaces, both directions (exact kernel counters).",
        "decbytes",
        [(per_frame.format("monitor_bytes_total", SEL, RI, SEL, RI), "bytes/frame")],
        **small,
    )
    d.stat(
        "Sampled share",
        "Samples the kernel wrote to the ring buffer per frame seen. 1.0 means every frame is sampled (sample = 1); the user-space metrics (TCP analysis aside) are estimates in proportion to this.",
        "percentunit",
        [(per_frame.format("monitor_kernel_samples_total", SEL, RI, SEL, RI), "sampled")],
        **small,
    )
    return d


def tcp():
    d = Dash(
        "monitor-tcp",
        "monitor / TCP health",
        "TCP analysis (Wireshark's tcp.analysis flags) and connection handshakes, per interface.",
        ["monitor", "tcp"],
    )
    retrans = by("iface", "rate", "monitor_tcp_analysis_total", sel('flag=~"retransmission|fast_retransmission"'))
    tcp_frames = by("iface", "rate", "monitor_protocol_packets_total", sel('protocol="tcp"'))
    d.timeseries(
        "Retransmission ratio",
        "Retransmitted segments (tcp.analysis.retransmission + fast_retransmission) divided by all TCP frames of the interface (monitor_protocol_packets_total{protocol=\"tcp\"}, both directions, pure ACKs included). There is no data-segment counter yet, so this ratio is lower than Wireshark's retransmissions per data segment.",
        "percentunit",
        [(f"{retrans} / {tcp_frames}", "{{iface}}")],
        thresholds=[(0.01, "orange"), (0.05, "red")],
        min=0,
    )
    for title, desc, pattern in [
        (
            "Retransmissions by kind",
            "Segments per second flagged as retransmission, fast retransmission (after three duplicate ACKs) or spurious retransmission (data already acknowledged).",
            ".*retransmission",
        ),
        ("Duplicate ACKs and out-of-order", "Segments per second flagged duplicate_ack and out_of_order.", "duplicate_ack|out_of_order"),
        (
            "Lost segments",
            "lost_segment: a gap in the sequence space (data not seen at this host); ack_lost_segment: an ACK for data not seen. Both are common right after the daemon starts.",
            "lost_segment|ack_lost_segment",
        ),
        (
            "Zero window and window full",
            "Receive-side back-pressure: zero_window advertisements, zero-window probes and their ACKs, window_full (sender filled the peer's window) and window_update.",
            "zero_window.*|window_full|window_update",
        ),
    ]:
        d.timeseries(title, desc, "pps", [(flags(pattern), "{{flag}}")])
    d.timeseries(
        "Handshake outcomes",
        "Connection attempts per second by outcome: established, rejected (SYN answered by RST), no_reply (SYN unanswered within the handshake timeout), reset (reset during the handshake), incomplete (SYN/ACK without final ACK).",
        "cps",
        [(by("outcome", "rate", "monitor_tcp_handshakes_total"), "{{outcome}}")],
        stack="normal",
    )
    handshake = "monitor_tcp_handshake_rtt_seconds_bucket"
    ack = "monitor_tcp_ack_rtt_seconds_bucket"
    d.heatmap(
        "Handshake RTT",
        "Distribution of SYN to final ACK time as seen at this host (Wireshark's iRTT), from the monitor_tcp_handshake_rtt_seconds histogram.",
        "s",
        [(by("le", "increase", handshake), "{{le}}")],
    )
    d.heatmap(
        "ACK RTT",
        "Distribution of the time from a data segment to the ACK covering it (tcp.analysis.ack_rtt), from the monitor_tcp_ack_rtt_seconds histogram.",
        "s",
        [(by("le", "increase", ack), "{{le}}")],
    )
    d.timeseries(
        "RTT quantiles",
        "Median and 99th percentile of handshake RTT and ACK RTT, interpolated from the histogram buckets (empty when no handshake or ACK was seen in the window).",
        "s",
        [
            (f"histogram_quantile({q}, {by('le', 'rate', metric)})", f"{name} p{int(q * 100)}")
            for name, metric in [("handshake", handshake), ("ack", ack)]
            for q in (0.5, 0.99)
        ],
    )
    d.timeseries(
        "Other TCP events",
        "keep_alive and keep_alive_ack, and reused_ports (a new SYN on the ports of an earlier connection).",
        "pps",
        [(flags("keep_alive.*|reused_ports"), "{{flag}}")],
    )
    return d


def rules():
    d = Dash(
        "monitor-rules",
        "monitor / Rules",
        "Per-rule traffic. Rules the kernel decides exactly have exact counts (kernel matches plus the rare candidates decided in user space); for the others the kernel counts candidates, and the totals are estimated from the samples that match the full filter in user space.",
        ["monitor", "rules"],
    )
    exact = "monitor_rule_info" + inst('kernel_exact="true"')
    d.table(
        "How each rule is counted",
        "Per rule: kernel_exact = true when the kernel decides the rule exactly; exact_series names the series with the rule's exact count (monitor_rule_packets_total: kernel matches plus the candidates user space confirmed; monitor_rule_user_matches_total: every candidate is sampled; none: only the estimate). Sample fraction: the smallest probability that a candidate is sampled (the rule's own sample combined with the global one); 0 means the rule has no estimate.",
        "short",
        [
            (f"max by (rule, kernel_exact, exact_series) (monitor_rule_info{inst()})", "rule"),
            (f"max by (rule) (monitor_rule_sample_fraction{inst()})", "sample fraction"),
        ],
        w=24,
        h=6,
        merge=True,
    )
    estimated = by("rule", "rate", "monitor_rule_packets_estimated_total")
    d.timeseries(
        "Rule matches/s: exact or estimated",
        "Frames per second matching each rule, both directions: the exact count for kernel-exact rules (kernel matches plus the candidates confirmed in user space), the estimate from samples for the others (each sampled match weighted by the inverse of its sampling probability; noisy when few samples match).",
        "pps",
        [(by("rule", "rate", "monitor_rule_packets_total"), "{{rule}} exact"), (estimated, "{{rule}} estimated")],
    )
    d.timeseries(
        "Rule throughput: exact or estimated",
        "Bits per second of the frames matching each rule, both directions: exact for kernel-exact rules, estimated from samples for the others.",
        "bps",
        [
            (by("rule", "rate", "monitor_rule_bytes_total") + " * 8", "{{rule}} exact"),
            (by("rule", "rate", "monitor_rule_bytes_estimated_total") + " * 8", "{{rule}} estimated"),
        ],
    )
    d.timeseries(
        "Exact rule packets/s by direction",
        "Frames per second matching each kernel-exact rule, by direction (kernel matches plus the candidates confirmed in user space).",
        "pps",
        [(by("rule, direction", "rate", "monitor_rule_packets_total"), "{{rule}} {{direction}}")],
    )
    d.timeseries(
        "Exact rule throughput by direction",
        "Bits per second of the frames matching each kernel-exact rule, by direction.",
        "bps",
        [(by("rule, direction", "rate", "monitor_rule_bytes_total") + " * 8", "{{rule}} {{direction}}")],
    )
    candidates = f"rate(monitor_rule_candidates_total{SEL}[{RI}])"
    inexact_candidates = f"sum by (rule) ({candidates} unless on (instance, rule) {exact})"
    d.timeseries(
        "Kernel candidates vs user-space matches",
        "For rules the kernel cannot decide exactly: kernel candidates per second (the frames the rule's kernel part accepts, an upper bound), sampled frames per second that matched the full filter in user space, and the estimated matching frames per second derived from those samples.",
        "pps",
        [
            (inexact_candidates, "{{rule}} kernel candidates"),
            (by("rule", "rate", "monitor_rule_user_matches_total"), "{{rule}} sampled matches"),
            (estimated, "{{rule}} estimated"),
        ],
    )
    d.timeseries(
        "Candidates of exact rules decided in user space",
        "For kernel-exact rules: frames per second the kernel could not decide (ICMP errors quoting a packet, tunnels, stacked VLAN tags, IP fragments), all sent to user space and decided with the exact filter, and those lost because the ring buffer was full (missing from the exact count if they matched; should stay 0).",
        "pps",
        [
            (f"sum by (rule) ({candidates} and on (instance, rule) {exact})", "{{rule}} candidates"),
            (by("rule", "rate", "monitor_rule_candidates_lost_total"), "{{rule}} lost"),
        ],
    )
    d.timeseries(
        "User-space confirmation ratio",
        "Estimated matches per kernel candidate, per rule the kernel cannot decide exactly: the share of candidates that really match the full filter (an estimate from samples; it can exceed 1 briefly through sampling noise).",
        "percentunit",
        [(f"{estimated} / {inexact_candidates}", "{{rule}}")],
        min=0,
    )
    in_range = "rule, iface, direction"
    d.table(
        "Rule totals in range",
        "Over the dashboard time range, per interface and direction: frames and bytes matching each kernel-exact rule (exact), kernel candidates of every rule, and the estimated frames for rules the kernel cannot decide exactly.",
        "short",
        [
            (by(in_range, "increase", f"monitor_rule_{metric}_total", window="$__range"), legend)
            for metric, legend in [
                ("packets", "packets"),
                ("bytes", "bytes"),
                ("candidates", "candidates"),
                ("packets_estimated", "estimated packets"),
            ]
        ],
        w=24,
        merge=True,
    )
    return d


def daemon():
    d = Dash(
        "monitor-daemon",
        "monitor / Daemon health",
        "Is the daemon keeping up: ring buffer drops, sampling and TCP record rates, dissection errors, reassembly, analyzer table, reloads, resources, scrape cost, flight recorder and dumps.",
        ["monitor", "daemon"],
    )
    d.timeseries(
        "Ring buffer drops",
        "Sample records (monitor_ringbuf_dropped_total) and TCP header records (monitor_tcp_records_lost_total) per second lost because a ring buffer was full. Non-zero: the daemon is not keeping up; lower the sampling rate or snaplen.",
        "pps",
        [
            (by("iface, direction", "rate", "monitor_ringbuf_dropped_total"), "samples {{iface}} {{direction}}"),
            (by("iface, direction", "rate", "monitor_tcp_records_lost_total"), "tcp records {{iface}} {{direction}}"),
        ],
        thresholds=[(0.001, "red")],
    )
    d.timeseries(
        "Samples/s",
        "Samples written by the kernel, received by the daemon, and those whose headers did not parse or that the dissectors marked malformed.",
        "pps",
        [
            (by("iface", "rate", "monitor_kernel_samples_total"), "kernel {{iface}}"),
            (by("iface", "rate", "monitor_samples_total"), "received {{iface}}"),
            (by("iface", "rate", "monitor_sample_parse_errors_total"), "parse errors {{iface}}"),
        ],
    )
    d.timeseries(
        "Dissection errors by layer",
        "Malformed samples per second by the layer found malformed first: link (Ethernet, VLAN, ARP), network (IPv4, IPv6), transport (TCP, UDP, ICMP, ICMPv6) or application. Counted on samples; frames cut by the snaplen are not errors.",
        "pps",
        [(by("layer", "rate", "monitor_dissection_errors_total"), "{{layer}}")],
        stack="normal",
    )
    d.timeseries(
        "Reassembly in progress",
        "IP datagrams waiting for more fragments (ipv4, ipv6) and TCP streams holding part of an application PDU (tcp). Reassembly works on samples: with sampling below 1, multi-frame datagrams and PDUs rarely complete.",
        "short",
        [(f"sum by (protocol) (monitor_reassembly_in_progress{inst()})", "{{protocol}}")],
    )
    d.timeseries(
        "Reassembly outcomes",
        "Per second: datagrams and PDUs reassembled, incomplete IP datagrams dropped at the 60 s timeout, and reassemblies given up early (table_full, too_large, memory).",
        "ops",
        [
            (by("protocol", "rate", "monitor_reassembly_completed_total", inst()), "completed {{protocol}}"),
            (by("protocol", "rate", "monitor_reassembly_timeouts_total", inst()), "timed out {{protocol}}"),
            (by("protocol, reason", "rate", "monitor_reassembly_dropped_total", inst()), "dropped {{protocol}} {{reason}}"),
        ],
    )
    d.timeseries(
        "TCP records/s",
        "TCP header records written by the kernel for TCP analysis and received by the daemon.",
        "pps",
        [
            (by("iface", "rate", "monitor_tcp_records_total"), "kernel {{iface}}"),
            (by("iface", "rate", "monitor_tcp_records_received_total"), "received {{iface}}"),
        ],
    )
    d.timeseries(
        "TCP flows tracked / evicted",
        "Conversations in the TCP analyzer's table, and conversations per second dropped from it (table full or idle). Evictions of live flows make their later analysis flags less accurate.",
        "short",
        [
            (f"sum by (iface) (monitor_tcp_flows_tracked{SEL})", "tracked {{iface}}"),
            (by("iface", "rate", "monitor_tcp_flows_evicted_total"), "evicted/s {{iface}}"),
        ],
    )
    d.timeseries(
        "Configuration reloads",
        "Configuration reloads (SIGHUP) that took effect and those rejected (the running configuration stayed), over each interval.",
        "short",
        [
            (by("instance", "increase", "monitor_config_reloads_total", inst()), "ok {{instance}}"),
            (by("instance", "increase", "monitor_config_reload_failures_total", inst()), "failed {{instance}}"),
        ],
        thresholds=[(1, "red")],
    )
    third = dict(w=8)
    d.timeseries(
        "Resident memory",
        "Resident set size of the daemon process (process_resident_memory_bytes of the hosts running monitor).",
        "bytes",
        [(daemon_process(f"process_resident_memory_bytes{inst()}"), "{{instance}}")],
        **third,
    )
    d.timeseries(
        "CPU",
        "CPU time the daemon process uses per second (1.0 = one core). Kernel program time is accounted to the softirqs of the monitored interfaces, not here.",
        "percentunit",
        [(daemon_process(f"rate(process_cpu_seconds_total{inst()}[{RI}])"), "{{instance}}")],
        **third,
    )
    d.timeseries(
        "Open file descriptors",
        "File descriptors the daemon holds (process_open_fds).",
        "short",
        [(daemon_process(f"process_open_fds{inst()}"), "{{instance}}")],
        **third,
    )
    scrape = "monitor_scrape_duration_seconds"
    d.timeseries(
        "Scrape cost",
        "Time the daemon spends answering /metrics (summing the kernel counters over CPUs and encoding): the mean and the 99th percentile over the interval.",
        "s",
        [
            (
                f"{by('instance', 'rate', scrape + '_sum', inst())} / {by('instance', 'rate', scrape + '_count', inst())}",
                "mean {{instance}}",
            ),
            (f"histogram_quantile(0.99, {by('instance, le', 'rate', scrape + '_bucket', inst())})", "p99 {{instance}}"),
        ],
        **third,
    )
    d.timeseries(
        "Flight recorder",
        "Frames (entries) and bytes held in the flight recorder that dumps are written from.",
        "short",
        [("monitor_recorder" + inst('what="entries"'), "entries {{instance}}")],
        **third,
    )
    d.timeseries(
        "Flight recorder size",
        "Bytes held in the flight recorder.",
        "bytes",
        [("monitor_recorder" + inst('what="bytes"'), "bytes {{instance}}")],
        **third,
    )
    d.timeseries(
        "Dumps",
        "pcapng dumps written per interval, by result (ok, error).",
        "short",
        [(by("result", "increase", "monitor_dumps_total", inst()), "{{result}}")],
        **third,
    )
    d.table(
        "Daemon versions",
        "Version of each daemon and the kernel release it runs on (monitor_build_info).",
        "short",
        [(f"max by (instance, version, kernel) (monitor_build_info{inst()})", "{{instance}}")],
        w=24,
        h=6,
    )
    return d


DASHBOARDS = {"overview": overview, "tcp-health": tcp, "rules": rules, "daemon-health": daemon}


def main():
    check = sys.argv[1:] == ["--check"]
    if sys.argv[1:] and not check:
        sys.exit("usage: generate_dashboards.py [--check]")
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dashboards")
    os.makedirs(out, exist_ok=True)
    stale = []
    for name, make in DASHBOARDS.items():
        path = os.path.join(out, f"monitor-{name}.json")
        text = make().json()
        if check:
            try:
                with open(path) as f:
                    if f.read() != text:
                        stale.append(path)
            except FileNotFoundError:
                stale.append(path)
        else:
            with open(path, "w") as f:
                f.write(text)
    if stale:
        print("not what generate_dashboards.py writes (run `cargo xtask dashboards` and commit the result):", file=sys.stderr)
        for p in stale:
            print(f"  {p}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
