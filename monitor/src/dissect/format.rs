//! Text form of field values exactly as `tshark -T fields` prints them
//! (hex widths from the field's type, booleans as 1/0, labels as 1, times
//! with nine decimals, bytes as contiguous lowercase hex).

use std::fmt::Write;

use super::{Base, FieldDef, FieldType, Value};

/// Append the `-T fields` text of one value.
pub fn write_value(out: &mut String, def: &FieldDef, v: &Value) {
    if matches!(def.ty, FieldType::Protocol | FieldType::Layer) {
        // A protocol's value is its bytes, for filters; tshark prints no
        // value for it here.
        return;
    }
    match v {
        // tshark prints "1" for a label (`FT_NONE`) so that its presence
        // shows in `-T fields`.
        Value::None if def.ty == FieldType::None => out.push('1'),
        Value::None => {}
        Value::Bool(b) => out.push(if *b { '1' } else { '0' }),
        Value::UInt(n) => match def.base {
            Base::Hex(w) | Base::HexDec(w) => {
                let _ = write!(out, "0x{:0w$x}", n, w = w as usize);
            }
            _ => push_dec(out, *n, 1),
        },
        Value::Int(n) => {
            if *n < 0 {
                out.push('-');
            }
            push_dec(out, n.unsigned_abs(), 1);
        }
        Value::Float(x) => match def.ty {
            FieldType::RelTime => write_secs(out, (x * 1e9).round() as i64),
            FieldType::AbsTime => write_abs_time(out, (x * 1e9).round() as i64),
            _ => write_g15(out, *x),
        },
        // A zero-length item has no bytes to show: tshark's text for that.
        Value::Bytes(b) if b.is_empty() && def.ty == FieldType::Bytes => out.push_str("<MISSING>"),
        Value::Bytes(b) => write_hex(out, b),
        Value::Str(s) => out.push_str(s),
        Value::Ipv4(a) => {
            let [x, y, z, w] = a.octets();
            for (i, o) in [x, y, z, w].into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                push_octet(out, o);
            }
        }
        Value::Ipv6(a) => {
            let _ = write!(out, "{a}");
        }
        Value::Ether(m) => write_mac(out, m),
    }
}

/// Decimal digits of `n`, zero-padded to at least `width` (the values
/// printed on every line: `format!` machinery costs more than the digits).
fn push_dec(out: &mut String, n: u64, width: usize) {
    if n < 10 && width <= 1 {
        out.push(char::from(b'0' + n as u8));
        return;
    }
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(n);
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(digits);
}

/// Decimal digits of an address octet, one character at a time.
fn push_octet(out: &mut String, o: u8) {
    if o >= 100 {
        out.push(char::from(b'0' + o / 100));
    }
    if o >= 10 {
        out.push(char::from(b'0' + o / 10 % 10));
    }
    out.push(char::from(b'0' + o % 10));
}

/// Seconds with nine decimals from nanoseconds (`-0.000001000` when negative).
pub fn write_secs(out: &mut String, ns: i64) {
    if ns < 0 {
        out.push('-');
    }
    let a = ns.unsigned_abs();
    push_dec(out, a / 1_000_000_000, 1);
    out.push('.');
    push_dec(out, a % 1_000_000_000, 9);
}

/// An absolute time as tshark prints it (`Jan  7, 2010 19:38:34.341715000 UTC`),
/// always in UTC.
pub fn write_abs_time(out: &mut String, ns: i64) {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (year, month, day, sod, frac) = civil(ns);
    let _ = write!(
        out,
        "{} {:>2}, {} {:02}:{:02}:{:02}.{:09} UTC",
        MONTHS[(month - 1) as usize],
        day,
        year,
        sod / 3600,
        sod % 3600 / 60,
        sod % 60,
        frac
    );
}

/// The UTC date of a time, `2010-01-07` (tshark's JSON `_index`).
pub fn write_date(out: &mut String, ns: i64) {
    let (year, month, day, _, _) = civil(ns);
    let _ = write!(out, "{year:04}-{month:02}-{day:02}");
}

/// Year, month (1-12), day, second of the day and nanoseconds of a time
/// in nanoseconds since the epoch, in UTC.
fn civil(ns: i64) -> (i64, i64, i64, i64, i64) {
    let secs = ns.div_euclid(1_000_000_000);
    let frac = ns.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, sod, frac)
}

