//! Small helpers shared by the application dissectors: bounds-checked
//! big-endian reads and the text forms tshark uses.

/// Big-endian u16 at `off`, if the bytes are there.
pub fn be16(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_be_bytes(
        b.get(off..off.checked_add(2)?)?.try_into().ok()?,
    ))
}

/// Big-endian u24 at `off`, if the bytes are there.
pub fn be24(b: &[u8], off: usize) -> Option<u32> {
    let s = b.get(off..off.checked_add(3)?)?;
    Some(u32::from(s[0]) << 16 | u32::from(s[1]) << 8 | u32::from(s[2]))
}

/// Big-endian u32 at `off`, if the bytes are there.
pub fn be32(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_be_bytes(
        b.get(off..off.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// Little-endian u16 at `off`, if the bytes are there.
pub fn le16(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(off..off.checked_add(2)?)?.try_into().ok()?,
    ))
}

/// Little-endian u32 at `off`, if the bytes are there.
pub fn le32(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(off..off.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// The NUL-terminated string at `off` (without its NUL) and the offset
/// just after the NUL, if a NUL is there.
pub fn stringz(b: &[u8], off: usize) -> Option<(&[u8], usize)> {
    let rest = b.get(off..)?;
    let len = rest.iter().position(|&c| c == 0)?;
    Some((&rest[..len], off + len + 1))
}

/// Text of a NUL-terminated string field tshark decodes as ASCII (such as
/// `http.file_data`): it ends at the first NUL byte.
pub fn ascii_z(b: &[u8]) -> String {
    ascii(&b[..b.iter().position(|&c| c == 0).unwrap_or(b.len())])
}

/// Text of a string field tshark decodes as ASCII: bytes above 0x7f
/// become U+FFFD.
pub fn ascii(b: &[u8]) -> String {
    b.iter()
        .map(|&c| {
            if c.is_ascii() {
                char::from(c)
            } else {
                '\u{fffd}'
            }
        })
        .collect()
}

/// IPv4 address at `off`, if the bytes are there.
pub fn ipv4(b: &[u8], off: usize) -> Option<std::net::Ipv4Addr> {
    let a: [u8; 4] = b.get(off..off.checked_add(4)?)?.try_into().ok()?;
    Some(a.into())
}

/// IPv6 address at `off`, if the bytes are there.
pub fn ipv6(b: &[u8], off: usize) -> Option<std::net::Ipv6Addr> {
    let a: [u8; 16] = b.get(off..off.checked_add(16)?)?.try_into().ok()?;
    Some(a.into())
}

/// Text as tshark shows a string field: printable ASCII as is, other bytes
/// escaped as `\xNN` (and `\\` for a backslash is left alone).
pub fn text(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) if !s.chars().any(char::is_control) => s.to_string(),
        _ => {
            let mut out = String::with_capacity(b.len());
            for &c in b {
                match c {
                    b'\n' => out.push_str("\\n"),
                    b'\r' => out.push_str("\\r"),
                    b'\t' => out.push_str("\\t"),
                    0x20..=0x7e => out.push(char::from(c)),
                    _ => out.push_str(&format!("\\x{c:02x}")),
                }
            }
            out
        }
    }
}

/// Lower-case hex of some bytes, without separators.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
