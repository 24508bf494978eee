//! `fields!`: declares a dissector's static [`FieldDef`](super::FieldDef)s
//! and its `FIELDS` table in one place.

/// `fields! { NAME = "proto.field", Type, Base, "Description"; … }` declares
/// one `pub static NAME: FieldDef` per line and `pub static FIELDS` listing them.
macro_rules! fields {
    ($( $id:ident = $name:literal, $ty:ident, $base:expr, $desc:literal; )*) => {
        $(
            #[doc = $desc]
            #[allow(
                rustdoc::broken_intra_doc_links,
                reason = "descriptions are tshark's text: `[ms]` is not a link"
            )]
            pub static $id: $crate::dissect::FieldDef =
                $crate::dissect::FieldDef::new($name, $crate::dissect::FieldType::$ty, $base, $desc);
        )*
        /// Every field this dissector produces.
        pub static FIELDS: &[&$crate::dissect::FieldDef] = &[ $( &$id ),* ];
    };
}
