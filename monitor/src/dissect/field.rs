//! The field model shared by the dissectors, the display-filter language and
//! the output formats: a field has a name, a Wireshark type and a display
//! base (its [`FieldDef`], one static table per dissector), and a dissected
//! packet is a flat list of [`Field`] occurrences in tree order.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

/// Wireshark field types (`FT_*`), as far as this project uses them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// `FT_PROTOCOL`: a protocol layer (`tcp`, `dns`); its value is the layer's bytes.
    Protocol,
    /// A protocol tshark lists in `frame.protocols` without an item of its
    /// own in the tree (ASN.1 sub-dissectors reached through an OID table,
    /// such as `x509sat`): filters and `-e` never see it.
    Layer,
    /// `FT_NONE`: a label with no value (`http.request`); only existence is testable.
    None,
    /// `FT_BOOLEAN`.
    Bool,
    /// `FT_UINT8..FT_UINT64`, also used for bitfields (`tcp.flags.syn` is a Bool).
    UInt,
    /// `FT_INT8..FT_INT64`.
    Int,
    /// `FT_FLOAT`/`FT_DOUBLE`.
    Float,
    /// `FT_BYTES`.
    Bytes,
    /// `FT_STRING`/`FT_STRINGZ`.
    String,
    /// `FT_IPv4`.
    Ipv4,
    /// `FT_IPv6`.
    Ipv6,
    /// `FT_ETHER`.
    Ether,
    /// `FT_ABSOLUTE_TIME`, seconds since the epoch.
    AbsTime,
    /// `FT_RELATIVE_TIME`, seconds.
    RelTime,
    /// `FT_FRAMENUM`.
    FrameNum,
}

/// How tshark prints an integer field (`BASE_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Base {
    /// Not an integer, or decimal.
    Dec,
    /// `0x` and zero-padded to the field's width in hex digits.
    Hex(u8),
    /// Decimal with the hex in parentheses in text output; `-T fields` prints decimal.
    DecHex,
    /// Hex with the decimal in parentheses; `-T fields` prints hex.
    HexDec(u8),
}

/// Static description of one field: the registry is the union of every
/// dissector's `FIELDS` table.
#[derive(Debug)]
pub struct FieldDef {
    /// Display-filter name, e.g. `tcp.srcport`.
    pub name: &'static str,
    /// Wireshark type.
    pub ty: FieldType,
    /// Display base for integers.
    pub base: Base,
    /// Human description (as Wireshark's field list has it).
    pub desc: &'static str,
    /// For a protocol: listed in `frame.protocols` (see
    /// [`FieldDef::tree_only`]).
    pub layer: bool,
}

// The blocks of `fields!`, built at compile time: `tags` pairs each field
// of a dissector with the name of its block ("" for none).

