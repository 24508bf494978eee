//! Ethernet II / IEEE 802.3 with LLC/SNAP, 802.1Q and 802.1ad tags, and the
//! ethertype dispatch with tshark's padding/trailer/FCS handling.

use super::pipeline::{Cx, Pipeline};
use super::{Base, Value};

fields! {
    ETH = "eth", Protocol, Base::Dec, "Ethernet II";
    ETH_DST = "eth.dst", Ether, Base::Dec, "Destination";
    ETH_SRC = "eth.src", Ether, Base::Dec, "Source";
    ETH_ADDR = "eth.addr", Ether, Base::Dec, "Address";
    ETH_DST_LG = "eth.dst.lg", Bool, Base::Dec, "LG bit";
    ETH_DST_IG = "eth.dst.ig", Bool, Base::Dec, "IG bit";
    ETH_SRC_LG = "eth.src.lg", Bool, Base::Dec, "LG bit";
    ETH_SRC_IG = "eth.src.ig", Bool, Base::Dec, "IG bit";
    ETH_LG = "eth.lg", Bool, Base::Dec, "LG bit";
    ETH_IG = "eth.ig", Bool, Base::Dec, "IG bit";
    ETH_TYPE = "eth.type", UInt, Base::Hex(4), "Type";
    ETH_LEN = "eth.len", UInt, Base::Dec, "Length";
    ETH_PADDING = "eth.padding", Bytes, Base::Dec, "Padding";
    ETH_TRAILER = "eth.trailer", Bytes, Base::Dec, "Trailer";
    ETH_FCS = "eth.fcs", UInt, Base::Hex(8), "Frame check sequence";
    ETH_FCS_STATUS = "eth.fcs.status", UInt, Base::Dec, "FCS Status";
    ETHERTYPE = "ethertype", Protocol, Base::Dec, "Ethertype";
    VLAN = "vlan", Protocol, Base::Dec, "802.1Q Virtual LAN";
    VLAN_PRIORITY = "vlan.priority", UInt, Base::Dec, "Priority";
    VLAN_DEI = "vlan.dei", Bool, Base::Dec, "DEI";
    VLAN_ID = "vlan.id", UInt, Base::Dec, "ID";
    VLAN_ETYPE = "vlan.etype", UInt, Base::Hex(4), "Type";
    VLAN_LEN = "vlan.len", UInt, Base::Dec, "Length";
    VLAN_TRAILER = "vlan.trailer", Bytes, Base::Dec, "Trailer";
    AD = "ieee8021ad", Protocol, Base::Dec, "IEEE 802.1ad";
    AD_PRIORITY = "ieee8021ad.priority", UInt, Base::Dec, "Priority";
    AD_DEI = "ieee8021ad.dei", UInt, Base::Dec, "DEI";
    AD_ID = "ieee8021ad.id", UInt, Base::Dec, "ID";
    LLC = "llc", Protocol, Base::Dec, "Logical-Link Control";
    LLC_DSAP = "llc.dsap", UInt, Base::Hex(2), "DSAP";
    LLC_DSAP_SAP = "llc.dsap.sap", UInt, Base::Hex(2), "SAP";
    LLC_DSAP_IG = "llc.dsap.ig", Bool, Base::Dec, "IG Bit";
    LLC_SSAP = "llc.ssap", UInt, Base::Hex(2), "SSAP";
    LLC_SSAP_SAP = "llc.ssap.sap", UInt, Base::Hex(2), "SAP";
    LLC_SSAP_CR = "llc.ssap.cr", Bool, Base::Dec, "CR Bit";
    LLC_CONTROL = "llc.control", UInt, Base::Hex(4), "Control field";
    LLC_OUI = "llc.oui", UInt, Base::Dec, "Organization Code";
    LLC_PID = "llc.pid", UInt, Base::Hex(4), "Protocol ID";
    LLC_CISCO_PID = "llc.cisco_pid", UInt, Base::Hex(4), "PID";
}

pub(crate) fn mac(b: &[u8]) -> [u8; 6] {
    let mut m = [0u8; 6];
    m.copy_from_slice(&b[..6]);
    m
}

/// `Ether` value of 6 bytes at `b`.
fn ether(b: &[u8]) -> Value {
    Value::Ether(mac(b))
}

