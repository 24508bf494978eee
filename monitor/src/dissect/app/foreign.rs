//! Wireshark protocols not dissected here whose names read as byte
//! strings. tshark takes `ipv6.dst[0] == ff` as a comparison with the
//! (absent) FOUNDATION Fieldbus protocol, never as the byte 0xff, so these
//! names must resolve to protocols here too.

use crate::dissect::Base;

fields! {
    F_A11 = "a11", Protocol, Base::Dec, "3GPP2 A11";
    F_A21 = "a21", Protocol, Base::Dec, "A21 Protocol";
    F_A615A = "a615a", Protocol, Base::Dec, "Arinc 615a Protocol";
    F_AAF = "aaf", Protocol, Base::Dec, "AVTP Audio Format";
    F_ACF = "acf", Protocol, Base::Dec, "ACF Message";
    F_ADB = "adb", Protocol, Base::Dec, "Android Debug Bridge";
    F_BFD = "bfd", Protocol, Base::Dec, "Bidirectional Forwarding Detection Control Message";
    F_C1222 = "c1222", Protocol, Base::Dec, "ANSI C12.22";
    F_C15 = "c15", Protocol, Base::Dec, "C15 Call History Protocol";
    F_DC = "dc", Protocol, Base::Dec, "Dublin Core Metadata (DC)";
    F_DCC = "dcc", Protocol, Base::Dec, "Distributed Checksum Clearinghouse protocol";
    F_E164 = "e164", Protocol, Base::Dec, "ITU-T E.164 number";
    F_E212 = "e212", Protocol, Base::Dec, "ITU-T E.212 number";
    F_E100 = "e100", Protocol, Base::Dec, "E100 Encapsulation";
    F_FC = "fc", Protocol, Base::Dec, "Fibre Channel";
    F_FC00 = "fc00", Protocol, Base::Dec, "Fc00 CryptoAuth";
    F_FEFD = "fefd", Protocol, Base::Dec, "Far End Failure Detection";
    F_FF = "ff", Protocol, Base::Dec, "FOUNDATION Fieldbus";
}
