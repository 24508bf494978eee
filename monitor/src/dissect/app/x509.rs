//! X.509 certificates, certificate revocation lists and OCSP responses
//! (DER), shown as tshark 4.0's ASN.1 dissectors show them: the fields of
//! x509af, x509if, x509sat, x509ce, pkix1implicit, pkcs-1 and ocsp, and the
//! protocols `frame.protocols` lists for them.
//!
//! tshark lists a protocol each time an OID-keyed sub-dissector runs: the
//! value of an attribute in a name (`x509sat` for the common name, the
//! country, …), the value of an extension (`x509ce` for most,
//! `pkix1implicit` for Authority Information Access, `tls` for embedded
//! certificate timestamps, …), the parameters of an algorithm (`pkcs-1` for
//! elliptic-curve keys), a policy qualifier (`pkix1explicit`, `pkix1implicit`)
//! and the body of an OCSP response (`ocsp`). Those protocols put no item of
//! their own in the tree, so they are pushed as [`FieldType::Layer`]
//! entries, in DER order, interleaved with the fields.
//!
//! A small DER walker rather than a certificate crate (`x509-parser`,
//! `der`): what tshark shows depends on the raw order of every element
//! (each attribute of each name, each extension, each policy qualifier),
//! on OIDs a typed parser does not know, and on tshark going on past
//! elements it cannot decode, where a typed parser rejects the whole
//! certificate. Only definite-length, low-tag-number encodings (all of DER)
//! are read; anything that does not fit ends the structure it is in.
//!
//! [`FieldType::Layer`]: crate::dissect::FieldType::Layer

use super::protocol::Protocol;
use super::util::text;
use crate::dissect::{Dissection, FieldDef, Value};

pub use defs::FIELDS;
use defs::*;

/// X.509 certificates, CRLs and OCSP responses, reached through TLS and
/// HTTP bodies (no transport of their own).
pub(super) static PROTOCOL: Protocol = Protocol {
    name: "x509af",
    fields: FIELDS,
    ..Protocol::NONE
};

const BOOLEAN: u8 = 0x01;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const NULL: u8 = 0x05;
const OID: u8 = 0x06;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
const SEQUENCE: u8 = 0x30;

/// Deepest nesting of certificates and names followed (a name inside a
/// general name inside an extension of a certificate inside an OCSP
/// response, …).
const MAX_DEPTH: u8 = 6;

/// One DER element.
#[derive(Clone, Copy, Debug)]
struct Tlv<'a> {
    /// Identifier octet (class, constructed bit, tag number).
    tag: u8,
    /// Contents.
    body: &'a [u8],
}

/// The element at the start of `b` and the bytes after it.
fn tlv(b: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *b.first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let first = *b.get(1)?;
    let (len, head) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = len << 8 | usize::from(*b.get(2 + i)?);
        }
        (len, 2 + n)
    };
    let end = head.checked_add(len)?;
    let body = b.get(head..end)?;
    Some((Tlv { tag, body }, &b[end..]))
}

/// The elements of a constructed element's contents, in order.
#[derive(Clone)]
struct Elems<'a>(&'a [u8]);

impl<'a> Iterator for Elems<'a> {
    type Item = Tlv<'a>;
    fn next(&mut self) -> Option<Tlv<'a>> {
        let (t, rest) = tlv(self.0)?;
        self.0 = rest;
        Some(t)
    }
}

impl<'a> Elems<'a> {
    /// The next element when it has tag `tag`.
    fn tagged(&mut self, tag: u8) -> Option<Tlv<'a>> {
        let (t, rest) = tlv(self.0)?;
        if t.tag != tag {
            return None;
        }
        self.0 = rest;
        Some(t)
    }
}

/// Dotted text of an OBJECT IDENTIFIER's contents.
fn oid_text(b: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mut v: u64 = 0;
    let mut first = true;
    for &x in b {
        v = v << 7 | u64::from(x & 0x7f);
        if x & 0x80 == 0 {
            if first {
                let (a, r) = match v {
                    0..=39 => (0, v),
                    40..=79 => (1, v - 40),
                    _ => (2, v - 80),
                };
                let _ = write!(out, "{a}.{r}");
                first = false;
            } else {
                let _ = write!(out, ".{v}");
            }
            v = 0;
        }
    }
    out
}

/// A signed INTEGER's contents (the low 64 bits of longer ones).
fn int(b: &[u8]) -> i64 {
    let mut v: i64 = if b.first().is_some_and(|&x| x & 0x80 != 0) {
        -1
    } else {
        0
    };
    for &x in b {
        v = v << 8 | i64::from(x);
    }
    v
}

/// A BIT STRING's bits (its contents after the unused-bits count).
fn bits(b: &[u8]) -> &[u8] {
    b.get(1..).unwrap_or_default()
}

