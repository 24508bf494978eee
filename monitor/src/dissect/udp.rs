//! UDP: header fields, conversation index (`udp.stream`) and hand-off of the
//! payload to the application dissectors.

use std::net::IpAddr;

use super::app::{self, Endpoints};
use super::pipeline::{Cx, Pipeline};
use super::Layer;
use super::{Base, FieldDef, Value};

fields! {
    UDP = "udp", Protocol, Base::Dec, "User Datagram Protocol";
    UDP_SRCPORT = "udp.srcport", UInt, Base::Dec, "Source Port";
    UDP_DSTPORT = "udp.dstport", UInt, Base::Dec, "Destination Port";
    UDP_PORT = "udp.port", UInt, Base::Dec, "Source or Destination Port";
    UDP_LENGTH = "udp.length", UInt, Base::Dec, "Length";
    UDP_CHECKSUM = "udp.checksum", UInt, Base::Hex(4), "Checksum";
    UDP_CHECKSUM_STATUS = "udp.checksum.status", UInt, Base::Dec, "Checksum Status";
    UDP_STREAM = "udp.stream", UInt, Base::Dec, "Stream index";
    UDP_TIME_RELATIVE = "udp.time_relative", RelTime, Base::Dec, "Time since first frame";
    UDP_TIME_DELTA = "udp.time_delta", RelTime, Base::Dec, "Time since previous frame";
    UDP_PAYLOAD = "udp.payload", Bytes, Base::Dec, "Payload";
}

impl Pipeline {
    /// Dissect a UDP datagram.
    pub(crate) fn udp(&mut self, cx: &mut Cx<'_>, src: IpAddr, dst: IpAddr, p: &[u8]) {
        cx.proto_bytes(&UDP, "udp", p);
        // Fields are shown as far as the captured bytes go.
        let avail = p.len();
        let mut h = [0u8; 8];
        h[..avail.min(8)].copy_from_slice(&p[..avail.min(8)]);
        let sp = u16::from_be_bytes([h[0], h[1]]);
        let dp = u16::from_be_bytes([h[2], h[3]]);
        let len = u16::from_be_bytes([h[4], h[5]]);
        let ck = u16::from_be_bytes([h[6], h[7]]);
        let d = &mut *cx.d;
        let mut put = |end: usize, def: &'static FieldDef, v: Value| {
            if avail >= end {
                d.push(def, v);
            }
        };
        put(2, &UDP_SRCPORT, Value::UInt(sp.into()));
        put(4, &UDP_DSTPORT, Value::UInt(dp.into()));
        put(2, &UDP_PORT, Value::UInt(sp.into()));
        put(4, &UDP_PORT, Value::UInt(dp.into()));
        put(6, &UDP_LENGTH, Value::UInt(len.into()));
        put(8, &UDP_CHECKSUM, Value::UInt(ck.into()));
        put(
            8,
            &UDP_CHECKSUM_STATUS,
            Value::UInt(if ck == 0 { 3 } else { 2 }),
        );
        if avail >= 4 {
            // tshark reads both ports before it names the layer, and shows
            // the length as soon as it has read it.
            cx.set_columns("UDP");
            if cx.depth == 0 && cx.wants_columns() {
                cx.d.info = format!("{sp} → {dp}");
                if avail >= 6 {
                    let n = usize::from(len).saturating_sub(8);
                    cx.d.info.push_str(&format!(" Len={n}"));
                }
            }
        }
        if avail < 8 {
            cx.malformed(Layer::Transport);
            return;
        }
        let c = self.udp_convs.get((src, sp), (dst, dp), cx.ts_ns);
        let stream = c.index;
        if cx.depth > 0 {
            // A datagram quoted by an ICMP error still gets its stream index.
            cx.d.push(&UDP_STREAM, Value::UInt(c.index));
        } else {
            let (idx, rel, delta) = (c.index, cx.ts_ns - c.first_ts, cx.ts_ns - c.prev_ts);
            c.prev_ts = cx.ts_ns;
            cx.d.push(&UDP_STREAM, Value::UInt(idx));
            cx.d.push(&UDP_TIME_RELATIVE, Value::Float(rel as f64 / 1e9));
            cx.d.push(&UDP_TIME_DELTA, Value::Float(delta as f64 / 1e9));
        }
        if usize::from(len) < 8 {
            cx.malformed(Layer::Transport);
            return;
        }
        // The payload is bounded by the UDP length; `udp.payload` of a
        // reassembled datagram shows everything after the header (tshark).
        let end = usize::from(len).min(p.len());
        let payload = &p[8..end];
        if payload.is_empty() && end < usize::from(len) && cx.depth == 0 {
            // A payload the snapshot length cut entirely: tshark's UDP
            // fails to hand it on (no upper layer is named).
            cx.malformed(Layer::Transport);
            return;
        }
        let shown = if cx.reassembled { &p[8..] } else { payload };
        if !shown.is_empty() {
            cx.d.push(&UDP_PAYLOAD, cx.d.bytes(&UDP_PAYLOAD, shown));
        }
        let mark = cx.d.fields.len();
        // Inside a packet quoted by an ICMP error the columns stay the
        // outer packet's.
        let columns =
            (cx.depth > 0).then(|| (cx.d.protocol.clone(), cx.d.info.clone(), cx.d.malformed));
        let dg = app::Datagram {
            stream,
            frame: cx.frame,
            ts_ns: cx.ts_ns,
            quoted: cx.depth > 0,
        };
        let claimed = !payload.is_empty()
            && app::udp(
                &mut self.app,
                Endpoints {
                    src_port: sp,
                    dst_port: dp,
                },
                dg,
                payload,
                cx.d,
            );
        if let Some((protocol, info, malformed)) = columns {
            // (a quoted datagram is cut short by design, not malformed)
            cx.d.protocol = protocol;
            cx.d.info = info;
            cx.d.malformed = malformed;
        }
        if claimed {
            Pipeline::app_protos(cx.d, mark, &mut cx.protos);
        } else {
            self.data(cx, payload);
        }
    }
}