/// `a == b`, usable in constants.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// How many fields of `tags` are in `block`.
pub(crate) const fn block_len(tags: &[(&FieldDef, &str)], block: &str) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < tags.len() {
        if same(tags[i].1, block) {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The `N` fields of `tags` in `block`, in declaration order.
pub(crate) const fn block_fields<const N: usize>(
    tags: &[(&'static FieldDef, &str)],
    block: &str,
) -> [&'static FieldDef; N] {
    assert!(N > 0, "a block without fields");
    let mut out = [tags[0].0; N];
    let (mut i, mut n) = (0, 0);
    while i < tags.len() {
        if same(tags[i].1, block) {
            out[n] = tags[i].0;
            n += 1;
        }
        i += 1;
    }
    out
}

/// Fails to compile when a field names a block that is not declared.
pub(crate) const fn check_blocks(tags: &[(&FieldDef, &str)], blocks: &[&str]) {
    let mut i = 0;
    while i < tags.len() {
        let tag = tags[i].1;
        let mut known = tag.is_empty();
        let mut j = 0;
        while j < blocks.len() {
            known |= same(tag, blocks[j]);
            j += 1;
        }
        assert!(known, "a field names a block that is not declared");
        i += 1;
    }
}

impl FieldDef {
    /// A field definition; `const` so dissectors can build static tables.
    pub const fn new(name: &'static str, ty: FieldType, base: Base, desc: &'static str) -> Self {
        Self {
            name,
            ty,
            base,
            desc,
            layer: true,
        }
    }

    /// A protocol that is in the tree (filters see it) but not in
    /// `frame.protocols`: tshark added its item without calling its
    /// dissector (RPC's subtree for a program whose procedure carries no
    /// arguments).
    pub const fn tree_only(name: &'static str, desc: &'static str) -> Self {
        Self {
            name,
            ty: FieldType::Protocol,
            base: Base::Dec,
            desc,
            layer: false,
        }
    }

    /// A protocol that shows in `frame.protocols` only: tshark called its
    /// dissector, which handed the bytes straight on and put nothing in the
    /// tree (HTTP carrying HTTP/2), so filters do not see it.
    pub const fn layer_only(name: &'static str) -> Self {
        Self::new(name, FieldType::Layer, Base::Dec, "")
    }
}

/// One value of a field occurrence.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// No value (protocols shown as existence, `FT_NONE`).
    None,
    /// Boolean.
    Bool(bool),
    /// Unsigned integer (also frame numbers).
    UInt(u64),
    /// Signed integer.
    Int(i64),
    /// Floating point (also relative and absolute times, in seconds).
    Float(f64),
    /// Raw bytes (also the bytes of a protocol layer).
    Bytes(Vec<u8>),
    /// Text.
    Str(String),
    /// IPv4 address.
    Ipv4(Ipv4Addr),
    /// IPv6 address.
    Ipv6(Ipv6Addr),
    /// MAC address.
    Ether([u8; 6]),
}

/// One occurrence of a field in a dissected packet.
#[derive(Clone, Debug)]
pub struct Field {
    /// Which field.
    pub def: &'static FieldDef,
    /// Its value.
    pub value: Value,
}

/// The fields a consumer reads, by the address of their definitions.
#[derive(Debug)]
pub struct Wanted {
    /// Sorted addresses.
    addrs: Box<[usize]>,
    /// One bit per address modulo 32 KiB >> `shift` (definitions are at
    /// least 8 bytes apart): a field not read is told apart by one load
    /// and test.
    bits: [u64; 64],
    /// Address bits dropped before indexing `bits`.
    shift: u32,
    /// True when no other definition shares a bit with a wanted one: the
    /// bit alone decides, without a search of `addrs`.
    exact: bool,
}

impl Wanted {
    /// Every definition in `defs`; `all` is every definition there is
    /// (to check whether the bitmap alone can decide).
    pub fn new<'a>(defs: impl IntoIterator<Item = &'a FieldDef>, all: &[&FieldDef]) -> Self {
        let mut addrs: Vec<usize> = defs.into_iter().map(Self::addr).collect();
        addrs.sort_unstable();
        addrs.dedup();
        let build = |shift: u32| {
            let mut bits = [0u64; 64];
            for &a in &addrs {
                let (word, bit) = Self::bit(a, shift);
                bits[word] |= bit;
            }
            let exact = all.iter().map(|d| Self::addr(d)).all(|a| {
                let (word, bit) = Self::bit(a, shift);
                bits[word] & bit == 0 || addrs.binary_search(&a).is_ok()
            });
            (bits, exact)
        };
        // The first spacing of addresses that tells the definitions apart.
        let (bits, shift, exact) = (3..8)
            .map(|shift| {
                let (bits, exact) = build(shift);
                (bits, shift, exact)
            })
            .find(|t| t.2)
            .unwrap_or_else(|| {
                let (bits, exact) = build(3);
                (bits, 3, exact)
            });
        Self {
            addrs: addrs.into(),
            bits,
            shift,
            exact,
        }
    }

    fn addr(def: &FieldDef) -> usize {
        def as *const FieldDef as usize
    }

    #[inline(always)]
    fn bit(addr: usize, shift: u32) -> (usize, u64) {
        let i = (addr >> shift) & 4095;
        (i >> 6, 1 << (i & 63))
    }

    /// True for a definition in the set.
    #[inline(always)]
    pub fn contains(&self, def: &FieldDef) -> bool {
        let a = Self::addr(def);
        let (word, bit) = Self::bit(a, self.shift);
        self.bits[word] & bit != 0 && (self.exact || self.addrs.binary_search(&a).is_ok())
    }
}

/// A dissected packet: every field occurrence in tree order, plus the
/// columns tshark's one-line summary shows.
#[derive(Clone, Debug, Default)]
pub struct Dissection {
    /// Field occurrences in the order tshark's tree shows them.
    pub fields: Vec<Field>,
    /// Source column.
    pub src: String,
    /// Destination column.
    pub dst: String,
    /// Protocol column.
    pub protocol: String,
    /// Info column.
    pub info: String,
    /// True when some layer was cut short or invalid ("Malformed Packet").
    pub malformed: bool,
    /// The layer that was found malformed first (set whenever `malformed`
    /// is, once dissection has finished).
    pub malformed_layer: Option<Layer>,
    /// With `malformed`: the Info column already says "[Malformed
    /// Packet]" where the error was caught (a dissector that catches its
    /// sub-dissector's error and goes on with the next PDU), and the
    /// error is no snapshot-length cut.
    pub malformed_noted: bool,
    /// With `malformed`: the text of `_ws.malformed` when it is not
    /// `[Malformed Packet: <protocol>]` (a reassembly error).
    pub malformed_text: Option<&'static str>,
    /// The only fields the consumer reads, when it said so
    /// ([`crate::dissect::Pipeline::only_fields`]): the sorted addresses of
    /// their definitions.
    pub(crate) wanted: Option<Arc<Wanted>>,
    /// With `wanted`: leave out the other fields altogether (protocol
    /// layers stay), when nothing read depends on them.
    pub(crate) only_wanted: bool,
}

/// Where a dissection error was found: a bounded set, for metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layer {
    /// Ethernet, VLAN tags, ARP.
    Link,
    /// IPv4, IPv6 and its extension headers.
    Network,
    /// TCP, UDP, ICMP, ICMPv6.
    Transport,
    /// Everything carried above (DNS, DHCP, TLS, HTTP, QUIC, BGP, OSPF, …).
    Application,
}

impl Layer {
    /// Every layer, in stack order.
    pub const ALL: [Layer; 4] = [
        Layer::Link,
        Layer::Network,
        Layer::Transport,
        Layer::Application,
    ];

    /// The metric label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Link => "link",
            Layer::Network => "network",
            Layer::Transport => "transport",
            Layer::Application => "application",
        }
    }
}

