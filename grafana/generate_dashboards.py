#!/usr/bin/env python3
"""Writes grafana/dashboards/*.json.

The dashboards are plain Grafana JSON (schemaVersion 39) and can be edited in
Grafana and exported instead; this script only keeps the four files consistent
(datasource variable, interface variable, ids, units, descriptions). Run it
from anywhere: `python3 grafana/generate_dashboards.py`. With `--check` it
writes nothing and exits 1 when a committed file is not what it would
write (`cargo xtask test` runs that).
"""

import json
import os
import sys

DS = {"type": "prometheus", "uid": "${datasource}"}
IF = 'iface=~"$interface"'
INST = 'instance=~"$instance"'
SEL = "{" + INST + "," + IF + "}"
RI = "$__rate_interval"


def sel(extra=""):
    parts = [INST, IF] + ([extra] if extra else [])
    return "{" + ",".join(parts) + "}"


def inst(extra=""):
    parts = [INST] + ([extra] if extra else [])
    return "{" + ",".join(parts) + "}"


def templating():
    return {
        "list": [
            {
                "name": "datasource",
                "label": "Data source",
                "type": "datasource",
                "query": "prometheus",
                "current": {},
                "hide": 0,
                "refresh": 1,
                "regex": "",
                "options": [],
            },
            {
                "name": "instance",
                "label": "Host",
                "type": "query",
                "datasource": DS,
                "definition": "label_values(monitor_build_info, instance)",
                "query": {
                    "query": "label_values(monitor_build_info, instance)",
                    "refId": "instance",
                    "qryType": 1,
                },
                "includeAll": True,
                "multi": True,
                "allValue": ".*",
                "current": {},
                "refresh": 2,
                "sort": 1,
                "hide": 0,
                "options": [],
            },
            {
                "name": "interface",
                "label": "Interface",
                "type": "query",
                "datasource": DS,
                "definition": 'label_values(monitor_packets_total{instance=~"$instance"}, iface)',
                "query": {
                    "query": 'label_values(monitor_packets_total{instance=~"$instance"}, iface)',
                    "refId": "interface",
                    "qryType": 1,
                },
                "includeAll": True,
                "multi": True,
                "allValue": ".*",
                "current": {},
                "refresh": 2,
                "sort": 1,
                "hide": 0,
                "options": [],
            },
        ]
    }


