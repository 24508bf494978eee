//! TCP option parsing for the analyzer: the options that change what the
//! analysis reports (window scale, SACK blocks, MSS, timestamps), walked the
//! way Wireshark's option loop walks them (EOL stops, NOP is one byte, a bad
//! length ends the walk).

/// Most SACK blocks the analysis remembers per direction (Wireshark keeps
/// at most three for bytes-in-flight).
pub const MAX_SACK_BLOCKS: usize = 3;

/// The options of one segment that the analysis uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpOptions {
    /// Maximum segment size.
    pub mss: Option<u16>,
    /// Window scale shift, clamped to 14 as RFC 7323 says; `None` when the
    /// option is absent or its length is wrong.
    pub window_scale: Option<u8>,
    /// SACK permitted.
    pub sack_permitted: bool,
    /// True when a SACK option was present (even with no whole block).
    pub sack_present: bool,
    /// Number of whole SACK blocks in the option.
    pub sack_blocks: usize,
    /// The first [`MAX_SACK_BLOCKS`] blocks (left edge, right edge), raw.
    pub sack: [(u32, u32); MAX_SACK_BLOCKS],
    /// Timestamps (TSval, TSecr).
    pub timestamps: Option<(u32, u32)>,
}

impl TcpOptions {
    /// Walk the raw option bytes.
    pub fn parse(mut b: &[u8]) -> Self {
        let mut o = TcpOptions::default();
        while let Some(&kind) = b.first() {
            match kind {
                0 => break,
                1 => {
                    b = &b[1..];
                    continue;
                }
                _ => {}
            }
            let Some(&len) = b.get(1) else { break };
            let len = len as usize;
            // A SACK option cut by the snapshot length still gives tshark
            // the blocks captured before the cut.
            let cut = kind == 5 && len > b.len();
            if len < 2 || (len > b.len() && !cut) {
                break;
            }
            let body = &b[2..len.min(b.len())];
            match kind {
                2 if len == 4 => o.mss = Some(u16::from_be_bytes([body[0], body[1]])),
                3 if len == 3 => o.window_scale = Some(body[0].min(14)),
                4 if len == 2 => o.sack_permitted = true,
                5 => {
                    o.sack_present = true;
                    for blk in body.chunks_exact(8) {
                        let l = u32::from_be_bytes([blk[0], blk[1], blk[2], blk[3]]);
                        let r = u32::from_be_bytes([blk[4], blk[5], blk[6], blk[7]]);
                        if o.sack_blocks < MAX_SACK_BLOCKS {
                            o.sack[o.sack_blocks] = (l, r);
                        }
                        o.sack_blocks += 1;
                    }
                }
                8 if len == 10 => {
                    let v = u32::from_be_bytes([body[0], body[1], body[2], body[3]]);
                    let e = u32::from_be_bytes([body[4], body[5], body[6], body[7]]);
                    o.timestamps = Some((v, e));
                }
                _ => {}
            }
            if cut {
                break;
            }
            b = &b[len..];
        }
        o
    }

    /// The SACK blocks kept for bytes-in-flight (at most three).
    pub fn kept_sack(&self) -> &[(u32, u32)] {
        &self.sack[..self.sack_blocks.min(MAX_SACK_BLOCKS)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_syn_options() {
        // MSS 1460, SACK_PERM, TS, NOP, WS 7
        let b = [
            2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
        ];
        let o = TcpOptions::parse(&b);
        assert_eq!(o.mss, Some(1460));
        assert!(o.sack_permitted);
        assert_eq!(o.timestamps, Some((1, 0)));
        assert_eq!(o.window_scale, Some(7));
    }

    #[test]
    fn clamps_scale_and_stops_on_bad_length() {
        assert_eq!(TcpOptions::parse(&[3, 3, 20]).window_scale, Some(14));
        assert_eq!(TcpOptions::parse(&[3, 4, 2, 0]).window_scale, None);
        assert_eq!(TcpOptions::parse(&[1, 0, 3, 3, 2]).window_scale, None);
        assert_eq!(TcpOptions::parse(&[5, 1, 3, 3, 2]).window_scale, None);
        assert_eq!(TcpOptions::parse(&[3, 9, 2]).window_scale, None);
    }

    #[test]
    fn sack_keeps_three_blocks() {
        let mut b = vec![1, 1, 5, 34];
        for i in 0..4u32 {
            b.extend_from_slice(&(i * 100).to_be_bytes());
            b.extend_from_slice(&(i * 100 + 10).to_be_bytes());
        }
        let o = TcpOptions::parse(&b);
        assert_eq!(o.sack_blocks, 4);
        assert_eq!(o.kept_sack(), &[(0, 10), (100, 110), (200, 210)]);
    }
}
