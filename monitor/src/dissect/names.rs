//! MAC address names for the Source/Destination columns, as tshark shows
//! them (`HonHaiPr_6e:8b:24`, `Broadcast`, `IPv6mcast_ff:00:10:00`): read
//! from Wireshark's `manuf` and `wka` files when they are installed
//! (`/usr/share/wireshark`); without them addresses are shown as numbers.
//!
//! The look-up is tshark 4.0's (`eth_addr_resolve` in epan/addr_resolv.c):
//! whole addresses first; then the ranges (entries written with a `/bits`
//! mask), keyed by their address alone, tried with the address masked to
//! 47 bits, 46, … down to 24; then the 24-bit vendor prefixes (of a group
//! address, also with the group bit cleared); then the
//! ranges again from 23 bits down to 0. A range's entry is found under
//! any mask that yields its address, not only its own (02:22:… is
//! `MS-NLB-PhysServer-32_02:…`, from the entry 02-20/16 at 11 bits), and
//! the name is followed by the bytes past the mask, the first of them
//! masked.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The name tables.
#[derive(Default)]
struct Names {
    /// Whole addresses (`Broadcast`).
    exact: HashMap<u64, String>,
    /// Ranges, by their address as written (`IPv4mcast`).
    ranges: HashMap<u64, String>,
    /// 24-bit vendor prefixes (`HonHaiPr`).
    vendors: HashMap<u64, String>,
}

const DIRS: &[&str] = &["/usr/share/wireshark", "/usr/local/share/wireshark"];

/// Where a line of `manuf` or `wka` goes.
#[derive(Debug, PartialEq, Eq)]
enum Entry {
    Exact(u64, String),
    Range(u64, String),
    Vendor(u64, String),
}

fn parse_line(line: &str) -> Option<Entry> {
    let line = line.split('#').next()?.trim();
    let mut it = line.split_whitespace();
    let addr = it.next()?;
    let name = it.next()?.to_string();
    let (hex, bits) = match addr.split_once('/') {
        Some((h, b)) => (h, Some(b.parse::<u8>().ok()?)),
        None => (addr, None),
    };
    let bytes: Vec<u8> = hex
        .split([':', '-', '.'])
        .map(|b| u8::from_str_radix(b, 16))
        .collect::<Result<_, _>>()
        .ok()?;
    if bytes.is_empty() || bytes.len() > 6 {
        return None;
    }
    let mut v = 0u64;
    for (i, b) in bytes.iter().enumerate() {
        v |= u64::from(*b) << (40 - 8 * i);
    }
    // tshark: no mask and three bytes is a vendor prefix; six bytes (or a
    // mask of 48) a whole address; any other mask a range.
    Some(match bits {
        None if bytes.len() == 3 => Entry::Vendor(v, name),
        None if bytes.len() == 6 => Entry::Exact(v, name),
        Some(48..) => Entry::Exact(v, name),
        Some(0) | None => Entry::Vendor(mask(v, 24), name),
        Some(_) => Entry::Range(v, name),
    })
}

fn mask(v: u64, bits: u8) -> u64 {
    if bits == 0 {
        0
    } else {
        v & (((1u64 << bits) - 1) << (48 - u32::from(bits)))
    }
}

fn load() -> Names {
    let mut names = Names::default();
    for dir in DIRS {
        // wka last: its entries replace the manuf file's.
        for file in ["manuf", "wka"] {
            if let Ok(text) = std::fs::read_to_string(format!("{dir}/{file}")) {
                for line in text.lines() {
                    match parse_line(line) {
                        Some(Entry::Exact(v, n)) => names.exact.insert(v, n),
                        Some(Entry::Range(v, n)) => names.ranges.insert(v, n),
                        Some(Entry::Vendor(v, n)) => names.vendors.insert(v, n),
                        None => None,
                    };
                }
            }
        }
        if !(names.exact.is_empty() && names.ranges.is_empty() && names.vendors.is_empty()) {
            break;
        }
    }
    names
}

