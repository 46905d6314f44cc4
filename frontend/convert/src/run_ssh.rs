//! SSH agent sockets of one RUN, in: the RUN's lowered mounts, where an ssh mount written without
//! `target=` has an empty destination; out: each such socket placed at
//! `/run/buildkit/ssh_agent.<n>` (n = its position among the RUN's ssh mounts, as written), and
//! the path `SSH_AUTH_SOCK` gets: the first ssh mount's. Invariant: what BuildKit's LLB client
//! does for the stock frontend; the caller keeps an `SSH_AUTH_SOCK` the environment already has.

use cachefront_llb::{Mount, MountKind};

/// The environment variable that names the agent socket.
pub(crate) const AGENT_SOCKET_VARIABLE: &str = "SSH_AUTH_SOCK";

/// Fills in the default socket paths; returns the first ssh mount's socket path, if any.
pub(crate) fn place_agent_sockets(mounts: &mut [Mount]) -> Option<String> {
    let mut first = None;
    let ssh_mounts = mounts
        .iter_mut()
        .filter(|mount| matches!(mount.kind, MountKind::Ssh { .. }));
    for (position, mount) in ssh_mounts.enumerate() {
        if mount.destination.is_empty() {
            mount.destination = format!("/run/buildkit/ssh_agent.{position}");
        }
        if first.is_none() {
            first = Some(mount.destination.clone());
        }
    }
    first
}

#[cfg(test)]
mod tests {
    use cachefront_llb::State;

    use super::*;

    fn ssh(destination: &str) -> Mount {
        Mount {
            kind: MountKind::Ssh {
                id: "default".to_owned(),
                uid: 0,
                gid: 0,
                mode: 0o600,
                optional: true,
            },
            ..Mount::bind(destination, State::scratch(), "")
        }
    }

    fn destinations(mounts: &[Mount]) -> Vec<&str> {
        mounts
            .iter()
            .map(|mount| mount.destination.as_str())
            .collect()
    }

    #[test]
    fn numbers_sockets_by_position_among_ssh_mounts() {
        let mut mounts = vec![
            Mount::bind("/src", State::scratch(), ""),
            ssh("/run/deploy.sock"),
            ssh(""),
            Mount::cache("/cache", "/cache", cachefront_llb::CacheSharing::Shared),
            ssh(""),
        ];
        let first = place_agent_sockets(&mut mounts);
        assert_eq!(first.as_deref(), Some("/run/deploy.sock"));
        assert_eq!(
            destinations(&mounts),
            [
                "/src",
                "/run/deploy.sock",
                "/run/buildkit/ssh_agent.1",
                "/cache",
                "/run/buildkit/ssh_agent.2"
            ]
        );
    }

    #[test]
    fn first_default_socket_and_no_ssh() {
        let mut mounts = vec![ssh(""), ssh("relative.sock")];
        assert_eq!(
            place_agent_sockets(&mut mounts).as_deref(),
            Some("/run/buildkit/ssh_agent.0")
        );
        assert_eq!(
            destinations(&mounts),
            ["/run/buildkit/ssh_agent.0", "relative.sock"]
        );
        let mut none = vec![Mount::bind("/src", State::scratch(), "")];
        assert_eq!(place_agent_sockets(&mut none), None);
    }
}