class Dash:
    def __init__(self, uid, title, description, tags):
        self.uid = uid
        self.title = title
        self.description = description
        self.tags = tags
        self.panels = []
        self.x = 0
        self.y = 0
        self.row_h = 0

    def place(self, w, h):
        if self.x + w > 24:
            self.x = 0
            self.y += self.row_h
            self.row_h = 0
        pos = {"x": self.x, "y": self.y, "w": w, "h": h}
        self.x += w
        self.row_h = max(self.row_h, h)
        return pos

    def panel(self, kind, title, desc, unit, targets, w=12, h=8, **extra):
        pid = len(self.panels) + 1
        tg = []
        for i, t in enumerate(targets):
            expr, legend = t[0], t[1]
            d = {
                "datasource": DS,
                "refId": chr(ord("A") + i),
                "expr": expr,
                "legendFormat": legend,
                "range": True,
                "instant": False,
            }
            if kind == "heatmap":
                d["format"] = "heatmap"
                d["interval"] = ""
            elif kind == "bargauge":
                d["range"] = False
                d["instant"] = True
            elif kind == "table":
                d["format"] = "table"
                d["range"] = False
                d["instant"] = True
            tg.append(d)
        p = {
            "id": pid,
            "type": kind,
            "title": title,
            "description": desc,
            "datasource": DS,
            "gridPos": self.place(w, h),
            "targets": tg,
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
            "options": {},
        }
        if kind == "timeseries":
            p["fieldConfig"]["defaults"]["custom"] = {
                "drawStyle": "line",
                "lineWidth": 1,
                "fillOpacity": 10,
                "showPoints": "never",
                "stacking": {"mode": extra.pop("stack", "none"), "group": "A"},
            }
            p["options"] = {
                "legend": {"displayMode": "table", "placement": "bottom", "calcs": ["mean", "max", "lastNotNull"]},
                "tooltip": {"mode": "multi", "sort": "desc"},
            }
        elif kind == "stat":
            p["options"] = {
                "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                "colorMode": "value",
                "graphMode": "area",
                "textMode": "auto",
            }
        elif kind == "bargauge":
            p["options"] = {
                "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                "orientation": "horizontal",
                "displayMode": "gradient",
            }
        elif kind == "heatmap":
            p["options"] = {
                "calculate": False,
                "yAxis": {"unit": unit, "axisPlacement": "left"},
                "cellGap": 1,
                "color": {"mode": "scheme", "scheme": "Oranges", "exponent": 0.5, "steps": 64},
                "rowsFrame": {"layout": "auto"},
                "tooltip": {"show": True, "yHistogram": True},
                "legend": {"show": True},
            }
            p["maxDataPoints"] = 60
        elif kind == "table":
            p["options"] = {"showHeader": True}
        if "thresholds" in extra:
            p["fieldConfig"]["defaults"]["thresholds"] = {
                "mode": "absolute",
                "steps": [{"color": "green", "value": None}]
                + [{"color": c, "value": v} for v, c in extra.pop("thresholds")],
            }
        if "min" in extra:
            p["fieldConfig"]["defaults"]["min"] = extra.pop("min")
        if "max" in extra:
            p["fieldConfig"]["defaults"]["max"] = extra.pop("max")
        if "transformations" in extra:
            p["transformations"] = extra.pop("transformations")
        assert not extra, extra
        self.panels.append(p)

    def json(self):
        return {
            "uid": self.uid,
            "title": self.title,
            "description": self.description,
            "tags": self.tags,
            "editable": True,
            "graphTooltip": 1,
            "schemaVersion": 39,
            "version": 1,
            "refresh": "30s",
            "time": {"from": "now-1h", "to": "now"},
            "timepicker": {},
            "timezone": "",
            "fiscalYearStartMonth": 0,
            "liveNow": False,
            "annotations": {
                "list": [
                    {
                        "builtIn": 1,
                        "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                        "enable": True,
                        "hide": True,
                        "iconColor": "rgba(0, 211, 255, 1)",
                        "name": "Annotations & Alerts",
                        "type": "dashboard",
                    }
                ]
            },
            "links": [
                {
                    "title": "monitor",
                    "type": "dashboards",
                    "tags": ["monitor"],
                    "asDropdown": True,
                    "includeVars": True,
                    "keepTime": True,
                }
            ],
            "templating": templating(),
            "panels": self.panels,
        }


