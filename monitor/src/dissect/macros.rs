//! `fields!`: declares a dissector's static [`FieldDef`](super::FieldDef)s
//! and its `FIELDS` table in one place, so that no definition can be left
//! out of the table (and so out of the display-filter registry).

/// `fields! { NAME = "proto.field", Type, Base, "Description"; … }` declares
/// one `pub static NAME: FieldDef` per line and `pub static FIELDS` listing
/// them. A line may carry doc comments of its own; a line
/// `@tree_only NAME = "proto", "Description";` declares a protocol shown in
/// the tree but not listed in `frame.protocols` ([`FieldDef::tree_only`]).
///
/// [`FieldDef::tree_only`]: super::FieldDef::tree_only
macro_rules! fields {
    (
        $( $(#[$m:meta])* $id:ident = $name:literal, $ty:ident, $base:expr, $desc:literal; )*
        $( @tree_only $tid:ident = $tname:literal, $tdesc:literal; )*
    ) => {
        $(
            #[doc = $desc]
            $(#[$m])*
            #[allow(
                rustdoc::broken_intra_doc_links,
                reason = "descriptions are tshark's text: `[ms]` is not a link"
            )]
            pub static $id: $crate::dissect::FieldDef =
                $crate::dissect::FieldDef::new($name, $crate::dissect::FieldType::$ty, $base, $desc);
        )*
        $(
            #[doc = $tdesc]
            pub static $tid: $crate::dissect::FieldDef =
                $crate::dissect::FieldDef::tree_only($tname, $tdesc);
        )*
        /// Every field this dissector produces.
        pub static FIELDS: &[&$crate::dissect::FieldDef] = &[ $( &$id, )* $( &$tid, )* ];
    };
}