/// UTF-16BE text (BMPString), as tshark decodes it.
fn bmp(b: &[u8]) -> String {
    let units = b.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Seconds since the epoch of a civil UTC date and time.
fn epoch(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> i64 {
    // Days from civil (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + h * 3600 + mi * 60 + s
}

/// Decimal digits at `b[i..i + n]`.
fn digits(b: &[u8], i: usize, n: usize) -> Option<i64> {
    let s = b.get(i..i + n)?;
    s.iter().try_fold(0i64, |v, &c| {
        c.is_ascii_digit().then(|| v * 10 + i64::from(c - b'0'))
    })
}

/// A GeneralizedTime (`YYYYMMDDHHMMSS[.f]Z`) as seconds since the epoch.
fn generalized_time(b: &[u8]) -> Option<f64> {
    let secs = epoch(
        digits(b, 0, 4)?,
        digits(b, 4, 2)?,
        digits(b, 6, 2)?,
        digits(b, 8, 2)?,
        digits(b, 10, 2)?,
        digits(b, 12, 2).unwrap_or(0),
    );
    Some(secs as f64)
}

/// A UTCTime as tshark's x509af prints it: `2015-02-12 18:07:27 (UTC)`,
/// with years before 50 in the 21st century.
fn utc_time_text(b: &[u8]) -> String {
    let ok = b.len() >= 12 && b[..12].iter().all(u8::is_ascii_digit);
    if !ok {
        return text(b);
    }
    let s = |i: usize| std::str::from_utf8(&b[i..i + 2]).unwrap_or_default();
    let century = if b[0] < b'5' { "20" } else { "19" };
    format!(
        "{century}{}-{}-{} {}:{}:{} (UTC)",
        s(0),
        s(2),
        s(4),
        s(6),
        s(8),
        s(10)
    )
}

/// What the sub-dissector registered for an OID does with its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Value not dissected further here.
    Opaque,
    DirectoryString,
    CountryName,
    PrintableString,
    Ia5String,
    Utf8String,
    BmpString,
    Integer,
    OctetString,
    SubjectKeyIdentifier,
    KeyUsage,
    GeneralNames,
    BasicConstraints,
    CrlDistributionPoints,
    CertificatePolicies,
    AuthorityKeyIdentifier,
    ExtKeyUsage,
    CertificateTemplate,
    CrlNumber,
    AuthorityInfoAccess,
    CpsUri,
    Timestamps,
    OcspBasic,
    OcspNull,
}

/// The protocol that registered an OID in tshark's BER OID table, and
/// what its dissector shows. One table serves attribute types, extensions
/// and policy qualifiers, as in tshark.
fn registered(oid: &str) -> Option<(&'static FieldDef, Kind)> {
    use Kind::*;
    if let Some(n) = oid.strip_prefix("2.5.4.") {
        let kind = match n {
            "2" | "3" | "4" | "7" | "7.1" | "8" | "8.1" | "9" | "9.1" | "10" | "10.1" | "11"
            | "11.1" | "12" | "13" | "15" | "17" | "17.1" | "18" | "18.1" | "19" | "19.1"
            | "41" | "42" | "43" | "44" | "51" | "54" | "65" => DirectoryString,
            "5" | "46" => PrintableString,
            "6" => CountryName,
            "35" => OctetString,
            "0" | "14" | "16" | "20" | "20.1" | "21" | "21.1" | "23" | "23.1" | "24" | "25"
            | "25.1" | "26" | "27" | "28" | "29" | "30" | "45" | "47" | "48" | "50" | "52"
            | "56" | "66" | "67" => Opaque,
            "1" | "31" | "32" | "33" | "34" | "49" => return Some((&L_X509IF, Opaque)),
            "36" | "37" | "38" | "39" | "40" | "53" | "58" | "59" => {
                return Some((&L_X509AF, Opaque))
            }
            _ => return None,
        };
        return Some((&L_X509SAT, kind));
    }
    if let Some(n) = oid.strip_prefix("2.5.29.") {
        let kind = match n {
            "14" => SubjectKeyIdentifier,
            "15" => KeyUsage,
            "17" | "18" | "29" => GeneralNames,
            "19" => BasicConstraints,
            "20" => CrlNumber,
            "31" | "46" => CrlDistributionPoints,
            "3" | "32" => CertificatePolicies,
            "35" => AuthorityKeyIdentifier,
            "37" => ExtKeyUsage,
            "9" | "16" | "21" | "23" | "27" | "28" | "30" | "33" | "36" | "40" | "44" | "45"
            | "47" | "53" | "54" | "58" | "59" | "60" | "61" => Opaque,
            _ => return None,
        };
        return Some((&L_X509CE, kind));
    }
    Some(match oid {
        // x509sat: PKCS #9, RFC 2247/2798, Microsoft, EV attributes.
        "1.2.840.113549.1.9.1" | "0.9.2342.19200300.100.1.25" => (&L_X509SAT, Ia5String),
        "1.2.840.113549.1.9.7"
        | "1.2.840.113549.1.9.8"
        | "1.2.840.113549.1.9.13"
        | "1.3.6.1.5.5.7.9.2"
        | "2.16.840.1.113730.3.1.1"
        | "2.16.840.1.113730.3.1.2"
        | "2.16.840.1.113730.3.1.3"
        | "2.16.840.1.113730.3.1.4"
        | "2.16.840.1.113730.3.1.39"
        | "2.16.840.1.113730.3.1.241"
        | "1.3.6.1.4.1.311.60.2.1.1"
        | "1.3.6.1.4.1.311.60.2.1.2" => (&L_X509SAT, DirectoryString),
        "1.3.6.1.4.1.311.60.2.1.3" => (&L_X509SAT, CountryName),
        "1.3.6.1.5.5.7.9.3" | "1.3.6.1.5.5.7.9.4" | "1.3.6.1.5.5.7.9.5" => {
            (&L_X509SAT, PrintableString)
        }
        "1.2.840.113549.1.9.20" | "1.3.6.1.4.1.311.20.2" | "1.3.6.1.4.1.311.17.1" => {
            (&L_X509SAT, BmpString)
        }
        "1.3.6.1.4.1.311.20.2.3" => (&L_X509SAT, Utf8String),
        "1.2.840.113549.1.9.21" | "1.2.840.113549.1.9.25.3" | "1.3.6.1.4.1.311.21.2" => {
            (&L_X509SAT, OctetString)
        }
        "1.2.840.113549.1.9.25.4" | "1.3.6.1.4.1.311.21.1" | "1.3.6.1.4.1.311.21.3" => {
            (&L_X509SAT, Integer)
        }
        "1.3.6.1.5.5.7.9.1" | "1.3.6.1.4.1.311.21.4" | "1.3.6.1.1.16.4" => (&L_X509SAT, Opaque),
        "0.9.2342.19200300.100.1.1" => (&L_X509AF, Opaque),
        // x509ce: Microsoft and Entrust extensions, RFC 9310.
        "1.3.6.1.4.1.311.21.7" => (&L_X509CE, CertificateTemplate),
        "1.3.6.1.4.1.311.21.10" => (&L_X509CE, CertificatePolicies),
        "1.3.6.1.4.1.311.25.2" | "1.3.6.1.4.1.311.25.2.1" | "1.2.840.113533.7.65.0" => {
            (&L_X509CE, Opaque)
        }
        "1.3.6.1.5.5.7.1.34" => (&L_X509CE, Opaque),
        // pkix1implicit, pkix1explicit.
        "1.3.6.1.5.5.7.1.1" => (&L_PKIX1IMPLICIT, AuthorityInfoAccess),
        "1.3.6.1.5.5.7.2.2" => (&L_PKIX1IMPLICIT, Opaque),
        "1.3.6.1.5.5.7.2.1" => (&L_PKIX1EXPLICIT, CpsUri),
        "1.3.6.1.5.5.7.1.7"
        | "1.3.6.1.5.5.7.1.8"
        | "1.3.6.1.5.5.7.1.24"
        | "1.2.840.113549.1.9.14"
        | "1.2.840.10046.2.1" => (&L_PKIX1EXPLICIT, Opaque),
        // pkcs-1: algorithm parameters.
        "1.2.840.10045.2.1"
        | "1.3.132.1.12"
        | "1.2.840.10045.2.13"
        | "1.2.840.113549.1.1.10"
        | "1.2.840.113549.1.1.8"
        | "2.16.840.1.101.2.1.1.22" => (&L_PKCS1, Opaque),
        "1.2.840.10040.4.1" => (&L_X509AF, Opaque),
        // Certificate Transparency timestamps, decoded by TLS.
        "1.3.6.1.4.1.11129.2.4.2" => (&L_TLS, Timestamps),
        // OCSP.
        "1.3.6.1.5.5.7.48.1.1" => (&L_OCSP, OcspBasic),
        "1.3.6.1.5.5.7.48.1.5" => (&L_OCSP, OcspNull),
        "1.3.6.1.5.5.7.48.1.2"
        | "1.3.6.1.5.5.7.48.1.3"
        | "1.3.6.1.5.5.7.48.1.4"
        | "1.3.6.1.5.5.7.48.1.6"
        | "1.3.6.1.5.5.7.48.1.7" => (&L_OCSP, Opaque),
        _ => return None,
    })
}

/// The walker: pushes fields and layers in tree order.
struct W<'d> {
    d: &'d mut Dissection,
    depth: u8,
    /// The OCSP protocol item that a response inside TLS shows (in place of
    /// the layer the OCSP body adds), still to be placed.
    ocsp_item: bool,
}