def overview():
    d = Dash(
        "monitor-overview",
        "monitor / Overview",
        "Traffic seen by monitor's kernel programs (exact counts) and the busiest rules.",
        ["monitor", "network"],
    )
    d.panel(
        "timeseries", "Packets/s by direction",
        "Frames per second seen by the XDP (ingress) and TC (egress) programs. Exact: counted in the kernel for every frame, not sampled.",
        "pps",
        [(f"sum by (iface, direction) (rate(monitor_packets_total{SEL}[{RI}]))", "{{iface}} {{direction}}")],
    )
    d.panel(
        "timeseries", "Throughput by direction",
        "Bits per second (frame length including the Ethernet header, without FCS). Exact: counted in the kernel.",
        "bps",
        [(f"sum by (iface, direction) (rate(monitor_bytes_total{SEL}[{RI}])) * 8", "{{iface}} {{direction}}")],
    )
    d.panel(
        "timeseries", "Link-level protocols",
        "Frames per second by link-level protocol (arp, ipv4, ipv6, other) and vlan-tagged frames, both directions. Exact: kernel counters.",
        "pps",
        [(f'sum by (protocol) (rate(monitor_protocol_packets_total{sel(chr(112)+"rotocol=~" + chr(34) + "arp|ipv4|ipv6|other|vlan" + chr(34))}[{RI}]))', "{{protocol}}")],
        stack="normal",
    )
    d.panel(
        "timeseries", "Transport protocols",
        "Frames per second by transport protocol (tcp, udp, icmp, icmpv6, ip_other), both directions. Exact: kernel counters.",
        "pps",
        [(f'sum by (protocol) (rate(monitor_protocol_packets_total{sel("protocol=~" + chr(34) + "tcp|udp|icmp|icmpv6|ip_other" + chr(34))}[{RI}]))', "{{protocol}}")],
        stack="normal",
    )
    d.panel(
        "bargauge", "Top rules by packet rate",
        "The ten rules with the highest match rate (packets/s, both directions) at the end of the dashboard range: the exact count for kernel-exact rules, the estimate from samples for the others (see the Rules dashboard).",
        "pps",
        [(f"topk(10, sum by (rule) (rate(monitor_rule_packets_total{SEL}[{RI}])) or sum by (rule) (rate(monitor_rule_packets_estimated_total{SEL}[{RI}])))", "{{rule}}")],
    )
    d.panel(
        "bargauge", "Top rules by throughput",
        "The ten rules with the highest matched throughput (bits/s, both directions): exact for kernel-exact rules, estimated from samples for the others.",
        "bps",
        [(f"topk(10, sum by (rule) (rate(monitor_rule_bytes_total{SEL}[{RI}])) or sum by (rule) (rate(monitor_rule_bytes_estimated_total{SEL}[{RI}]))) * 8", "{{rule}}")],
    )
    d.panel(
        "stat", "Interfaces monitored",
        "Number of interfaces the daemon has programs attached to (per host).",
        "short",
        [(f"sum by (instance) (monitor_interfaces{inst()})", "{{instance}}")],
        w=8, h=5,
    )
    d.panel(
        "stat", "Average frame size",
        "Bytes per frame over the selected interfaces, both directions (exact kernel counters).",
        "decbytes",
        [(f"sum(rate(monitor_bytes_total{SEL}[{RI}])) / sum(rate(monitor_packets_total{SEL}[{RI}]))", "bytes/frame")],
        w=8, h=5,
    )
    d.panel(
        "stat", "Sampled share",
        "Samples the kernel wrote to the ring buffer per frame seen. 1.0 means every frame is sampled (sample = 1); the user-space metrics (TCP analysis aside) are estimates in proportion to this.",
        "percentunit",
        [(f"sum(rate(monitor_kernel_samples_total{SEL}[{RI}])) / sum(rate(monitor_packets_total{SEL}[{RI}]))", "sampled")],
        w=8, h=5,
    )
    return d