impl Pipeline {
    /// Dissect an Ethernet frame.
    pub(crate) fn eth(&mut self, cx: &mut Cx<'_>, data: &[u8]) {
        if data.len() < 14 {
            cx.malformed();
            return;
        }
        cx.proto(&ETH, "eth");
        let (dst, src) = (&data[0..6], &data[6..12]);
        for (b, f, lg, ig) in [
            (dst, &ETH_DST, &ETH_DST_LG, &ETH_DST_IG),
            (src, &ETH_SRC, &ETH_SRC_LG, &ETH_SRC_IG),
        ] {
            cx.d.push(f, ether(b));
            cx.d.push(&ETH_ADDR, ether(b));
            cx.d.push(lg, Value::Bool(b[0] & 2 != 0));
            cx.d.push(&ETH_LG, Value::Bool(b[0] & 2 != 0));
            cx.d.push(ig, Value::Bool(b[0] & 1 != 0));
            cx.d.push(&ETH_IG, Value::Bool(b[0] & 1 != 0));
        }
        cx.set_addrs(fmt_mac(src), fmt_mac(dst));
        let ty = u16::from_be_bytes([data[12], data[13]]);
        if ty <= 1500 {
            cx.d.push(&ETH_LEN, Value::UInt(ty.into()));
            let end = (14 + ty as usize).min(data.len());
            self.llc(cx, &data[14..end]);
            let rep_total = cx.orig_len as usize;
            self.trailer(cx, data, 14 + ty as usize, rep_total, &ETH_TRAILER);
            return;
        }
        cx.d.push(&ETH_TYPE, Value::UInt(ty.into()));
        let used = self.ethertype(cx, ty, &data[14..]);
        if let Some(used) = used {
            let trailer_field = cx.trailer_field.unwrap_or(&ETH_TRAILER);
            self.trailer(cx, data, 14 + used, cx.orig_len as usize, trailer_field);
        }
    }

