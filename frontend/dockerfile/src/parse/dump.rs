//! The parse-tree dump, in: an `Ast`; out: BuildKit's dumper text, one line per instruction:
//! `(keyword ["--flag" ...] "arg" ...)` with Go-quoted strings and ONBUILD's instruction nested.
//! Invariant: byte-for-byte the format of BuildKit's `Node.Dump` for the same tree.

use super::{Ast, Node};
use crate::go_quote::go_quote;

/// Dumps every instruction on its own line, each line ending in `\n`.
pub fn dump(ast: &Ast) -> String {
    let mut text = String::new();
    for node in &ast.nodes {
        text.push('(');
        text.push_str(&dump_node(node));
        text.push_str(")\n");
    }
    text
}

fn dump_node(node: &Node) -> String {
    let mut text = node.keyword.clone();
    if !node.flags.is_empty() {
        let flags: Vec<String> = node.flags.iter().map(|flag| go_quote(flag)).collect();
        text.push_str(" [");
        text.push_str(&flags.join(" "));
        text.push(']');
    }
    if let Some(child) = &node.next {
        text.push_str(" (");
        text.push_str(&dump_node(child));
        text.push(')');
    }
    for argument in &node.args {
        text.push(' ');
        text.push_str(&go_quote(argument));
    }
    text.trim().to_owned()
}