def tcp():
    d = Dash(
        "monitor-tcp",
        "monitor / TCP health",
        "TCP analysis (Wireshark's tcp.analysis flags) and connection handshakes, per interface.",
        ["monitor", "tcp"],
    )
    d.panel(
        "timeseries", "Retransmission ratio",
        "Retransmitted segments (tcp.analysis.retransmission + fast_retransmission) divided by all TCP frames of the interface (monitor_protocol_packets_total{protocol=\"tcp\"}, both directions, pure ACKs included). There is no data-segment counter yet, so this ratio is lower than Wireshark's retransmissions per data segment.",
        "percentunit",
        [(f'sum by (iface) (rate(monitor_tcp_analysis_total{sel("flag=~" + chr(34) + "retransmission|fast_retransmission" + chr(34))}[{RI}])) / sum by (iface) (rate(monitor_protocol_packets_total{sel("protocol=" + chr(34) + "tcp" + chr(34))}[{RI}]))', "{{iface}}")],
        thresholds=[(0.01, "orange"), (0.05, "red")], min=0,
    )
    d.panel(
        "timeseries", "Retransmissions by kind",
        "Segments per second flagged as retransmission, fast retransmission (after three duplicate ACKs) or spurious retransmission (data already acknowledged).",
        "pps",
        [(f'sum by (flag) (rate(monitor_tcp_analysis_total{sel("flag=~" + chr(34) + ".*retransmission" + chr(34))}[{RI}]))', "{{flag}}")],
    )
    d.panel(
        "timeseries", "Duplicate ACKs and out-of-order",
        "Segments per second flagged duplicate_ack and out_of_order.",
        "pps",
        [(f'sum by (flag) (rate(monitor_tcp_analysis_total{sel("flag=~" + chr(34) + "duplicate_ack|out_of_order" + chr(34))}[{RI}]))', "{{flag}}")],
    )
    d.panel(
        "timeseries", "Lost segments",
        "lost_segment: a gap in the sequence space (data not seen at this host); ack_lost_segment: an ACK for data not seen. Both are common right after the daemon starts.",
        "pps",
        [(f'sum by (flag) (rate(monitor_tcp_analysis_total{sel("flag=~" + chr(34) + "lost_segment|ack_lost_segment" + chr(34))}[{RI}]))', "{{flag}}")],
    )
    d.panel(
        "timeseries", "Zero window and window full",
        "Receive-side back-pressure: zero_window advertisements, zero-window probes and their ACKs, window_full (sender filled the peer's window) and window_update.",
        "pps",
        [(f'sum by (flag) (rate(monitor_tcp_analysis_total{sel("flag=~" + chr(34) + "zero_window.*|window_full|window_update" + chr(34))}[{RI}]))', "{{flag}}")],
    )
    d.panel(
        "timeseries", "Handshake outcomes",
        "Connection attempts per second by outcome: established, rejected (SYN answered by RST), no_reply (SYN unanswered within the handshake timeout), reset (reset during the handshake), incomplete (SYN/ACK without final ACK).",
        "cps",
        [(f"sum by (outcome) (rate(monitor_tcp_handshakes_total{SEL}[{RI}]))", "{{outcome}}")],
        stack="normal",
    )
    d.panel(
        "heatmap", "Handshake RTT",
        "Distribution of SYN to final ACK time as seen at this host (Wireshark's iRTT), from the monitor_tcp_handshake_rtt_seconds histogram.",
        "s",
        [(f"sum by (le) (increase(monitor_tcp_handshake_rtt_seconds_bucket{SEL}[{RI}]))", "{{le}}")],
    )
    d.panel(
        "heatmap", "ACK RTT",
        "Distribution of the time from a data segment to the ACK covering it (tcp.analysis.ack_rtt), from the monitor_tcp_ack_rtt_seconds histogram.",
        "s",
        [(f"sum by (le) (increase(monitor_tcp_ack_rtt_seconds_bucket{SEL}[{RI}]))", "{{le}}")],
    )
    d.panel(
        "timeseries", "RTT quantiles",
        "Median and 99th percentile of handshake RTT and ACK RTT, interpolated from the histogram buckets (empty when no handshake or ACK was seen in the window).",
        "s",
        [
            (f"histogram_quantile(0.5, sum by (le) (rate(monitor_tcp_handshake_rtt_seconds_bucket{SEL}[{RI}])))", "handshake p50"),
            (f"histogram_quantile(0.99, sum by (le) (rate(monitor_tcp_handshake_rtt_seconds_bucket{SEL}[{RI}])))", "handshake p99"),
            (f"histogram_quantile(0.5, sum by (le) (rate(monitor_tcp_ack_rtt_seconds_bucket{SEL}[{RI}])))", "ack p50"),
            (f"histogram_quantile(0.99, sum by (le) (rate(monitor_tcp_ack_rtt_seconds_bucket{SEL}[{RI}])))", "ack p99"),
        ],
    )
    d.panel(
        "timeseries", "Other TCP events",
        "keep_alive and keep_alive_ack, and reused_ports (a new SYN on the ports of an earlier connection).",
        "pps",
        [(f'sum by (flag) (rate(monitor_tcp_analysis_total{sel("flag=~" + chr(34) + "keep_alive.*|reused_ports" + chr(34))}[{RI}]))', "{{flag}}")],
    )
    return d


