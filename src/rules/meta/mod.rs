//! Rules about kubelint's own directives.

pub mod unused_suppression;