    /// Padding, trailer and FCS after the last byte the payload claimed.
    fn trailer(
        &mut self,
        cx: &mut Cx<'_>,
        data: &[u8],
        end: usize,
        reported: usize,
        trailer_field: &'static super::FieldDef,
    ) {
        if end >= data.len() || end >= reported {
            return;
        }
        let rest = &data[end..];
        let mut pad = 0;
        if end < 60 && reported >= 60 {
            pad = (60 - end).min(rest.len());
            cx.d.push(&ETH_PADDING, Value::Bytes(rest[..pad].to_vec()));
        }
        let rest = &rest[pad..];
        if rest.is_empty() {
            return;
        }
        if rest.len() == 4 && data.len() >= 64 && reported == data.len() {
            let fcs = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
            if crc32(&data[..data.len() - 4]) == fcs {
                cx.d.push(
                    &ETH_FCS,
                    Value::UInt(u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]).into()),
                );
                cx.d.push(&ETH_FCS_STATUS, Value::UInt(1));
                return;
            }
        }
        cx.d.push(trailer_field, Value::Bytes(rest.to_vec()));
    }

    /// Dispatch on an ethertype; returns how many bytes of `data` the
    /// payload claimed (None when unknown: the rest is shown as data).
    pub(crate) fn ethertype(&mut self, cx: &mut Cx<'_>, ty: u16, data: &[u8]) -> Option<usize> {
        match ty {
            0x0800 => {
                cx.protos.push("ethertype");
                Some(self.ipv4(cx, data))
            }
            0x86dd => {
                cx.protos.push("ethertype");
                Some(self.ipv6(cx, data))
            }
            0x0806 => {
                cx.protos.push("ethertype");
                Some(self.arp(cx, data))
            }
            0x8100 | 0x88a8 | 0x9100 => {
                cx.protos.push("ethertype");
                self.vlan(cx, ty, data).map(|n| n + 4)
            }
            _ => {
                cx.protos.push("ethertype");
                self.data(cx, data);
                Some(data.len())
            }
        }
    }

    fn vlan(&mut self, cx: &mut Cx<'_>, ty: u16, data: &[u8]) -> Option<usize> {
        if data.len() < 4 {
            cx.malformed();
            return None;
        }
        let tci = u16::from_be_bytes([data[0], data[1]]);
        let inner = u16::from_be_bytes([data[2], data[3]]);
        if ty == 0x88a8 {
            cx.proto(&AD, "ieee8021ad");
            cx.d.push(&AD_PRIORITY, Value::UInt((tci >> 13).into()));
            cx.d.push(&AD_DEI, Value::UInt(((tci >> 12) & 1).into()));
            cx.d.push(&AD_ID, Value::UInt((tci & 0xfff).into()));
        } else {
            cx.proto(&VLAN, "vlan");
            cx.d.push(&VLAN_PRIORITY, Value::UInt((tci >> 13).into()));
            cx.d.push(&VLAN_DEI, Value::Bool(tci & 0x1000 != 0));
            cx.d.push(&VLAN_ID, Value::UInt((tci & 0xfff).into()));
            cx.trailer_field = Some(&VLAN_TRAILER);
        }
        if inner <= 1500 {
            if ty != 0x88a8 {
                cx.d.push(&VLAN_LEN, Value::UInt(inner.into()));
            }
            let end = (4 + inner as usize).min(data.len());
            self.llc(cx, &data[4..end]);
            return Some(inner as usize);
        }
        if ty != 0x88a8 {
            cx.d.push(&VLAN_ETYPE, Value::UInt(inner.into()));
        }
        self.ethertype(cx, inner, &data[4..])
    }

    fn llc(&mut self, cx: &mut Cx<'_>, data: &[u8]) {
        if data.len() < 3 {
            cx.malformed();
            return;
        }
        cx.proto(&LLC, "llc");
        let (dsap, ssap, ctl) = (data[0], data[1], data[2]);
        cx.d.push(&LLC_DSAP, Value::UInt(dsap.into()));
        cx.d.push(&LLC_DSAP_SAP, Value::UInt((dsap >> 1).into()));
        cx.d.push(&LLC_DSAP_IG, Value::Bool(dsap & 1 != 0));
        cx.d.push(&LLC_SSAP, Value::UInt(ssap.into()));
        cx.d.push(&LLC_SSAP_SAP, Value::UInt((ssap >> 1).into()));
        cx.d.push(&LLC_SSAP_CR, Value::Bool(ssap & 1 != 0));
        // U frames have a one-byte control field; I and S frames two.
        let clen = if ctl & 3 == 3 { 1 } else { 2 };
        if data.len() < 2 + clen {
            cx.malformed();
            return;
        }
        let control = if clen == 1 {
            u16::from(ctl)
        } else {
            u16::from_le_bytes([data[2], data[3]])
        };
        cx.d.push(&LLC_CONTROL, Value::UInt(control.into()));
        let rest = &data[2 + clen..];
        if dsap == 0xaa && ssap == 0xaa && rest.len() >= 5 {
            let oui = u32::from_be_bytes([0, rest[0], rest[1], rest[2]]);
            let pid = u16::from_be_bytes([rest[3], rest[4]]);
            cx.d.push(&LLC_OUI, Value::UInt(oui.into()));
            if oui == 0x00000c {
                cx.d.push(&LLC_CISCO_PID, Value::UInt(pid.into()));
                self.data_named(cx, &rest[5..], cisco_proto(pid));
            } else {
                cx.d.push(&LLC_PID, Value::UInt(pid.into()));
                if oui == 0 {
                    self.ethertype(cx, pid, &rest[5..]);
                } else {
                    self.data(cx, &rest[5..]);
                }
            }
        } else {
            self.data(cx, rest);
        }
    }
}

fn cisco_proto(pid: u16) -> Option<&'static str> {
    match pid {
        0x2000 => Some("cdp"),
        0x2004 => Some("dtp"),
        0x010b => Some("pvstp"),
        0x2003 => Some("vtp"),
        0x0111 => Some("udld"),
        _ => None,
    }
}

/// `aa:bb:cc:dd:ee:ff` (the Source/Destination columns without name resolution).
pub(crate) fn fmt_mac(b: &[u8]) -> String {
    let mut s = String::with_capacity(17);
    super::format::write_mac(&mut s, &mac(b));
    s
}

/// CRC-32 (IEEE 802.3) of `b`.
pub(crate) fn crc32(b: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let t = TABLE.get_or_init(|| {
        let mut t = [0u32; 256];
        for (i, e) in t.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *e = c;
        }
        t
    });
    let mut c = !0u32;
    for &x in b {
        c = t[((c ^ u32::from(x)) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}