def rules():
    d = Dash(
        "monitor-rules",
        "monitor / Rules",
        "Per-rule traffic. Rules the kernel decides exactly have exact counts (kernel matches plus the rare candidates decided in user space); for the others the kernel counts candidates, and the totals are estimated from the samples that match the full filter in user space.",
        ["monitor", "rules"],
    )
    exact = 'monitor_rule_info' + inst('kernel_exact="true"')
    d.panel(
        "table", "How each rule is counted",
        "Per rule: kernel_exact = true when the kernel decides the rule exactly; exact_series names the series with the rule's exact count (monitor_rule_packets_total: kernel matches plus the candidates user space confirmed; monitor_rule_user_matches_total: every candidate is sampled; none: only the estimate). Sample fraction: the smallest probability that a candidate is sampled (the rule's own sample combined with the global one); 0 means the rule has no estimate.",
        "short",
        [
            (f"max by (rule, kernel_exact, exact_series) (monitor_rule_info{inst()})", "rule"),
            (f"max by (rule) (monitor_rule_sample_fraction{inst()})", "sample fraction"),
        ],
        w=24, h=6,
        transformations=[{"id": "merge", "options": {}}],
    )
    d.panel(
        "timeseries", "Rule matches/s: exact or estimated",
        "Frames per second matching each rule, both directions: the exact count for kernel-exact rules (kernel matches plus the candidates confirmed in user space), the estimate from samples for the others (each sampled match weighted by the inverse of its sampling probability; noisy when few samples match).",
        "pps",
        [
            (f"sum by (rule) (rate(monitor_rule_packets_total{SEL}[{RI}]))", "{{rule}} exact"),
            (f"sum by (rule) (rate(monitor_rule_packets_estimated_total{SEL}[{RI}]))", "{{rule}} estimated"),
        ],
    )
    d.panel(
        "timeseries", "Rule throughput: exact or estimated",
        "Bits per second of the frames matching each rule, both directions: exact for kernel-exact rules, estimated from samples for the others.",
        "bps",
        [
            (f"sum by (rule) (rate(monitor_rule_bytes_total{SEL}[{RI}])) * 8", "{{rule}} exact"),
            (f"sum by (rule) (rate(monitor_rule_bytes_estimated_total{SEL}[{RI}])) * 8", "{{rule}} estimated"),
        ],
    )
    d.panel(
        "timeseries", "Exact rule packets/s by direction",
        "Frames per second matching each kernel-exact rule, by direction (kernel matches plus the candidates confirmed in user space).",
        "pps",
        [(f"sum by (rule, direction) (rate(monitor_rule_packets_total{SEL}[{RI}]))", "{{rule}} {{direction}}")],
    )
    d.panel(
        "timeseries", "Exact rule throughput by direction",
        "Bits per second of the frames matching each kernel-exact rule, by direction.",
        "bps",
        [(f"sum by (rule, direction) (rate(monitor_rule_bytes_total{SEL}[{RI}])) * 8", "{{rule}} {{direction}}")],
    )
    d.panel(
        "timeseries", "Kernel candidates vs user-space matches",
        "For rules the kernel cannot decide exactly: kernel candidates per second (the frames the rule's kernel part accepts, an upper bound), sampled frames per second that matched the full filter in user space, and the estimated matching frames per second derived from those samples.",
        "pps",
        [
            (f"sum by (rule) (rate(monitor_rule_candidates_total{SEL}[{RI}]) unless on (instance, rule) {exact})", "{{rule}} kernel candidates"),
            (f"sum by (rule) (rate(monitor_rule_user_matches_total{SEL}[{RI}]))", "{{rule}} sampled matches"),
            (f"sum by (rule) (rate(monitor_rule_packets_estimated_total{SEL}[{RI}]))", "{{rule}} estimated"),
        ],
    )
    d.panel(
        "timeseries", "Candidates of exact rules decided in user space",
        "For kernel-exact rules: frames per second the kernel could not decide (ICMP errors quoting a packet, tunnels, stacked VLAN tags, IP fragments), all sent to user space and decided with the exact filter, and those lost because the ring buffer was full (missing from the exact count if they matched; should stay 0).",
        "pps",
        [
            (f"sum by (rule) (rate(monitor_rule_candidates_total{SEL}[{RI}]) and on (instance, rule) {exact})", "{{rule}} candidates"),
            (f"sum by (rule) (rate(monitor_rule_candidates_lost_total{SEL}[{RI}]))", "{{rule}} lost"),
        ],
    )
    d.panel(
        "timeseries", "User-space confirmation ratio",
        "Estimated matches per kernel candidate, per rule the kernel cannot decide exactly: the share of candidates that really match the full filter (an estimate from samples; it can exceed 1 briefly through sampling noise).",
        "percentunit",
        [(f"sum by (rule) (rate(monitor_rule_packets_estimated_total{SEL}[{RI}])) / sum by (rule) (rate(monitor_rule_candidates_total{SEL}[{RI}]) unless on (instance, rule) {exact})", "{{rule}}")],
        min=0,
    )
    d.panel(
        "table", "Rule totals in range",
        "Over the dashboard time range, per interface and direction: frames and bytes matching each kernel-exact rule (exact), kernel candidates of every rule, and the estimated frames for rules the kernel cannot decide exactly.",
        "short",
        [
            (f"sum by (rule, iface, direction) (increase(monitor_rule_packets_total{SEL}[$__range]))", "packets"),
            (f"sum by (rule, iface, direction) (increase(monitor_rule_bytes_total{SEL}[$__range]))", "bytes"),
            (f"sum by (rule, iface, direction) (increase(monitor_rule_candidates_total{SEL}[$__range]))", "candidates"),
            (f"sum by (rule, iface, direction) (increase(monitor_rule_packets_estimated_total{SEL}[$__range]))", "estimated packets"),
        ],
        w=24,
        transformations=[{"id": "merge", "options": {}}],
    )
    return d


