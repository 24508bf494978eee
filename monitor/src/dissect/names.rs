//! MAC address names for the Source/Destination columns, as tshark shows
//! them (`HonHaiPr_6e:8b:24`, `Broadcast`, `IPv6mcast_ff:00:10:00`): read
//! from Wireshark's `manuf` and `wka` files when they are installed
//! (`/usr/share/wireshark`); without them addresses are shown as numbers.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Name tables keyed by (prefix length in bits, masked address).
struct Names {
    map: HashMap<(u8, u64), (String, bool)>,
    /// Prefix lengths present, longest first.
    lens: Vec<u8>,
}

const DIRS: &[&str] = &["/usr/share/wireshark", "/usr/local/share/wireshark"];

fn parse_line(line: &str) -> Option<(u8, u64, String)> {
    let line = line.split('#').next()?.trim();
    let mut it = line.split_whitespace();
    let addr = it.next()?;
    let name = it.next()?;
    let (hex, bits) = match addr.split_once('/') {
        Some((h, b)) => (h, b.parse::<u8>().ok()?),
        None => (addr, 0),
    };
    let bytes: Vec<u8> = hex
        .split([':', '-', '.'])
        .map(|b| u8::from_str_radix(b, 16))
        .collect::<Result<_, _>>()
        .ok()?;
    if bytes.is_empty() || bytes.len() > 6 {
        return None;
    }
    let bits = if bits == 0 {
        (bytes.len() * 8) as u8
    } else {
        bits.min(48)
    };
    let mut v = 0u64;
    for (i, b) in bytes.iter().enumerate() {
        v |= u64::from(*b) << (40 - 8 * i);
    }
    Some((bits, mask(v, bits), name.to_string()))
}

fn mask(v: u64, bits: u8) -> u64 {
    if bits == 0 {
        0
    } else {
        v & (((1u64 << bits) - 1) << (48 - u32::from(bits)))
    }
}

fn load() -> Names {
    let mut map = HashMap::new();
    for dir in DIRS {
        // wka last, so well-known names win over vendor prefixes.
        for file in ["manuf", "wka"] {
            if let Ok(text) = std::fs::read_to_string(format!("{dir}/{file}")) {
                for line in text.lines() {
                    if let Some((bits, v, name)) = parse_line(line) {
                        // Vendor prefixes show all remaining bytes; well-known
                        // ranges drop leading zero bytes (`IPv4mcast_fb`).
                        map.insert((bits, v), (name, file == "wka"));
                    }
                }
            }
        }
        if !map.is_empty() {
            break;
        }
    }
    let mut lens: Vec<u8> = map.keys().map(|k| k.0).collect();
    lens.sort_unstable_by(|a, b| b.cmp(a));
    lens.dedup();
    Names { map, lens }
}

/// The resolved name of a MAC address, or its colon-hex form.
pub fn mac_name(m: &[u8]) -> String {
    static NAMES: OnceLock<Names> = OnceLock::new();
    let names = NAMES.get_or_init(load);
    let v = m.iter().take(6).fold(0u64, |a, b| (a << 8) | u64::from(*b));
    for &bits in &names.lens {
        if let Some((name, strip)) = names.map.get(&(bits, mask(v, bits))) {
            if bits >= 48 {
                return name.clone();
            }
            let mut rest = &m[usize::from(bits / 8)..6];
            while *strip && rest.len() > 1 && rest[0] == 0 {
                rest = &rest[1..];
            }
            let rest: Vec<String> = rest.iter().map(|b| format!("{b:02x}")).collect();
            return format!("{name}_{}", rest.join(":"));
        }
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
            Some((24, 0x0016_ce00_0000, "HonHaiPr".into()))
        );
        assert_eq!(
            parse_line("33-33-00-00-00-00/16\tIPv6mcast"),
            Some((16, 0x3333_0000_0000, "IPv6mcast".into()))
        );
        assert_eq!(
            parse_line("ff:ff:ff:ff:ff:ff\tBroadcast"),
            Some((48, 0xffff_ffff_ffff, "Broadcast".into()))
        );
        assert_eq!(parse_line("# comment"), None);
    }
}