impl W<'_> {
    fn f(&mut self, def: &'static FieldDef, v: Value) {
        self.d.push(def, v);
    }

    fn label(&mut self, def: &'static FieldDef) {
        self.d.push(def, Value::None);
    }

    fn bytes(&mut self, def: &'static FieldDef, b: &[u8]) {
        let v = self.d.bytes(def, b);
        self.d.push(def, v);
    }

    fn str(&mut self, def: &'static FieldDef, b: &[u8]) {
        let v = self.d.text(def, || text(b));
        self.d.push(def, v);
    }

    fn oid(&mut self, def: &'static FieldDef, b: &[u8]) -> String {
        let s = oid_text(b);
        self.d.push(def, Value::Str(s.clone()));
        s
    }

    fn layer(&mut self, def: &'static FieldDef) {
        self.d.push(def, Value::None);
    }

    /// A Certificate (the whole DER element).
    fn certificate(&mut self, b: &[u8]) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        if let Some((c, _)) = tlv(b).filter(|(c, _)| c.tag == SEQUENCE) {
            let mut it = Elems(c.body);
            if let Some(tbs) = it.tagged(SEQUENCE) {
                self.label(&F_SIGNED_CERTIFICATE);
                self.tbs_certificate(tbs.body);
            }
            self.signature_trailer(&mut it, &F_ALGORITHM_IDENTIFIER, &F_ENCRYPTED);
        }
        self.depth -= 1;
    }

    /// The signature algorithm and value that close a signed structure.
    fn signature_trailer(
        &mut self,
        it: &mut Elems<'_>,
        alg: &'static FieldDef,
        value: &'static FieldDef,
    ) {
        if let Some(a) = it.tagged(SEQUENCE) {
            self.label(alg);
            self.algorithm(a.body);
        }
        if let Some(s) = it.tagged(BIT_STRING) {
            self.bytes(value, bits(s.body));
        }
    }

    fn tbs_certificate(&mut self, b: &[u8]) {
        let mut it = Elems(b);
        if let Some(v) = it.tagged(0xa0) {
            if let Some((i, _)) = tlv(v.body).filter(|(i, _)| i.tag == INTEGER) {
                self.f(&F_VERSION, Value::Int(int(i.body)));
            }
        }
        let Some(serial) = it.tagged(INTEGER) else {
            return;
        };
        self.bytes(&F_SERIAL_NUMBER, serial.body);
        let Some(sig) = it.tagged(SEQUENCE) else {
            return;
        };
        self.label(&F_SIGNATURE);
        self.algorithm(sig.body);
        let Some(issuer) = it.tagged(SEQUENCE) else {
            return;
        };
        self.f(&F_ISSUER, Value::UInt(0));
        self.rdn_sequence(&F_X509IF_RDN_SEQUENCE, issuer.body);
        let Some(validity) = it.tagged(SEQUENCE) else {
            return;
        };
        self.label(&F_VALIDITY);
        let mut times = Elems(validity.body);
        for def in [&F_NOT_BEFORE, &F_NOT_AFTER] {
            if let Some(t) = times.next() {
                self.time(def, t);
            }
        }
        let Some(subject) = it.tagged(SEQUENCE) else {
            return;
        };
        self.f(&F_SUBJECT, Value::UInt(0));
        self.rdn_sequence(&F_X509AF_RDN_SEQUENCE, subject.body);
        let Some(spki) = it.tagged(SEQUENCE) else {
            return;
        };
        self.label(&F_SUBJECT_PUBLIC_KEY_INFO);
        let mut k = Elems(spki.body);
        let mut alg = String::new();
        if let Some(a) = k.tagged(SEQUENCE) {
            self.label(&F_ALGORITHM);
            alg = self.algorithm(a.body);
        }
        if let Some(key) = k.tagged(BIT_STRING) {
            let key = bits(key.body);
            self.bytes(&F_SUBJECT_PUBLIC_KEY, key);
            if alg == "1.2.840.113549.1.1.1" {
                self.rsa_public_key(key);
            }
        }
        // Unique identifiers, then the extensions.
        for e in it {
            if e.tag == 0xa3 {
                if let Some((exts, _)) = tlv(e.body).filter(|(s, _)| s.tag == SEQUENCE) {
                    self.extensions(&F_EXTENSIONS, exts.body);
                }
            }
        }
    }

    fn rsa_public_key(&mut self, b: &[u8]) {
        let Some((k, _)) = tlv(b).filter(|(k, _)| k.tag == SEQUENCE) else {
            return;
        };
        let mut it = Elems(k.body);
        if let Some(m) = it.tagged(INTEGER) {
            self.bytes(&F_PKCS1_MODULUS, m.body);
        }
        if let Some(e) = it.tagged(INTEGER) {
            self.f(&F_PKCS1_PUBLIC_EXPONENT, Value::Int(int(e.body)));
        }
    }

    /// A Time choice (`notBefore`, `notAfter`, `thisUpdate`, …).
    fn time(&mut self, def: &'static FieldDef, t: Tlv<'_>) {
        match t.tag {
            UTC_TIME => {
                self.f(def, Value::UInt(0));
                let v = self.d.text(&F_UTC_TIME, || utc_time_text(t.body));
                self.f(&F_UTC_TIME, v);
            }
            GENERALIZED_TIME => {
                self.f(def, Value::UInt(1));
                if let Some(s) = generalized_time(t.body) {
                    self.f(&F_GENERALIZED_TIME, Value::Float(s));
                }
            }
            _ => {}
        }
    }

    /// An AlgorithmIdentifier's contents; returns the algorithm's OID.
    fn algorithm(&mut self, b: &[u8]) -> String {
        let mut it = Elems(b);
        let Some(id) = it.tagged(OID) else {
            return String::new();
        };
        let oid = self.oid(&F_ALGORITHM_ID, id.body);
        if let Some(p) = it.next() {
            // A NULL leaves nothing for the parameters' dissector to take:
            // tshark then drops the protocol it had listed.
            if !(p.tag == NULL && p.body.is_empty()) {
                if let Some((layer, _)) = registered(&oid) {
                    self.layer(layer);
                    if std::ptr::eq(layer, &L_PKCS1)
                        && p.tag == OID
                        && oid.starts_with("1.2.840.10045.2.")
                    {
                        self.f(&F_PKCS1_EC_PARAMETERS, Value::UInt(1));
                        self.oid(&F_PKCS1_NAMED_CURVE, p.body);
                    }
                }
            }
        }
        oid
    }

    /// A Name's RDNSequence (its contents), counted in `count`.
    fn rdn_sequence(&mut self, count: &'static FieldDef, b: &[u8]) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.f(count, Value::UInt(Elems(b).count() as u64));
        for rdn in Elems(b) {
            self.f(&F_RDN_ITEM, Value::UInt(Elems(rdn.body).count() as u64));
            for atv in Elems(rdn.body) {
                self.label(&F_RDN_ITEM_ELEMENT);
                let mut it = Elems(atv.body);
                let Some(id) = it.tagged(OID) else { continue };
                let oid = self.oid(&F_X509IF_OID, id.body);
                if let Some(v) = it.next() {
                    self.value(&oid, v);
                }
            }
        }
        self.depth -= 1;
    }

    /// A value whose type an OID gives (`call_ber_oid_callback`): the
    /// registering protocol is listed, then its dissector's fields.
    fn value(&mut self, oid: &str, v: Tlv<'_>) {
        let Some((layer, kind)) = registered(oid) else {
            return;
        };
        if kind == Kind::OcspBasic && self.ocsp_item {
            self.ocsp_item = false;
            self.d.push(&P_OCSP, Value::None);
        } else {
            self.layer(layer);
        }
        match kind {
            Kind::Opaque => {}
            Kind::DirectoryString => {
                let (i, def) = match v.tag {
                    0x14 => (0, &F_TELETEX_STRING),
                    0x13 => (1, &F_PRINTABLE_STRING),
                    0x1c => (2, &F_UNIVERSAL_STRING),
                    0x1e => (3, &F_BMP_STRING),
                    0x0c => (4, &F_UTF8_STRING),
                    _ => return,
                };
                self.f(&F_DIRECTORY_STRING, Value::UInt(i));
                if v.tag == 0x1e {
                    let s = bmp(v.body);
                    self.f(def, Value::Str(s));
                } else {
                    self.str(def, v.body);
                }
            }
            Kind::CountryName => self.str(&F_COUNTRY_NAME, v.body),
            Kind::PrintableString => self.str(&F_SYNTAX_PRINTABLE_STRING, v.body),
            Kind::Ia5String => self.str(&F_IA5_STRING, v.body),
            Kind::Utf8String => self.str(&F_SYNTAX_UTF8_STRING, v.body),
            Kind::BmpString => {
                let s = bmp(v.body);
                self.f(&F_SYNTAX_BMP_STRING, Value::Str(s));
            }
            Kind::Integer => self.f(&F_INTEGER, Value::Int(int(v.body))),
            Kind::OctetString => self.bytes(&F_OCTET_STRING, v.body),
            Kind::SubjectKeyIdentifier => self.bytes(&F_SUBJECT_KEY_IDENTIFIER, v.body),
            Kind::KeyUsage => self.key_usage(v.body),
            Kind::GeneralNames => self.general_names(None, v.body),
            Kind::BasicConstraints => {
                self.label(&F_BASIC_CONSTRAINTS);
                for e in Elems(v.body) {
                    match e.tag {
                        BOOLEAN => self.f(&F_CA, Value::Bool(e.body.iter().any(|&x| x != 0))),
                        INTEGER => self.f(&F_PATH_LEN, Value::UInt(int(e.body) as u64)),
                        _ => {}
                    }
                }
            }
            Kind::CrlNumber => self.f(&F_CRL_NUMBER, Value::UInt(int(v.body) as u64)),
            Kind::CrlDistributionPoints => {
                self.f(
                    &F_CRL_DIST_POINTS,
                    Value::UInt(Elems(v.body).count() as u64),
                );
                for dp in Elems(v.body) {
                    self.label(&F_DISTRIBUTION_POINT_ELEMENT);
                    for e in Elems(dp.body) {
                        if e.tag != 0xa0 {
                            continue;
                        }
                        let Some((n, _)) = tlv(e.body) else { continue };
                        self.f(&F_DISTRIBUTION_POINT, Value::UInt(u64::from(n.tag & 0x1f)));
                        if n.tag == 0xa0 {
                            self.general_names(Some(&F_FULL_NAME), n.body);
                        }
                    }
                }
            }
            Kind::CertificatePolicies => {
                self.f(
                    &F_CERTIFICATE_POLICIES,
                    Value::UInt(Elems(v.body).count() as u64),
                );
                for pi in Elems(v.body) {
                    self.label(&F_POLICY_INFORMATION);
                    let mut it = Elems(pi.body);
                    if let Some(id) = it.tagged(OID) {
                        self.oid(&F_POLICY_IDENTIFIER, id.body);
                    }
                    let Some(qs) = it.tagged(SEQUENCE) else {
                        continue;
                    };
                    self.f(
                        &F_POLICY_QUALIFIERS,
                        Value::UInt(Elems(qs.body).count() as u64),
                    );
                    for q in Elems(qs.body) {
                        self.label(&F_POLICY_QUALIFIER_INFO);
                        let mut it = Elems(q.body);
                        let Some(id) = it.tagged(OID) else { continue };
                        let oid = self.oid(&F_X509CE_ID, id.body);
                        if let Some(v) = it.next() {
                            self.value(&oid, v);
                        }
                    }
                }
            }
            Kind::CpsUri => self.str(&F_PKIX1EXPLICIT_DIRECTORY_STRING, v.body),
            Kind::AuthorityKeyIdentifier => {
                self.label(&F_AUTHORITY_KEY_IDENTIFIER);
                for e in Elems(v.body) {
                    match e.tag {
                        0x80 => self.bytes(&F_KEY_IDENTIFIER, e.body),
                        0xa1 => self.general_names(Some(&F_AUTHORITY_CERT_ISSUER), e.body),
                        0x82 => self.bytes(&F_AUTHORITY_CERT_SERIAL, e.body),
                        _ => {}
                    }
                }
            }
            Kind::ExtKeyUsage => {
                self.f(
                    &F_KEY_PURPOSE_IDS,
                    Value::UInt(Elems(v.body).count() as u64),
                );
                for id in Elems(v.body).filter(|e| e.tag == OID) {
                    self.oid(&F_KEY_PURPOSE_ID, id.body);
                }
            }
            Kind::CertificateTemplate => {
                self.label(&F_CERTIFICATE_TEMPLATE);
                let mut it = Elems(v.body);
                if let Some(id) = it.tagged(OID) {
                    self.oid(&F_TEMPLATE_ID, id.body);
                }
                if let Some(i) = it.tagged(INTEGER) {
                    self.f(&F_TEMPLATE_MAJOR, Value::Int(int(i.body)));
                }
                if let Some(i) = it.tagged(INTEGER) {
                    self.f(&F_TEMPLATE_MINOR, Value::Int(int(i.body)));
                }
            }
            Kind::AuthorityInfoAccess => {
                self.f(
                    &F_AUTHORITY_INFO_ACCESS,
                    Value::UInt(Elems(v.body).count() as u64),
                );
                for ad in Elems(v.body) {
                    self.label(&F_ACCESS_DESCRIPTION);
                    let mut it = Elems(ad.body);
                    if let Some(m) = it.tagged(OID) {
                        self.oid(&F_ACCESS_METHOD, m.body);
                    }
                    if let Some(l) = it.next() {
                        self.general_name(&F_ACCESS_LOCATION, l);
                    }
                }
            }
            Kind::Timestamps => {
                if v.tag == OCTET_STRING {
                    super::tls::sct_list(v.body, self.d);
                }
            }
            Kind::OcspBasic => self.basic_ocsp_response(v.body),
            Kind::OcspNull => self.label(&F_OCSP_NULL),
        }
    }

    fn key_usage(&mut self, b: &[u8]) {
        let b = bits(b);
        self.bytes(&F_KEY_USAGE, b);
        let byte = |i: usize| b.get(i).copied().unwrap_or(0);
        for (i, def) in KEY_USAGE_BITS.iter().enumerate() {
            let on = byte(i / 8) & (0x80 >> (i % 8)) != 0;
            self.f(def, Value::Bool(on));
        }
    }

    fn general_names(&mut self, count: Option<&'static FieldDef>, b: &[u8]) {
        if let Some(def) = count {
            self.f(def, Value::UInt(Elems(b).count() as u64));
        }
        for g in Elems(b) {
            self.general_name(&F_GENERAL_NAME, g);
        }
    }

    fn general_name(&mut self, choice: &'static FieldDef, g: Tlv<'_>) {
        if g.tag & 0xc0 != 0x80 {
            return;
        }
        let n = g.tag & 0x1f;
        self.f(choice, Value::UInt(n.into()));
        match n {
            0 => {
                self.label(&F_OTHER_NAME);
                let mut it = Elems(g.body);
                let Some(id) = it.tagged(OID) else { return };
                let oid = self.oid(&F_TYPE_ID, id.body);
                if let Some(v) = it.tagged(0xa0) {
                    if let Some((inner, _)) = tlv(v.body) {
                        self.value(&oid, inner);
                    }
                }
            }
            1 => self.str(&F_RFC822_NAME, g.body),
            2 => self.str(&F_DNS_NAME, g.body),
            4 => {
                if let Some((name, _)) = tlv(g.body).filter(|(s, _)| s.tag == SEQUENCE) {
                    self.f(&F_DIRECTORY_NAME, Value::UInt(0));
                    self.rdn_sequence(&F_X509IF_RDN_SEQUENCE, name.body);
                }
            }
            6 => self.str(&F_URI, g.body),
            7 => match g.body.len() {
                4 => {
                    let a: [u8; 4] = g.body.try_into().unwrap_or_default();
                    self.f(&F_IP_V4, Value::Ipv4(a.into()));
                }
                16 => {
                    let a: [u8; 16] = g.body.try_into().unwrap_or_default();
                    self.f(&F_IP_V6, Value::Ipv6(a.into()));
                }
                _ => {}
            },
            8 => {
                self.oid(&F_REGISTERED_ID, g.body);
            }
            _ => {}
        }
    }

    /// An Extensions list (contents), counted in `count`.
    fn extensions(&mut self, count: &'static FieldDef, b: &[u8]) {
        self.f(count, Value::UInt(Elems(b).count() as u64));
        for e in Elems(b) {
            self.label(&F_EXTENSION);
            let mut it = Elems(e.body);
            let Some(id) = it.tagged(OID) else { continue };
            let oid = self.oid(&F_EXTENSION_ID, id.body);
            if let Some(c) = it.tagged(BOOLEAN) {
                self.f(&F_CRITICAL, Value::Bool(c.body.iter().any(|&x| x != 0)));
            }
            let Some(v) = it.tagged(OCTET_STRING) else {
                continue;
            };
            if let Some((inner, _)) = tlv(v.body) {
                self.value(&oid, inner);
            }
        }
    }

    /// A CertificateList (the whole DER element).
    fn certificate_list(&mut self, b: &[u8]) {
        let Some((c, _)) = tlv(b).filter(|(c, _)| c.tag == SEQUENCE) else {
            return;
        };
        let mut it = Elems(c.body);
        if let Some(tbs) = it.tagged(SEQUENCE) {
            self.label(&F_SIGNED_CERTIFICATE_LIST);
            let mut t = Elems(tbs.body);
            if let Some(v) = t.tagged(INTEGER) {
                self.f(&F_VERSION, Value::Int(int(v.body)));
            }
            if let Some(sig) = t.tagged(SEQUENCE) {
                self.label(&F_SIGNATURE);
                self.algorithm(sig.body);
            }
            if let Some(issuer) = t.tagged(SEQUENCE) {
                self.f(&F_ISSUER, Value::UInt(0));
                self.rdn_sequence(&F_X509IF_RDN_SEQUENCE, issuer.body);
            }
            if let Some(tu) = t.next() {
                self.time(&F_THIS_UPDATE, tu);
            }
            for e in t {
                match e.tag {
                    UTC_TIME | GENERALIZED_TIME => self.time(&F_NEXT_UPDATE, e),
                    0xa0 => {
                        if let Some((exts, _)) = tlv(e.body) {
                            self.extensions(&F_CRL_EXTENSIONS, exts.body);
                        }
                    }
                    _ => {}
                }
            }
        }
        self.signature_trailer(&mut it, &F_ALGORITHM_IDENTIFIER, &F_ENCRYPTED);
    }

    /// An OCSPResponse (the whole DER element).
    fn ocsp_response(&mut self, b: &[u8]) {
        let Some((r, _)) = tlv(b).filter(|(r, _)| r.tag == SEQUENCE) else {
            return;
        };
        let mut it = Elems(r.body);
        if let Some(s) = it.tagged(0x0a) {
            self.f(&F_OCSP_RESPONSE_STATUS, Value::UInt(int(s.body) as u64));
        }
        let Some(rb) = it.tagged(0xa0) else { return };
        let Some((rb, _)) = tlv(rb.body).filter(|(s, _)| s.tag == SEQUENCE) else {
            return;
        };
        self.label(&F_OCSP_RESPONSE_BYTES);
        let mut it = Elems(rb.body);
        let Some(id) = it.tagged(OID) else { return };
        let oid = self.oid(&F_OCSP_RESPONSE_TYPE_ID, id.body);
        let Some(body) = it.tagged(OCTET_STRING) else {
            return;
        };
        if let Some((inner, _)) = tlv(body.body) {
            self.value(&oid, inner);
        }
    }

    /// A BasicOCSPResponse (its DER element).
    fn basic_ocsp_response(&mut self, b: &[u8]) {
        self.label(&F_OCSP_BASIC_RESPONSE);
        let mut it = Elems(b);
        if let Some(tbs) = it.tagged(SEQUENCE) {
            self.label(&F_OCSP_TBS_RESPONSE_DATA);
            self.ocsp_response_data(tbs.body);
        }
        self.signature_trailer(&mut it, &F_OCSP_SIGNATURE_ALGORITHM, &F_OCSP_SIGNATURE);
        if let Some(certs) = it.tagged(0xa0) {
            if let Some((seq, _)) = tlv(certs.body) {
                self.f(&F_OCSP_CERTS, Value::UInt(Elems(seq.body).count() as u64));
                let mut rest = seq.body;
                while let Some((_, after)) = tlv(rest) {
                    let whole = &rest[..rest.len() - after.len()];
                    self.label(&F_OCSP_CERTIFICATE);
                    self.certificate(whole);
                    rest = after;
                }
            }
        }
    }

    fn ocsp_response_data(&mut self, b: &[u8]) {
        let mut it = Elems(b);
        if let Some(v) = it.tagged(0xa0) {
            if let Some((i, _)) = tlv(v.body) {
                self.f(&F_OCSP_VERSION, Value::Int(int(i.body)));
            }
        }
        match it.next() {
            Some(r) if r.tag == 0xa1 => {
                self.f(&F_OCSP_RESPONDER_ID, Value::UInt(1));
                if let Some((name, _)) = tlv(r.body) {
                    self.f(&F_OCSP_BY_NAME, Value::UInt(0));
                    self.rdn_sequence(&F_X509IF_RDN_SEQUENCE, name.body);
                }
            }
            Some(r) if r.tag == 0xa2 => {
                self.f(&F_OCSP_RESPONDER_ID, Value::UInt(2));
                if let Some((k, _)) = tlv(r.body) {
                    self.bytes(&F_OCSP_BY_KEY, k.body);
                }
            }
            _ => return,
        }
        if let Some(t) = it.tagged(GENERALIZED_TIME) {
            if let Some(s) = generalized_time(t.body) {
                self.f(&F_OCSP_PRODUCED_AT, Value::Float(s));
            }
        }
        if let Some(rs) = it.tagged(SEQUENCE) {
            self.f(
                &F_OCSP_RESPONSES,
                Value::UInt(Elems(rs.body).count() as u64),
            );
            for r in Elems(rs.body) {
                self.label(&F_OCSP_SINGLE_RESPONSE);
                self.single_response(r.body);
            }
        }
        if let Some(e) = it.tagged(0xa1) {
            if let Some((exts, _)) = tlv(e.body) {
                self.extensions(&F_OCSP_RESPONSE_EXTENSIONS, exts.body);
            }
        }
    }

    fn single_response(&mut self, b: &[u8]) {
        let mut it = Elems(b);
        if let Some(id) = it.tagged(SEQUENCE) {
            self.label(&F_OCSP_CERT_ID);
            let mut c = Elems(id.body);
            if let Some(a) = c.tagged(SEQUENCE) {
                self.label(&F_OCSP_HASH_ALGORITHM);
                self.algorithm(a.body);
            }
            if let Some(h) = c.tagged(OCTET_STRING) {
                self.bytes(&F_OCSP_ISSUER_NAME_HASH, h.body);
            }
            if let Some(h) = c.tagged(OCTET_STRING) {
                self.bytes(&F_OCSP_ISSUER_KEY_HASH, h.body);
            }
            if let Some(s) = c.tagged(INTEGER) {
                self.bytes(&F_OCSP_SERIAL_NUMBER, s.body);
            }
        }
        if let Some(s) = it.next() {
            let n = s.tag & 0x1f;
            self.f(&F_OCSP_CERT_STATUS, Value::UInt(n.into()));
            match n {
                0 => self.label(&F_OCSP_GOOD),
                1 => self.label(&F_OCSP_REVOKED),
                2 => self.label(&F_OCSP_UNKNOWN),
                _ => {}
            }
        }
        if let Some(t) = it.tagged(GENERALIZED_TIME) {
            if let Some(s) = generalized_time(t.body) {
                self.f(&F_OCSP_THIS_UPDATE, Value::Float(s));
            }
        }
        for e in it {
            match e.tag {
                0xa0 => {
                    if let Some((t, _)) = tlv(e.body) {
                        if let Some(s) = generalized_time(t.body) {
                            self.f(&F_OCSP_NEXT_UPDATE, Value::Float(s));
                        }
                    }
                }
                0xa1 => {
                    if let Some((exts, _)) = tlv(e.body) {
                        self.extensions(&F_OCSP_SINGLE_EXTENSIONS, exts.body);
                    }
                }
                _ => {}
            }
        }
    }
}