/// C's `%.15g`, which tshark uses for `FT_DOUBLE`/`FT_FLOAT` values.
pub fn write_g15(out: &mut String, x: f64) {
    if !x.is_finite() {
        let _ = write!(
            out,
            "{}",
            if x.is_nan() {
                "nan"
            } else if x > 0.0 {
                "inf"
            } else {
                "-inf"
            }
        );
        return;
    }
    if x == 0.0 {
        out.push('0');
        return;
    }
    let sci = format!("{x:.14e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let strip = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if (-4..15).contains(&exp) {
        let fixed = format!("{x:.*}", (14 - exp) as usize);
        out.push_str(&strip(&fixed));
    } else {
        let _ = write!(
            out,
            "{}e{}{:02}",
            strip(mant),
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        );
    }
}

/// Contiguous lowercase hex.
pub fn write_hex(out: &mut String, b: &[u8]) {
    const H: &[u8; 16] = b"0123456789abcdef";
    out.reserve(b.len() * 2);
    for x in b {
        out.push(H[(x >> 4) as usize] as char);
        out.push(H[(x & 15) as usize] as char);
    }
}

/// `aa:bb:cc:dd:ee:ff`.
pub fn write_mac(out: &mut String, m: &[u8; 6]) {
    let _ = write!(
        out,
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    );
}

/// The `-T fields` text of one value as a new string.
pub fn value_string(def: &FieldDef, v: &Value) -> String {
    let mut s = String::new();
    write_value(&mut s, def, v);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    static H16: FieldDef = FieldDef::new("t.h", FieldType::UInt, Base::Hex(4), "");
    static T: FieldDef = FieldDef::new("t.t", FieldType::RelTime, Base::Dec, "");
    static L: FieldDef = FieldDef::new("t.l", FieldType::None, Base::Dec, "");
    static P: FieldDef = FieldDef::new("t", FieldType::Protocol, Base::Dec, "");

    #[test]
    fn formats() {
        assert_eq!(value_string(&H16, &Value::UInt(0x12)), "0x0012");
        assert_eq!(value_string(&T, &Value::Float(0.132627)), "0.132627000");
        assert_eq!(value_string(&T, &Value::Float(-0.000001)), "-0.000001000");
        assert_eq!(value_string(&H16, &Value::Bytes(vec![4, 2])), "0402");
        assert_eq!(value_string(&L, &Value::None), "1");
        static D: FieldDef = FieldDef::new("t.d", FieldType::UInt, Base::Dec, "");
        assert_eq!(value_string(&D, &Value::UInt(0)), "0");
        assert_eq!(
            value_string(&D, &Value::UInt(u64::MAX)),
            "18446744073709551615"
        );
        assert_eq!(value_string(&D, &Value::Int(-42)), "-42");
        assert_eq!(
            value_string(&D, &Value::Int(i64::MIN)),
            "-9223372036854775808"
        );
        let ip = Value::Ipv4(std::net::Ipv4Addr::new(10, 0, 255, 1));
        assert_eq!(value_string(&D, &ip), "10.0.255.1");
        let mut t = String::new();
        write_secs(&mut t, 0);
        assert_eq!(t, "0.000000000");
        t.clear();
        write_secs(&mut t, 12_000_000_345);
        assert_eq!(t, "12.000000345");
        assert_eq!(value_string(&P, &Value::None), "");
        let g = |x: f64| {
            let mut s = String::new();
            write_g15(&mut s, x);
            s
        };
        assert_eq!(g(8.03), "8.03");
        let mut t = String::new();
        write_abs_time(&mut t, 1_262_893_114_341_715_000);
        assert_eq!(t, "Jan  7, 2010 19:38:34.341715000 UTC");
        t.clear();
        write_abs_time(&mut t, 951_782_400_000_000_001);
        assert_eq!(t, "Feb 29, 2000 00:00:00.000000001 UTC");
        assert_eq!(g(0.1 + 0.2), "0.3");
        assert_eq!(g(1234.5), "1234.5");
        assert_eq!(g(0.00001), "1e-05");
        assert_eq!(g(1e20), "1e+20");
        assert_eq!(
            value_string(&H16, &Value::Ether([0, 5, 0x5d, 0x21, 0x99, 0x4c])),
            "00:05:5d:21:99:4c"
        );
    }
}
