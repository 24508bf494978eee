//! PNG bodies as tshark's PNG dissector reads them (media type
//! `image/png`, epan/dissectors/packet-png.c): no field of its own is
//! shown here, only whether it takes the body and whether reading the
//! body's chunks runs past its end, which tshark reports as a malformed
//! packet.

use super::util::be32;

/// The PNG signature.
const MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

/// The dissector takes a body of at least 20 bytes that starts with the
/// signature (and then writes " (PNG)" to the Info column).
pub fn is_png(b: &[u8]) -> bool {
    b.len() >= 20 && b.starts_with(MAGIC)
}

/// True when dissecting the chunks of a PNG body throws: a chunk header
/// or CRC past the end, a chunk length past the end (or above `i32::MAX`,
/// see below), or a known chunk shorter than what its dissector reads.
pub fn throws(b: &[u8]) -> bool {
    let mut off = MAGIC.len();
    while off < b.len() {
        let (Some(len), Some(ty)) = (be32(b, off), be32(b, off + 4)) else {
            return true;
        };
        if len > i32::MAX as u32 {
            // The chunk's subtree spans 4+4+len+4 bytes, a negative
            // length once taken as a signed int: that throws, unless it
            // came to -1 ("to the end") or wrapped round to a small one;
            // the length check then ends the dissection quietly.
            return (len.wrapping_add(12) as i32) < -1;
        }
        off += 8;
        let len = len as usize;
        if len > b.len() - off.min(b.len()) {
            // tvb_new_subset_length for the chunk's data.
            return true;
        }
        let chunk = &b[off..off + len];
        let reads = match &ty.to_be_bytes() {
            b"IHDR" => 13,
            b"cHRM" => 32,
            b"gAMA" => 4,
            b"pHYs" => 9,
            b"sRGB" => 1,
            b"tIME" => 7,
            // The keyword is read up to its terminating NUL.
            b"tEXt" if !chunk.contains(&0) => usize::MAX,
            _ => 0,
        };
        if reads > len {
            return true;
        }
        off += len;
        if b.len() - off < 4 {
            return true;
        }
        off += 4;
    }
    false
}

/// What reading the chunks of a PNG body cut short by the snapshot
/// length comes to, in tshark's terms (tvbuff.c's bounds checks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CutRead {
    /// The chunks end inside the captured bytes.
    Fine,
    /// A read runs past the captured bytes but not past the body's bytes
    /// in this segment: "Packet size limited during capture".
    Captured,
    /// A read runs past the body's bytes in this segment, and the body
    /// goes on in later segments (the body is a fragment):
    /// "BoundErrorUnreassembled Packet".
    Fragment,
    /// A read runs past the end of the body itself, or a chunk is
    /// shorter than its dissector reads: a malformed packet.
    Malformed,
}

/// Walk the chunks of the captured part `b` of a body of which `reported`
/// bytes are in this segment (`more`: the body goes on after them), as
/// tshark's PNG dissector does, up to the first read past the captured
/// bytes: a chunk's length and type, then the subtree over its header,
/// data and CRC (`tvb_ensure_bytes_exist`).
pub fn cut_read(b: &[u8], reported: usize, more: bool) -> CutRead {
    let past = |end: usize| {
        if end <= reported {
            CutRead::Captured
        } else if more {
            CutRead::Fragment
        } else {
            CutRead::Malformed
        }
    };
    let mut off = MAGIC.len();
    while off < reported {
        let Some(len) = be32(b, off) else {
            return past(off + 4);
        };
        if b.len() < off + 8 {
            return past(off + 8);
        }
        if len > i32::MAX as u32 {
            return if throws(&b[..off + 8]) {
                CutRead::Malformed
            } else {
                CutRead::Fine
            };
        }
        let end = off + 12 + len as usize;
        if end > b.len() {
            return past(end);
        }
        if throws(&[MAGIC, &b[off..end]].concat()) {
            // A whole chunk too short for what its dissector reads.
            return CutRead::Malformed;
        }
        off = end;
    }
    CutRead::Fine
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1x1 image: header, data and trailer chunks.
    fn tiny() -> Vec<u8> {
        let mut v = MAGIC.to_vec();
        let chunk = |v: &mut Vec<u8>, ty: &[u8], data: &[u8]| {
            v.extend_from_slice(&(data.len() as u32).to_be_bytes());
            v.extend_from_slice(ty);
            v.extend_from_slice(data);
            v.extend_from_slice(&[0; 4]);
        };
        chunk(&mut v, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
        chunk(&mut v, b"IDAT", &[1, 2, 3]);
        chunk(&mut v, b"IEND", &[]);
        v
    }

    #[test]
    fn a_well_formed_image_does_not_throw() {
        let png = tiny();
        assert!(is_png(&png));
        assert!(!throws(&png));
    }

    #[test]
    fn chunks_past_the_end_throw() {
        let png = tiny();
        // The trailer's CRC cut off.
        assert!(throws(&png[..png.len() - 1]));
        // A chunk length past the end: random bytes after the signature
        // (the start of the body ending in frame 40 of the fresh h2c
        // capture of seed 1).
        let mut bad = MAGIC.to_vec();
        bad.extend_from_slice(b"\xcd\x20\xf5\x19\x8b\x26\x63\x9f\xcc\x59\x0f\x65");
        assert!(throws(&bad));
        // A header chunk too short for its fields.
        let mut short = MAGIC.to_vec();
        short.extend_from_slice(&[0, 0, 0, 2]);
        short.extend_from_slice(b"IHDR\x00\x01\x00\x00\x00\x00");
        assert!(throws(&short));
        // A length above i32::MAX throws, unless the subtree's length
        // wraps round; then it only ends the dissection.
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(b"\x80\x00\x00\x00IDAT");
        assert!(throws(&huge));
        let mut wraps = MAGIC.to_vec();
        wraps.extend_from_slice(b"\xff\xff\xff\xf8IDAT");
        assert!(!throws(&wraps));
    }

    #[test]
    fn short_or_unsigned_bodies_are_not_png() {
        assert!(!is_png(MAGIC));
        assert!(!is_png(b"GIF89a............................"));
    }

    /// Bodies of recorded HTTP/1.0 image/png downloads: 16 bytes are too
    /// few (tshark shows "(image/png)"); 45 bytes whose first chunk length
    /// runs past the end are "(PNG)[Malformed Packet]".
    #[test]
    fn recorded_http_bodies() {
        let body = |rest: &[u8]| [MAGIC, rest].concat();
        assert!(!is_png(&body(b"\xc6\x2d\x23\x36\x07\x9c\xe0\xa2")));
        let b = body(
            b"\xa7\x1d\x4d\x3a\x1e\x2b\xf8\xb6\x5c\x0e\x72\x2a\x1b\xb6\xe2\x05\x40\xfd\xee\x3b\x2e\x12\x60\x72\xba\x70\xfa\xa2\xe5\x19\x37\x4d\xdb\xea\x82\x4c\x88",
        );
        assert_eq!(b.len(), 45);
        assert!(is_png(&b));
        assert!(throws(&b));
    }
}
