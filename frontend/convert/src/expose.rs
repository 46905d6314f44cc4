//! EXPOSE, in: the instruction's port specs, already sorted as written and expanded
//! (`[ip:]host:container[/proto]`, ranges `8000-8002`); out: the `port/proto` entries the image
//! exposes and the history text (`EXPOSE [80/tcp 53/udp]`). Invariant: only the container port
//! and protocol reach the config, one entry per port of a range, in spec order and without
//! deduplication in the history, as the newest upstream frontend writes it.

use std::net::IpAddr;

use cachefront_dockerfile::go_quote;

use crate::error::{ConvertError, ConvertResult};
use crate::image::{Empty, RuntimeConfig};

/// Adds the ports to the config and returns the history text.
pub(crate) fn lower_expose(config: &mut RuntimeConfig, specs: &[String]) -> ConvertResult<String> {
    let mut ports = Vec::new();
    for spec in specs {
        ports.extend(parse_port_spec(spec)?);
    }
    let exposed = config.exposed_ports.get_or_insert_with(Default::default);
    for port in &ports {
        exposed.insert(port.clone(), Empty {});
    }
    // Docker's config omits an empty port set (`EXPOSE $NOTHING`).
    if exposed.is_empty() {
        config.exposed_ports = None;
    }
    Ok(format!("EXPOSE [{}]", ports.join(" ")))
}

/// One spec's `port/proto` entries: a range gives one per port; the IP and host port are checked
/// and dropped.
fn parse_port_spec(spec: &str) -> ConvertResult<Vec<String>> {
    let (ip, host_port, container_port) = split_parts(spec);
    let (protocol, container_port) = split_protocol(container_port)
        .map_err(|error| ConvertError::new(format!("invalid port: {}: {error}", go_quote(spec))))?;
    let ip = match ip.strip_prefix('[') {
        Some(bracketed) => bracketed
            .strip_suffix(']')
            .ok_or_else(|| ConvertError::new(format!("invalid IP address {ip}")))?,
        None => ip,
    };
    if !ip.is_empty() && ip.parse::<IpAddr>().is_err() {
        return Err(ConvertError::new(format!("invalid IP address: {ip}")));
    }
    let (start, end) = parse_range(container_port)
        .ok_or_else(|| ConvertError::new(format!("invalid containerPort: {container_port}")))?;
    if !host_port.is_empty() {
        let (host_start, host_end) = parse_range(host_port)
            .ok_or_else(|| ConvertError::new(format!("invalid hostPort: {host_port}")))?;
        // A host range may go with a single container port, not with a container range of
        // another size.
        if end - start != host_end - host_start && end != start {
            return Err(ConvertError::new(format!(
                "invalid ranges specified for container and host Ports: {container_port} and {host_port}"
            )));
        }
    }
    let protocol = protocol.to_lowercase();
    Ok((start..=end)
        .map(|port| format!("{port}/{protocol}"))
        .collect())
}

/// `ip:host:container`, `host:container` or `container`; with more colons, everything before the
/// last two parts is the IP.
fn split_parts(spec: &str) -> (&str, &str, &str) {
    let mut parts = spec.rsplitn(3, ':');
    let container = parts.next().unwrap_or_default();
    match (parts.next(), parts.next()) {
        (Some(host), Some(ip)) => (ip, host, container),
        (Some(host), None) => ("", host, container),
        _ => ("", "", container),
    }
}

/// `port[/proto]` into the protocol (`tcp` when absent; `tcp`, `udp` or `sctp` in any case) and
/// the port part.
fn split_protocol(text: &str) -> Result<(&str, &str), String> {
    let (port, protocol) = text.split_once('/').unwrap_or((text, ""));
    if port.is_empty() {
        return Err("no port specified".to_owned());
    }
    match protocol.to_lowercase().as_str() {
        "" => Ok(("tcp", port)),
        "tcp" | "udp" | "sctp" => Ok((protocol, port)),
        _ => Err(format!("invalid proto: {protocol}")),
    }
}

/// `80` or `8000-8002` as an inclusive range of valid port numbers.
fn parse_range(text: &str) -> Option<(u32, u32)> {
    let (start_text, end_text) = match text.split_once('-') {
        Some((start, end)) => (start, Some(end)),
        None => (text, None),
    };
    let start = parse_port_number(start_text)?;
    match end_text {
        None => Some((start, start)),
        Some(end) if end == start_text => Some((start, start)),
        Some(end) => {
            let end = parse_port_number(end)?;
            (end >= start).then_some((start, end))
        }
    }
}

/// A decimal port number, optionally signed as Go's `strconv.ParseInt` allows, in 0..=65535.
fn parse_port_number(text: &str) -> Option<u32> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'+') => (false, text.get(1..)?),
        Some(b'-') => (true, text.get(1..)?),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let value: u64 = digits.parse().ok()?;
    if negative && value != 0 {
        return None;
    }
    u32::try_from(value).ok().filter(|port| *port <= 65_535)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exposed(specs: &[&str]) -> (Vec<String>, String) {
        let mut config = RuntimeConfig::default();
        let specs: Vec<String> = specs.iter().map(|spec| (*spec).to_owned()).collect();
        let history = lower_expose(&mut config, &specs).unwrap_or_else(|error| error.message);
        let ports = config
            .exposed_ports
            .map(|ports| ports.into_keys().collect())
            .unwrap_or_default();
        (ports, history)
    }

    #[test]
    fn keeps_container_ports_in_spec_order() {
        let (ports, history) = exposed(&["127.0.0.1:80:80", "5000:5000", "[::1]:8080:8080/UDP"]);
        assert_eq!(ports, vec!["5000/tcp", "80/tcp", "8080/udp"]);
        assert_eq!(history, "EXPOSE [80/tcp 5000/tcp 8080/udp]");
    }

    #[test]
    fn expands_ranges_and_keeps_repeats_in_history() {
        let (ports, history) = exposed(&["8000-8002/sctp", "80", "80/tcp", "9000:53/udp"]);
        assert_eq!(
            ports,
            vec!["53/udp", "80/tcp", "8000/sctp", "8001/sctp", "8002/sctp"]
        );
        assert_eq!(
            history,
            "EXPOSE [8000/sctp 8001/sctp 8002/sctp 80/tcp 80/tcp 53/udp]"
        );
        assert_eq!(exposed(&["7000-8000:53"]).1, "EXPOSE [53/tcp]");
        assert_eq!(exposed(&["+80", "80-80"]).1, "EXPOSE [80/tcp 80/tcp]");
    }

    #[test]
    fn rejects_what_upstream_rejects() {
        assert_eq!(
            exposed(&["80/xyz"]).1,
            "invalid port: \"80/xyz\": invalid proto: xyz"
        );
        assert_eq!(
            exposed(&["/tcp"]).1,
            "invalid port: \"/tcp\": no port specified"
        );
        assert_eq!(exposed(&["70000"]).1, "invalid containerPort: 70000");
        assert_eq!(exposed(&["90-80"]).1, "invalid containerPort: 90-80");
        assert_eq!(exposed(&["x:80"]).1, "invalid hostPort: x");
        assert_eq!(
            exposed(&["300.1.1.1:80:80"]).1,
            "invalid IP address: 300.1.1.1"
        );
        assert_eq!(
            exposed(&["1-3:5-6"]).1,
            "invalid ranges specified for container and host Ports: 5-6 and 1-3"
        );
    }

    #[test]
    fn nothing_exposed_leaves_no_port_set() {
        assert_eq!(exposed(&[]), (Vec::new(), "EXPOSE []".to_owned()));
    }
}