/// A certificate carried in a TLS Certificate message.
pub fn certificate(cert: &[u8], d: &mut Dissection) {
    W {
        d,
        depth: 0,
        ocsp_item: false,
    }
    .certificate(cert);
}

/// An OCSP response stapled in a TLS Certificate Status message: tshark
/// shows the OCSP protocol item there, and no protocol of its own for the
/// response body.
pub fn tls_ocsp_response(b: &[u8], d: &mut Dissection) {
    let mut w = W {
        d,
        depth: 0,
        ocsp_item: true,
    };
    w.ocsp_response(b);
    if w.ocsp_item {
        w.d.push(&P_OCSP, Value::None);
    }
}

/// An HTTP body of media type `application/ocsp-response`.
pub fn ocsp_response_body(b: &[u8], d: &mut Dissection) {
    let v = d.bytes(&P_OCSP, b);
    d.push(&P_OCSP, v);
    W {
        d,
        depth: 0,
        ocsp_item: false,
    }
    .ocsp_response(b);
}

/// An HTTP body of media type `application/pkix-crl`.
pub fn crl_body(b: &[u8], d: &mut Dissection) {
    d.push(&L_X509AF, Value::None);
    W {
        d,
        depth: 0,
        ocsp_item: false,
    }
    .certificate_list(b);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissect::FieldType;
    use proptest::prelude::*;

    /// The self-signed certificate of `tls_mixed_versions.pcap` frame 2.
    const CERT: &[&str] = &[
    "308202e830820251a003020102020900a7e8513ac51a9921300d06092a864886f70d010105050030818c310b30090603",
    "5504061302494e310c300a06035504080c034b4152310c300a06035504070c0342414e310d300b060355040a0c04534d",
    "5343310b3009060355040b0c0251413121301f06035504030c184241574d41534842494a2e636f72702e736d73632e63",
    "6f6d3122302006092a864886f70d010901161361736862692e6a6f736540736d73632e636f6d301e170d313231303231",
    "3035303534385a170d3132313132303035303534385a30818c310b300906035504061302494e310c300a06035504080c",
    "034b4152310c300a06035504070c0342414e310d300b060355040a0c04534d5343310b3009060355040b0c0251413121",
    "301f06035504030c184241574d41534842494a2e636f72702e736d73632e636f6d3122302006092a864886f70d010901",
    "161361736862692e6a6f736540736d73632e636f6d30819f300d06092a864886f70d010101050003818d003081890281",
    "8100bb150beff196d2028912f0f3572ec15c96cf45eab961949e58790ba1f352dd332c7ff6e8b9cdbd6648d69e9d479d",
    "e14136968f37bf83f7133322f7707d7da552a1634fd46b5152e1fb4306622abdc2c62867baf72064671d266e6c870886",
    "02acd72f143d4cb70d838e5d80f6250a3541788fa04ac035fb0f387c0245e20c2a4f0203010001a350304e301d060355",
    "1d0e041604144c4da7bdc12c67567e0baac7c7d209e7f36c50e5301f0603551d230418301680144c4da7bdc12c67567e",
    "0baac7c7d209e7f36c50e5300c0603551d13040530030101ff300d06092a864886f70d0101050500038181002cef0882",
    "b9eb43d345b9860ddb0d30488fca47923d9814620d85586792fa76c41000fe9635f34ef34a363ce2121210be8984c696",
    "7dbe3d4e69c84fec4dcd78b1030a6c095712cb5029424744a238c7b523178534c0b2af9770d46bcbf8a28fef03483291",
    "5db4b2b9b8c8966273a47779f31b64fd534a6b203175a02b5edc6ca8",
    ];

    fn cert() -> Vec<u8> {
        let h: String = CERT.concat();
        (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
            .collect()
    }

    fn layers(d: &Dissection) -> Vec<&'static str> {
        d.fields
            .iter()
            .filter(|f| f.def.ty == FieldType::Layer)
            .map(|f| f.def.name)
            .collect()
    }

    fn strs<'a>(d: &'a Dissection, name: &'a str) -> Vec<String> {
        d.values(name)
            .map(|v| match v {
                Value::Str(s) => s.clone(),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn certificate_lists_one_protocol_per_registered_oid() {
        let mut d = Dissection::default();
        certificate(&cert(), &mut d);
        // Seven attributes in each name, then three x509ce extensions; the
        // rsaEncryption NULL parameters list nothing.
        let mut want = vec!["x509sat"; 14];
        want.extend(["x509ce"; 3]);
        assert_eq!(layers(&d), want);
        assert_eq!(strs(&d, "x509af.version").len(), 1);
        assert_eq!(
            strs(&d, "x509af.utcTime"),
            ["2012-10-21 05:05:48 (UTC)", "2012-11-20 05:05:48 (UTC)"]
        );
        assert_eq!(strs(&d, "x509sat.CountryName"), ["IN", "IN"]);
        assert_eq!(
            strs(&d, "x509sat.IA5String"),
            ["ashbi.jose@smsc.com", "ashbi.jose@smsc.com"]
        );
        assert_eq!(
            strs(&d, "x509af.algorithm.id"),
            [
                "1.2.840.113549.1.1.5",
                "1.2.840.113549.1.1.1",
                "1.2.840.113549.1.1.5"
            ]
        );
        assert_eq!(
            d.values("x509ce.cA").collect::<Vec<_>>(),
            [&Value::Bool(true)]
        );
        // Layers are not fields: filters and -e do not see them.
        assert!(!d.has("x509sat"));
    }

    #[test]
    fn elliptic_curve_parameters_list_pkcs1() {
        // AlgorithmIdentifier { id-ecPublicKey, prime256v1 }.
        let alg = [
            0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
            0xce, 0x3d, 0x03, 0x01, 0x07,
        ];
        let mut d = Dissection::default();
        W {
            d: &mut d,
            depth: 0,
            ocsp_item: false,
        }
        .algorithm(&alg);
        assert_eq!(layers(&d), ["pkcs-1"]);
        assert_eq!(strs(&d, "pkcs1.namedCurve"), ["1.2.840.10045.3.1.7"]);
    }

    #[test]
    fn oids_and_times_decode() {
        assert_eq!(
            oid_text(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01]),
            "1.2.840.113549.1.9.1"
        );
        assert_eq!(oid_text(&[0x55, 0x1d, 0x13]), "2.5.29.19");
        assert_eq!(generalized_time(b"20220316221015Z"), Some(1_647_468_615.0));
        assert_eq!(utc_time_text(b"491231235959Z"), "2049-12-31 23:59:59 (UTC)");
        assert_eq!(utc_time_text(b"500101000000Z"), "1950-01-01 00:00:00 (UTC)");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn damaged_input_never_panics(
            at in 0usize..748,
            byte in any::<u8>(),
            cut in 0usize..748,
            noise in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let mut c = cert();
            c[at] = byte;
            c.truncate(cut.max(at + 1));
            for b in [&c[..], &noise[..]] {
                let mut d = Dissection::default();
                certificate(b, &mut d);
                tls_ocsp_response(b, &mut d);
                ocsp_response_body(b, &mut d);
                crl_body(b, &mut d);
            }
        }
    }
}

#[rustfmt::skip]
mod defs {
    // Field definitions (names, types and bases as Wireshark 4.0 registers them).

    use crate::dissect::field::{Base, FieldDef, FieldType};

    // Protocols listed in frame.protocols without a tree item of their own.
    pub static L_X509AF: FieldDef = FieldDef::new("x509af", FieldType::Layer, Base::Dec, "X.509 Authentication Framework");
    pub static L_X509IF: FieldDef = FieldDef::new("x509if", FieldType::Layer, Base::Dec, "X.509 Information Framework");
    pub static L_X509SAT: FieldDef = FieldDef::new("x509sat", FieldType::Layer, Base::Dec, "X.509 Selected Attribute Types");
    pub static L_X509CE: FieldDef = FieldDef::new("x509ce", FieldType::Layer, Base::Dec, "X.509 Certificate Extensions");
    pub static L_PKIX1IMPLICIT: FieldDef = FieldDef::new("pkix1implicit", FieldType::Layer, Base::Dec, "PKIX1Implitit");
    pub static L_PKIX1EXPLICIT: FieldDef = FieldDef::new("pkix1explicit", FieldType::Layer, Base::Dec, "PKIX1Explitit");
    pub static L_PKCS1: FieldDef = FieldDef::new("pkcs-1", FieldType::Layer, Base::Dec, "PKCS#1");
    pub static L_TLS: FieldDef = FieldDef::new("tls", FieldType::Layer, Base::Dec, "Transport Layer Security");
    pub static L_OCSP: FieldDef = FieldDef::new("ocsp", FieldType::Layer, Base::Dec, "Online Certificate Status Protocol");

    // The same protocols for filters (no frame ever has an item of them).
    fields! {
        P_OCSP = "ocsp", Protocol, Base::Dec, "Online Certificate Status Protocol";
        P_X509AF = "x509af", Protocol, Base::Dec, "X.509 Authentication Framework";
        P_X509IF = "x509if", Protocol, Base::Dec, "X.509 Information Framework";
        P_X509SAT = "x509sat", Protocol, Base::Dec, "X.509 Selected Attribute Types";
        P_X509CE = "x509ce", Protocol, Base::Dec, "X.509 Certificate Extensions";
        P_PKIX1IMPLICIT = "pkix1implicit", Protocol, Base::Dec, "PKIX1Implitit";
        P_PKIX1EXPLICIT = "pkix1explicit", Protocol, Base::Dec, "PKIX1Explitit";
        P_PKCS1 = "pkcs-1", Protocol, Base::Dec, "PKCS#1";
        F_SIGNED_CERTIFICATE = "x509af.signedCertificate_element", None, Base::Dec, "signedCertificate";
        F_VERSION = "x509af.version", Int, Base::Dec, "version";
        F_SERIAL_NUMBER = "x509af.serialNumber", Bytes, Base::Dec, "serialNumber";
        F_SIGNATURE = "x509af.signature_element", None, Base::Dec, "signature";
        F_ALGORITHM_ID = "x509af.algorithm.id", String, Base::Dec, "Algorithm Id";
        F_ISSUER = "x509af.issuer", UInt, Base::Dec, "issuer";
        F_VALIDITY = "x509af.validity_element", None, Base::Dec, "validity";
        F_NOT_BEFORE = "x509af.notBefore", UInt, Base::Dec, "notBefore";
        F_NOT_AFTER = "x509af.notAfter", UInt, Base::Dec, "notAfter";
        F_UTC_TIME = "x509af.utcTime", String, Base::Dec, "utcTime";
        F_GENERALIZED_TIME = "x509af.generalizedTime", AbsTime, Base::Dec, "generalizedTime";
        F_SUBJECT = "x509af.subject", UInt, Base::Dec, "subject";
        F_X509AF_RDN_SEQUENCE = "x509af.rdnSequence", UInt, Base::Dec, "rdnSequence";
        F_SUBJECT_PUBLIC_KEY_INFO = "x509af.subjectPublicKeyInfo_element", None, Base::Dec, "subjectPublicKeyInfo";
        F_ALGORITHM = "x509af.algorithm_element", None, Base::Dec, "algorithm";
        F_SUBJECT_PUBLIC_KEY = "x509af.subjectPublicKey", Bytes, Base::Dec, "subjectPublicKey";
        F_EXTENSIONS = "x509af.extensions", UInt, Base::Dec, "extensions";
        F_EXTENSION = "x509af.Extension_element", None, Base::Dec, "Extension";
        F_EXTENSION_ID = "x509af.extension.id", String, Base::Dec, "Extension Id";
        F_CRITICAL = "x509af.critical", Bool, Base::Dec, "critical";
        F_ALGORITHM_IDENTIFIER = "x509af.algorithmIdentifier_element", None, Base::Dec, "algorithmIdentifier";
        F_ENCRYPTED = "x509af.encrypted", Bytes, Base::Dec, "encrypted";
        F_SIGNED_CERTIFICATE_LIST = "x509af.signedCertificateList_element", None, Base::Dec, "signedCertificateList";
        F_THIS_UPDATE = "x509af.thisUpdate", UInt, Base::Dec, "thisUpdate";
        F_NEXT_UPDATE = "x509af.nextUpdate", UInt, Base::Dec, "nextUpdate";
        F_CRL_EXTENSIONS = "x509af.crlExtensions", UInt, Base::Dec, "crlExtensions";
        F_X509IF_RDN_SEQUENCE = "x509if.rdnSequence", UInt, Base::Dec, "rdnSequence";
        F_RDN_ITEM = "x509if.RDNSequence_item", UInt, Base::Dec, "RDNSequence item";
        F_RDN_ITEM_ELEMENT = "x509if.RelativeDistinguishedName_item_element", None, Base::Dec, "RelativeDistinguishedName item";
        F_X509IF_OID = "x509if.oid", String, Base::Dec, "Object Id";
        F_DIRECTORY_STRING = "x509sat.DirectoryString", UInt, Base::Dec, "DirectoryString";
        F_TELETEX_STRING = "x509sat.teletexString", String, Base::Dec, "teletexString";
        F_PRINTABLE_STRING = "x509sat.printableString", String, Base::Dec, "printableString";
        F_UNIVERSAL_STRING = "x509sat.universalString", String, Base::Dec, "universalString";
        F_BMP_STRING = "x509sat.bmpString", String, Base::Dec, "bmpString";
        F_UTF8_STRING = "x509sat.uTF8String", String, Base::Dec, "uTF8String";
        F_COUNTRY_NAME = "x509sat.CountryName", String, Base::Dec, "CountryName";
        F_SYNTAX_PRINTABLE_STRING = "x509sat.PrintableString", String, Base::Dec, "PrintableString";
        F_SYNTAX_UTF8_STRING = "x509sat.UTF8String", String, Base::Dec, "UTF8String";
        F_SYNTAX_BMP_STRING = "x509sat.BMPString", String, Base::Dec, "BMPString";
        F_IA5_STRING = "x509sat.IA5String", String, Base::Dec, "IA5String";
        F_INTEGER = "x509sat.Integer", Int, Base::Dec, "Integer";
        F_OCTET_STRING = "x509sat.OctetString", Bytes, Base::Dec, "OctetString";
        F_SUBJECT_KEY_IDENTIFIER = "x509ce.SubjectKeyIdentifier", Bytes, Base::Dec, "SubjectKeyIdentifier";
        F_KEY_USAGE = "x509ce.KeyUsage", Bytes, Base::Dec, "KeyUsage";
        F_KU_DIGITAL_SIGNATURE = "x509ce.KeyUsage.digitalSignature", Bool, Base::Dec, "digitalSignature";
        F_KU_CONTENT_COMMITMENT = "x509ce.KeyUsage.contentCommitment", Bool, Base::Dec, "contentCommitment";
        F_KU_KEY_ENCIPHERMENT = "x509ce.KeyUsage.keyEncipherment", Bool, Base::Dec, "keyEncipherment";
        F_KU_DATA_ENCIPHERMENT = "x509ce.KeyUsage.dataEncipherment", Bool, Base::Dec, "dataEncipherment";
        F_KU_KEY_AGREEMENT = "x509ce.KeyUsage.keyAgreement", Bool, Base::Dec, "keyAgreement";
        F_KU_KEY_CERT_SIGN = "x509ce.KeyUsage.keyCertSign", Bool, Base::Dec, "keyCertSign";
        F_KU_CRL_SIGN = "x509ce.KeyUsage.cRLSign", Bool, Base::Dec, "cRLSign";
        F_KU_ENCIPHER_ONLY = "x509ce.KeyUsage.encipherOnly", Bool, Base::Dec, "encipherOnly";
        F_KU_DECIPHER_ONLY = "x509ce.KeyUsage.decipherOnly", Bool, Base::Dec, "decipherOnly";
        F_GENERAL_NAME = "x509ce.GeneralName", UInt, Base::Dec, "GeneralName";
        F_OTHER_NAME = "x509ce.otherName_element", None, Base::Dec, "otherName";
        F_TYPE_ID = "x509ce.type_id", String, Base::Dec, "type-id";
        F_RFC822_NAME = "x509ce.rfc822Name", String, Base::Dec, "rfc822Name";
        F_DNS_NAME = "x509ce.dNSName", String, Base::Dec, "dNSName";
        F_DIRECTORY_NAME = "x509ce.directoryName", UInt, Base::Dec, "directoryName";
        F_URI = "x509ce.uniformResourceIdentifier", String, Base::Dec, "uniformResourceIdentifier";
        F_IP_V4 = "x509ce.IPAddress.ipv4", Ipv4, Base::Dec, "iPAddress";
        F_IP_V6 = "x509ce.IPAddress.ipv6", Ipv6, Base::Dec, "iPAddress";
        F_REGISTERED_ID = "x509ce.registeredID", String, Base::Dec, "registeredID";
        F_BASIC_CONSTRAINTS = "x509ce.BasicConstraintsSyntax_element", None, Base::Dec, "BasicConstraintsSyntax";
        F_CA = "x509ce.cA", Bool, Base::Dec, "cA";
        F_PATH_LEN = "x509ce.pathLenConstraint", UInt, Base::Dec, "pathLenConstraint";
        F_CRL_NUMBER = "x509ce.CRLNumber", UInt, Base::Dec, "CRLNumber";
        F_CRL_DIST_POINTS = "x509ce.CRLDistPointsSyntax", UInt, Base::Dec, "CRLDistPointsSyntax";
        F_DISTRIBUTION_POINT_ELEMENT = "x509ce.DistributionPoint_element", None, Base::Dec, "DistributionPoint";
        F_DISTRIBUTION_POINT = "x509ce.distributionPoint", UInt, Base::Dec, "distributionPoint";
        F_FULL_NAME = "x509ce.fullName", UInt, Base::Dec, "fullName";
        F_CERTIFICATE_POLICIES = "x509ce.CertificatePoliciesSyntax", UInt, Base::Dec, "CertificatePoliciesSyntax";
        F_POLICY_INFORMATION = "x509ce.PolicyInformation_element", None, Base::Dec, "PolicyInformation";
        F_POLICY_IDENTIFIER = "x509ce.policyIdentifier", String, Base::Dec, "policyIdentifier";
        F_POLICY_QUALIFIERS = "x509ce.policyQualifiers", UInt, Base::Dec, "policyQualifiers";
        F_POLICY_QUALIFIER_INFO = "x509ce.PolicyQualifierInfo_element", None, Base::Dec, "PolicyQualifierInfo";
        F_X509CE_ID = "x509ce.id", String, Base::Dec, "Id";
        F_AUTHORITY_KEY_IDENTIFIER = "x509ce.AuthorityKeyIdentifier_element", None, Base::Dec, "AuthorityKeyIdentifier";
        F_KEY_IDENTIFIER = "x509ce.keyIdentifier", Bytes, Base::Dec, "keyIdentifier";
        F_AUTHORITY_CERT_ISSUER = "x509ce.authorityCertIssuer", UInt, Base::Dec, "authorityCertIssuer";
        F_AUTHORITY_CERT_SERIAL = "x509ce.authorityCertSerialNumber", Bytes, Base::Dec, "authorityCertSerialNumber";
        F_KEY_PURPOSE_IDS = "x509ce.KeyPurposeIDs", UInt, Base::Dec, "KeyPurposeIDs";
        F_KEY_PURPOSE_ID = "x509ce.KeyPurposeId", String, Base::Dec, "KeyPurposeId";
        F_CERTIFICATE_TEMPLATE = "x509ce.CertificateTemplate_element", None, Base::Dec, "CertificateTemplate";
        F_TEMPLATE_ID = "x509ce.templateID", String, Base::Dec, "templateID";
        F_TEMPLATE_MAJOR = "x509ce.templateMajorVersion", Int, Base::Dec, "templateMajorVersion";
        F_TEMPLATE_MINOR = "x509ce.templateMinorVersion", Int, Base::Dec, "templateMinorVersion";
        F_AUTHORITY_INFO_ACCESS = "pkix1implicit.AuthorityInfoAccessSyntax", UInt, Base::Dec, "AuthorityInfoAccessSyntax";
        F_ACCESS_DESCRIPTION = "pkix1implicit.AccessDescription_element", None, Base::Dec, "AccessDescription";
        F_ACCESS_METHOD = "pkix1implicit.accessMethod", String, Base::Dec, "accessMethod";
        F_ACCESS_LOCATION = "pkix1implicit.accessLocation", UInt, Base::Dec, "accessLocation";
        F_PKIX1EXPLICIT_DIRECTORY_STRING = "pkix1explicit.DirectoryString", String, Base::Dec, "DirectoryString";
        F_PKCS1_MODULUS = "pkcs1.modulus", Bytes, Base::Dec, "modulus";
        F_PKCS1_PUBLIC_EXPONENT = "pkcs1.publicExponent", Int, Base::Dec, "publicExponent";
        F_PKCS1_EC_PARAMETERS = "pkcs1.ECParameters", UInt, Base::Dec, "ECParameters";
        F_PKCS1_NAMED_CURVE = "pkcs1.namedCurve", String, Base::Dec, "namedCurve";
        F_OCSP_RESPONSE_STATUS = "ocsp.responseStatus", UInt, Base::Dec, "responseStatus";
        F_OCSP_RESPONSE_BYTES = "ocsp.responseBytes_element", None, Base::Dec, "responseBytes";
        F_OCSP_RESPONSE_TYPE_ID = "ocsp.responseType.id", String, Base::Dec, "ResponseType Id";
        F_OCSP_BASIC_RESPONSE = "ocsp.BasicOCSPResponse_element", None, Base::Dec, "BasicOCSPResponse";
        F_OCSP_TBS_RESPONSE_DATA = "ocsp.tbsResponseData_element", None, Base::Dec, "tbsResponseData";
        F_OCSP_VERSION = "ocsp.version", Int, Base::Dec, "version";
        F_OCSP_RESPONDER_ID = "ocsp.responderID", UInt, Base::Dec, "responderID";
        F_OCSP_BY_NAME = "ocsp.byName", UInt, Base::Dec, "byName";
        F_OCSP_BY_KEY = "ocsp.byKey", Bytes, Base::Dec, "byKey";
        F_OCSP_PRODUCED_AT = "ocsp.producedAt", AbsTime, Base::Dec, "producedAt";
        F_OCSP_RESPONSES = "ocsp.responses", UInt, Base::Dec, "responses";
        F_OCSP_SINGLE_RESPONSE = "ocsp.SingleResponse_element", None, Base::Dec, "SingleResponse";
        F_OCSP_CERT_ID = "ocsp.certID_element", None, Base::Dec, "certID";
        F_OCSP_HASH_ALGORITHM = "ocsp.hashAlgorithm_element", None, Base::Dec, "hashAlgorithm";
        F_OCSP_ISSUER_NAME_HASH = "ocsp.issuerNameHash", Bytes, Base::Dec, "issuerNameHash";
        F_OCSP_ISSUER_KEY_HASH = "ocsp.issuerKeyHash", Bytes, Base::Dec, "issuerKeyHash";
        F_OCSP_SERIAL_NUMBER = "ocsp.serialNumber", Bytes, Base::Dec, "serialNumber";
        F_OCSP_CERT_STATUS = "ocsp.certStatus", UInt, Base::Dec, "certStatus";
        F_OCSP_GOOD = "ocsp.good_element", None, Base::Dec, "good";
        F_OCSP_REVOKED = "ocsp.revoked_element", None, Base::Dec, "revoked";
        F_OCSP_UNKNOWN = "ocsp.unknown_element", None, Base::Dec, "unknown";
        F_OCSP_THIS_UPDATE = "ocsp.thisUpdate", AbsTime, Base::Dec, "thisUpdate";
        F_OCSP_NEXT_UPDATE = "ocsp.nextUpdate", AbsTime, Base::Dec, "nextUpdate";
        F_OCSP_SINGLE_EXTENSIONS = "ocsp.singleExtensions", UInt, Base::Dec, "singleExtensions";
        F_OCSP_RESPONSE_EXTENSIONS = "ocsp.responseExtensions", UInt, Base::Dec, "responseExtensions";
        F_OCSP_SIGNATURE_ALGORITHM = "ocsp.signatureAlgorithm_element", None, Base::Dec, "signatureAlgorithm";
        F_OCSP_SIGNATURE = "ocsp.signature", Bytes, Base::Dec, "signature";
        F_OCSP_CERTS = "ocsp.certs", UInt, Base::Dec, "certs";
        F_OCSP_CERTIFICATE = "ocsp.Certificate_element", None, Base::Dec, "Certificate";
        F_OCSP_NULL = "ocsp.NULL_element", None, Base::Dec, "NULL";
    }

    pub static KEY_USAGE_BITS: [&FieldDef; 9] = [
        &F_KU_DIGITAL_SIGNATURE, &F_KU_CONTENT_COMMITMENT, &F_KU_KEY_ENCIPHERMENT,
        &F_KU_DATA_ENCIPHERMENT, &F_KU_KEY_AGREEMENT, &F_KU_KEY_CERT_SIGN,
        &F_KU_CRL_SIGN, &F_KU_ENCIPHER_ONLY, &F_KU_DECIPHER_ONLY,
    ];
}