impl Dissection {
    /// Append a field occurrence.
    #[inline(always)]
    pub fn push(&mut self, def: &'static FieldDef, value: Value) {
        // Inlined at every call site: a field left out costs a test (the
        // definition's type is known there), not a call.
        if self.only_wanted && def.ty != FieldType::Protocol && !self.wants(def) {
            return;
        }
        self.append(def, value);
    }

    #[inline(never)]
    fn append(&mut self, def: &'static FieldDef, value: Value) {
        self.fields.push(Field { def, value });
    }

    /// Set the Protocol column (reusing the text's allocation).
    #[inline]
    pub fn set_protocol(&mut self, name: &str) {
        self.protocol.clear();
        self.protocol.push_str(name);
    }

    /// Every value of the named field, in tree order.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.fields
            .iter()
            .filter(move |f| f.def.name == name && f.def.ty != FieldType::Layer)
            .map(|f| &f.value)
    }

    /// An empty dissection for a part of this one (a PDU of a reassembled
    /// stream), reading the same fields.
    pub fn part(&self) -> Self {
        Self {
            wanted: self.wanted.clone(),
            only_wanted: self.only_wanted,
            ..Default::default()
        }
    }

    /// False when the consumer reads only other fields: a dissector may then
    /// push this field with an empty placeholder value instead of computing
    /// it (the field itself stays, so the tree's shape does not change).
    #[inline(always)]
    pub fn wants(&self, def: &FieldDef) -> bool {
        self.wanted.as_ref().is_none_or(|w| w.contains(def))
    }

    /// A bytes value, copied only when the field is wanted (else empty).
    #[inline]
    pub fn bytes(&self, def: &FieldDef, b: &[u8]) -> Value {
        Value::Bytes(if self.wants(def) {
            b.to_vec()
        } else {
            Vec::new()
        })
    }

    /// A text value, made only when the field is wanted (else empty).
    #[inline]
    pub fn text(&self, def: &FieldDef, make: impl FnOnce() -> String) -> Value {
        Value::Str(if self.wants(def) {
            make()
        } else {
            String::new()
        })
    }

    /// False when the consumer reads only fields: the Source/Destination
    /// columns and the bytes of protocol layers (for filters) may be skipped.
    #[inline]
    pub fn wants_all(&self) -> bool {
        self.wanted.is_none()
    }

    /// True when the named field or protocol occurs at least once.
    pub fn has(&self, name: &str) -> bool {
        self.fields
            .iter()
            .any(|f| f.def.name == name && f.def.ty != FieldType::Layer)
    }
}
