//! `fields!`: declares a dissector's static [`FieldDef`](super::FieldDef)s
//! and its `FIELDS` table in one place, so that no definition can be left
//! out of the table (and so out of the display-filter registry), and the
//! blocks of fields pushed together from the same declarations.

/// `fields! { NAME = "proto.field", Type, Base, "Description"; … }` declares
/// one `pub static NAME: FieldDef` per line and `pub static FIELDS` listing
/// them. A line may carry doc comments of its own; a line
/// `@tree_only NAME = "proto", "Description";` declares a protocol shown in
/// the tree but not listed in `frame.protocols` ([`FieldDef::tree_only`]).
///
/// Blocks: a line ending `… "Description" in BLOCK;` puts its field in
/// `BLOCK`, declared after the fields by `@block VIS BLOCK, "Doc";` as a
/// `VIS static BLOCK: &[&FieldDef]` of its fields in declaration order. A
/// dissector that skips pushing a block when none of its fields is read
/// (see `pipeline::Quiet`) so has the list the skip is decided on next to
/// each field, not a second list kept by hand. Naming an undeclared block,
/// or declaring a block without fields, does not compile.
///
/// [`FieldDef::tree_only`]: super::FieldDef::tree_only
macro_rules! fields {
    (@blocks [$($tag:tt)*]) => {};
    (@blocks [$($tag:tt)*] $( $vis:vis $block:ident, $bdoc:literal; )+) => {
        /// Each field with the name of its block ("" for none), in declaration order.
        const BLOCK_TAGS: &[(&$crate::dissect::FieldDef, &str)] = &[ $($tag,)* ];
        const _: () = $crate::dissect::field::check_blocks(BLOCK_TAGS, &[ $( stringify!($block) ),+ ]);
        $(
            #[doc = $bdoc]
            $vis static $block: &[&$crate::dissect::FieldDef] = &$crate::dissect::field::block_fields::<
                { $crate::dissect::field::block_len(BLOCK_TAGS, stringify!($block)) },
            >(BLOCK_TAGS, stringify!($block));
        )+
    };
    (
        $( $(#[$m:meta])* $id:ident = $name:literal, $ty:ident, $base:expr, $desc:literal $(in $blk:ident)?; )*
        $( @tree_only $tid:ident = $tname:literal, $tdesc:literal; )*
        $( @block $vis:vis $block:ident, $bdoc:literal; )*
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
        fields!(@blocks [ $( (&$id, concat!("" $(, stringify!($blk))?)) )* ] $( $vis $block, $bdoc; )*);
    };
}
