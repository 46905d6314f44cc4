//! The Dockerfile front half, in: the bytes of a Dockerfile; out: typed instructions grouped into
//! stages, each carrying its line span, plus BuildKit's word expansion to apply during lowering.
//! Invariant: accepts what BuildKit's parser accepts, rejects what it rejects, at the same line.

pub mod checks;
pub mod csv;
mod error;
mod exercise;
pub mod expand;
mod go_printable;
mod go_quote;
pub mod instructions;
pub mod parse;
mod suggest;

pub use error::{parse_and_type, render_error, Error};
#[doc(hidden)]
pub use exercise::exercise_every_entry_point;
pub use go_quote::{go_quote, go_quote_list, go_quote_rune};
pub use suggest::Hint;