def daemon():
    d = Dash(
        "monitor-daemon",
        "monitor / Daemon health",
        "Is the daemon keeping up: ring buffer drops, sampling and TCP record rates, dissection errors, reassembly, analyzer table, reloads, resources, scrape cost, flight recorder and dumps.",
        ["monitor", "daemon"],
    )
    d.panel(
        "timeseries", "Ring buffer drops",
        "Sample records (monitor_ringbuf_dropped_total) and TCP header records (monitor_tcp_records_lost_total) per second lost because a ring buffer was full. Non-zero: the daemon is not keeping up; lower the sampling rate or snaplen.",
        "pps",
        [
            (f"sum by (iface, direction) (rate(monitor_ringbuf_dropped_total{SEL}[{RI}]))", "samples {{iface}} {{direction}}"),
            (f"sum by (iface, direction) (rate(monitor_tcp_records_lost_total{SEL}[{RI}]))", "tcp records {{iface}} {{direction}}"),
        ],
        thresholds=[(0.001, "red")],
    )
    d.panel(
        "timeseries", "Samples/s",
        "Samples written by the kernel, received by the daemon, and those whose headers did not parse or that the dissectors marked malformed.",
        "pps",
        [
            (f"sum by (iface) (rate(monitor_kernel_samples_total{SEL}[{RI}]))", "kernel {{iface}}"),
            (f"sum by (iface) (rate(monitor_samples_total{SEL}[{RI}]))", "received {{iface}}"),
            (f"sum by (iface) (rate(monitor_sample_parse_errors_total{SEL}[{RI}]))", "parse errors {{iface}}"),
        ],
    )
    d.panel(
        "timeseries", "Dissection errors by layer",
        "Malformed samples per second by the layer found malformed first: link (Ethernet, VLAN, ARP), network (IPv4, IPv6), transport (TCP, UDP, ICMP, ICMPv6) or application. Counted on samples; frames cut by the snaplen are not errors.",
        "pps",
        [(f"sum by (layer) (rate(monitor_dissection_errors_total{SEL}[{RI}]))", "{{layer}}")],
        stack="normal",
    )
    d.panel(
        "timeseries", "Reassembly in progress",
        "IP datagrams waiting for more fragments (ipv4, ipv6) and TCP streams holding part of an application PDU (tcp). Reassembly works on samples: with sampling below 1, multi-frame datagrams and PDUs rarely complete.",
        "short",
        [(f"sum by (protocol) (monitor_reassembly_in_progress{inst()})", "{{protocol}}")],
    )
    d.panel(
        "timeseries", "Reassembly outcomes",
        "Per second: datagrams and PDUs reassembled, incomplete IP datagrams dropped at the 60 s timeout, and reassemblies given up early (table_full, too_large, memory).",
        "ops",
        [
            (f"sum by (protocol) (rate(monitor_reassembly_completed_total{inst()}[{RI}]))", "completed {{protocol}}"),
            (f"sum by (protocol) (rate(monitor_reassembly_timeouts_total{inst()}[{RI}]))", "timed out {{protocol}}"),
            (f"sum by (protocol, reason) (rate(monitor_reassembly_dropped_total{inst()}[{RI}]))", "dropped {{protocol}} {{reason}}"),
        ],
    )
    d.panel(
        "timeseries", "TCP records/s",
        "TCP header records written by the kernel for TCP analysis and received by the daemon.",
        "pps",
        [
            (f"sum by (iface) (rate(monitor_tcp_records_total{SEL}[{RI}]))", "kernel {{iface}}"),
            (f"sum by (iface) (rate(monitor_tcp_records_received_total{SEL}[{RI}]))", "received {{iface}}"),
        ],
    )
    d.panel(
        "timeseries", "TCP flows tracked / evicted",
        "Conversations in the TCP analyzer's table, and conversations per second dropped from it (table full or idle). Evictions of live flows make their later analysis flags less accurate.",
        "short",
        [
            (f"sum by (iface) (monitor_tcp_flows_tracked{SEL})", "tracked {{iface}}"),
            (f"sum by (iface) (rate(monitor_tcp_flows_evicted_total{SEL}[{RI}]))", "evicted/s {{iface}}"),
        ],
    )
    d.panel(
        "timeseries", "Configuration reloads",
        "Configuration reloads (SIGHUP) that took effect and those rejected (the running configuration stayed), over each interval.",
        "short",
        [
            (f"sum by (instance) (increase(monitor_config_reloads_total{inst()}[{RI}]))", "ok {{instance}}"),
            (f"sum by (instance) (increase(monitor_config_reload_failures_total{inst()}[{RI}]))", "failed {{instance}}"),
        ],
        thresholds=[(1, "red")],
    )
    d.panel(
        "timeseries", "Resident memory",
        "Resident set size of the daemon process (process_resident_memory_bytes of the hosts running monitor).",
        "bytes",
        [(f"process_resident_memory_bytes{inst()} and on (instance, job) monitor_build_info", "{{instance}}")],
        w=8,
    )
    d.panel(
        "timeseries", "CPU",
        "CPU time the daemon process uses per second (1.0 = one core). Kernel program time is accounted to the softirqs of the monitored interfaces, not here.",
        "percentunit",
        [(f"rate(process_cpu_seconds_total{inst()}[{RI}]) and on (instance, job) monitor_build_info", "{{instance}}")],
        w=8,
    )
    d.panel(
        "timeseries", "Open file descriptors",
        "File descriptors the daemon holds (process_open_fds).",
        "short",
        [(f"process_open_fds{inst()} and on (instance, job) monitor_build_info", "{{instance}}")],
        w=8,
    )
    d.panel(
        "timeseries", "Scrape cost",
        "Time the daemon spends answering /metrics (summing the kernel counters over CPUs and encoding): the mean and the 99th percentile over the interval.",
        "s",
        [
            (f"sum by (instance) (rate(monitor_scrape_duration_seconds_sum{inst()}[{RI}])) / sum by (instance) (rate(monitor_scrape_duration_seconds_count{inst()}[{RI}]))", "mean {{instance}}"),
            (f"histogram_quantile(0.99, sum by (instance, le) (rate(monitor_scrape_duration_seconds_bucket{inst()}[{RI}])))", "p99 {{instance}}"),
        ],
        w=8,
    )
    d.panel(
        "timeseries", "Flight recorder",
        "Frames (entries) and bytes held in the flight recorder that dumps are written from.",
        "short",
        [(f'monitor_recorder{inst("what=" + chr(34) + "entries" + chr(34))}', "entries {{instance}}")],
        w=8,
    )
    d.panel(
        "timeseries", "Flight recorder size",
        "Bytes held in the flight recorder.",
        "bytes",
        [(f'monitor_recorder{inst("what=" + chr(34) + "bytes" + chr(34))}', "bytes {{instance}}")],
        w=8,
    )
    d.panel(
        "timeseries", "Dumps",
        "pcapng dumps written per interval, by result (ok, error).",
        "short",
        [(f"sum by (result) (increase(monitor_dumps_total{inst()}[{RI}]))", "{{result}}")],
        w=8,
    )
    d.panel(
        "table", "Daemon versions",
        "Version of each daemon and the kernel release it runs on (monitor_build_info).",
        "short",
        [(f"max by (instance, version, kernel) (monitor_build_info{inst()})", "{{instance}}")],
        w=24, h=6,
    )
    return d


def main():
    check = sys.argv[1:] == ["--check"]
    if sys.argv[1:] and not check:
        sys.exit("usage: generate_dashboards.py [--check]")
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dashboards")
    os.makedirs(out, exist_ok=True)
    stale = []
    for name, d in [("overview", overview()), ("tcp-health", tcp()), ("rules", rules()), ("daemon-health", daemon())]:
        path = os.path.join(out, f"monitor-{name}.json")
        text = json.dumps(d.json(), indent=2) + "\n"
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
        print("not what generate_dashboards.py writes (run it and commit the result):", file=sys.stderr)
        for p in stale:
            print(f"  {p}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
