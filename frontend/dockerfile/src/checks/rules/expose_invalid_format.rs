//! ExposeInvalidFormat, in: one EXPOSE port after expansion; out: a finding when it names an IP
//! address or a host port (`ip:host:container` or `host:container`). Also splits a port into
//! its parts the way BuildKit does, for both EXPOSE rules.

use super::super::engine::{Emitter, Rule};
use crate::parse::Span;

pub(crate) const RULE: Rule = Rule {
    name: "ExposeInvalidFormat",
    description: "IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release",
    url: "https://docs.docker.com/go/dockerfile/rule/expose-invalid-format/",
    experimental: false,
};

/// A port split as BuildKit splits it: IP, host port, container port and protocol.
pub(in crate::checks) struct PortParts<'a> {
    pub(in crate::checks) ip: String,
    pub(in crate::checks) host_port: &'a str,
    pub(in crate::checks) protocol: &'a str,
}

/// `None` when BuildKit rejects the port before any check runs (no port, unknown protocol).
pub(in crate::checks) fn split_port(raw: &str) -> Option<PortParts<'_>> {
    let parts: Vec<&str> = raw.split(':').collect();
    let (ip, host_port, container) = match parts.as_slice() {
        [container] => (String::new(), "", *container),
        [host, container] => (String::new(), *host, *container),
        [ip @ .., host, container] => (ip.join(":"), *host, *container),
        [] => return None,
    };
    let (port, protocol) = container.split_once('/').unwrap_or((container, ""));
    let known = matches!(
        protocol.to_lowercase().as_str(),
        "" | "tcp" | "udp" | "sctp"
    );
    if port.is_empty() || !known {
        return None;
    }
    Some(PortParts {
        ip,
        host_port,
        protocol,
    })
}

pub(in crate::checks) fn check(
    raw_port: &str,
    parts: &PortParts,
    span: Span,
    emitter: &mut Emitter,
) {
    if !parts.ip.is_empty() || !parts.host_port.is_empty() {
        emitter.emit_at(
            &RULE,
            span,
            format!("EXPOSE instruction should not define an IP address or host-port mapping, found '{raw_port}'"),
        );
    }
}