/// `name_` and the address's bytes past the first `bits` bits, the first
/// of them masked to what the mask leaves.
fn named(name: &str, m: &[u8], bits: u8) -> String {
    let first = usize::from(bits / 8);
    let mut out = String::with_capacity(name.len() + 18);
    out.push_str(name);
    for (i, b) in m[first..6].iter().enumerate() {
        let b = if i == 0 { b & (0xff >> (bits % 8)) } else { *b };
        out.push(if i == 0 { '_' } else { ':' });
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The resolved name of a MAC address, or its colon-hex form.
pub fn mac_name(m: &[u8]) -> String {
    static NAMES: OnceLock<Names> = OnceLock::new();
    let names = NAMES.get_or_init(load);
    if m.len() < 6 {
        return super::eth::fmt_mac(m);
    }
    let v = m.iter().take(6).fold(0u64, |a, b| (a << 8) | u64::from(*b));
    if let Some(name) = names.exact.get(&v) {
        return name.clone();
    }
    let range = |bits: u8| names.ranges.get(&mask(v, bits)).map(|n| named(n, m, bits));
    if let Some(s) = (24..48).rev().find_map(range) {
        return s;
    }
    // A group address's vendor is that of its individual form (the
    // multicast bit cleared; the locally administered bit stays).
    let vendor = mask(v, 24);
    if let Some(name) = names
        .vendors
        .get(&vendor)
        .or_else(|| names.vendors.get(&(vendor & !(1 << 40))))
    {
        return named(name, m, 24);
    }
    if let Some(s) = (0..24).rev().find_map(range) {
        return s;
    }
    super::eth::fmt_mac(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_manuf_and_wka_lines() {
        assert_eq!(
            parse_line("00:16:CE\tHonHaiPr\tHon Hai"),
            Some(Entry::Vendor(0x0016_ce00_0000, "HonHaiPr".into()))
        );
        assert_eq!(
            parse_line("33-33-00-00-00-00/16\tIPv6mcast"),
            Some(Entry::Range(0x3333_0000_0000, "IPv6mcast".into()))
        );
        assert_eq!(
            parse_line("ff:ff:ff:ff:ff:ff\tBroadcast"),
            Some(Entry::Exact(0xffff_ffff_ffff, "Broadcast".into()))
        );
        assert_eq!(parse_line("# comment"), None);
    }

    /// Addresses tshark 4.0 names through its range look-up, with the
    /// names it gives them (Debian's manuf and wka files).
    #[test]
    fn ranges_match_under_any_mask_as_in_tshark() {
        if load().ranges.is_empty() {
            // Without Wireshark's data files addresses stay numbers.
            assert_eq!(
                mac_name(&[2, 0x22, 0x2b, 0x19, 0x58, 0x37]),
                "02:22:2b:19:58:37"
            );
            return;
        }
        for (mac, want) in [
            (
                [2, 0x22, 0x2b, 0x19, 0x58, 0x37],
                "MS-NLB-PhysServer-32_02:2b:19:58:37",
            ),
            (
                [2, 0x21, 0xaa, 0xbb, 0xcc, 0xdd],
                "MS-NLB-PhysServer-32_01:aa:bb:cc:dd",
            ),
            ([2, 0x40, 0, 0, 0, 1], "02:40:00:00:00:01"),
            (
                [2, 0x04, 0x97, 0x11, 0x22, 0x33],
                "ExtremeNetworks_01:11:22:33",
            ),
            ([2, 0x05, 0, 0, 0, 1], "MS-NLB-PhysServer-05_01"),
            ([1, 0, 0x5e, 0x80, 0, 1], "IPv4mcast_80:00:01"),
            ([1, 0, 0x5e, 0x7f, 0xff, 0xfa], "IPv4mcast_7f:ff:fa"),
            ([0x33, 0x33, 0xff, 0, 0x10, 0], "IPv6mcast_ff:00:10:00"),
        ] {
            assert_eq!(mac_name(&mac), want, "{mac:02x?}");
        }
    }
}
