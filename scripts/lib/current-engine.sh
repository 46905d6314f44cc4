# shellcheck shell=bash
# The current Docker engine (Debian testing's docker.io, docker-cli, docker-buildx, containerd;
# Docker 28.5 with BuildKit 0.25 and buildx 0.29 when written) beside the main Docker 26 daemon,
# for running the e2e suite on both (source log.sh, apt-mirror.sh, docker.sh and
# multiplatform-daemon.sh first). Input: the suite's package index on the machine's Debian
# mirror, the system's runc, the machine as found (possibly leftovers of a killed daemon: stale
# pid files, sockets, containerd state, a bridge). Output: the four packages unpacked with
# `dpkg -x` into versioned directories under ${CURRENT_ENGINE_HOME} (never apt-installed: they
# want a newer glibc than the host's for their runc), a directory of daemon binaries
# (${CURRENT_ENGINE_DAEMON_BIN}: the unpacked dockerd and containerd, the system's runc), the
# client (${CURRENT_ENGINE_CLIENT_BIN}/docker with DOCKER_CONFIG=${CURRENT_ENGINE_CLIENT_CONFIG},
# whose cli-plugins/ holds the unpacked buildx), and a dockerd answering on
# ${CURRENT_ENGINE_HOST}; the engine versions on stderr.
# Invariants: package file names and versions come from the suite's index, never from this file;
# never touches the main daemon's or the multi-platform daemon's pid files, sockets, data roots,
# exec roots, containerd or bridges (this daemon has its own of each, bridge cfcur0); idempotent
# and fast (a few client calls, no download) while the daemon answers; a newer suite version is
# unpacked and used the next time the daemon starts; fails loudly (die).

CURRENT_ENGINE_SUITE=forky
CURRENT_ENGINE_PACKAGES=(docker.io docker-cli docker-buildx containerd)
CURRENT_ENGINE_HOME=/opt/cachefront-current-engine
CURRENT_ENGINE_UNPACKED=${CURRENT_ENGINE_HOME}/unpacked
CURRENT_ENGINE_DAEMON_BIN=${CURRENT_ENGINE_HOME}/daemon-bin
CURRENT_ENGINE_CLIENT_BIN=${CURRENT_ENGINE_HOME}/client-bin
CURRENT_ENGINE_CLIENT_CONFIG=${CURRENT_ENGINE_HOME}/client-config
# "PACKAGE VERSION DIRECTORY" per package: what the links point at.
CURRENT_ENGINE_RECORD=${CURRENT_ENGINE_HOME}/installed
CURRENT_ENGINE_RUN_DIRECTORY=/var/run/cachefront-current-engine
CURRENT_ENGINE_SOCKET=${CURRENT_ENGINE_RUN_DIRECTORY}/docker.sock
CURRENT_ENGINE_HOST=unix://${CURRENT_ENGINE_SOCKET}
CURRENT_ENGINE_PID_FILE=${CURRENT_ENGINE_RUN_DIRECTORY}/dockerd.pid
CURRENT_ENGINE_EXEC_ROOT=${CURRENT_ENGINE_RUN_DIRECTORY}/exec
CURRENT_ENGINE_CONTAINERD_STATE=${CURRENT_ENGINE_EXEC_ROOT}/containerd
CURRENT_ENGINE_DATA_ROOT=/var/lib/cachefront-current-engine
CURRENT_ENGINE_CONFIG_FILE=/etc/cachefront/current-engine-daemon.json
CURRENT_ENGINE_LOG=/var/log/cachefront-current-engine-dockerd.log
CURRENT_ENGINE_CGROUP_PARENT=/cachefront-current-engine
CURRENT_ENGINE_BRIDGE=cfcur0
CURRENT_ENGINE_BRIDGE_ADDRESS=172.31.253.1/24
CURRENT_ENGINE_START_TIMEOUT_SECONDS=${CURRENT_ENGINE_START_TIMEOUT_SECONDS:-60}

# current_engine_docker ARGS...: the current engine's client against its daemon.
current_engine_docker() {
    DOCKER_CONFIG=${CURRENT_ENGINE_CLIENT_CONFIG} "${CURRENT_ENGINE_CLIENT_BIN}/docker" --host "${CURRENT_ENGINE_HOST}" "$@"
}

current_engine_answers() {
    [[ -S ${CURRENT_ENGINE_SOCKET} && -x ${CURRENT_ENGINE_CLIENT_BIN}/docker ]] &&
        timeout 20 "${CURRENT_ENGINE_CLIENT_BIN}/docker" --host "${CURRENT_ENGINE_HOST}" info >/dev/null 2>&1
}

# current_engine_recorded_version PACKAGE: the version the links point at (from the record).
current_engine_recorded_version() {
    [[ -f ${CURRENT_ENGINE_RECORD} ]] || return 1
    awk -v package="$1" '$1 == package { print $2; found = 1 } END { exit !found }' "${CURRENT_ENGINE_RECORD}"
}

# ensure_current_engine_download_tools: curl and xz read the index, dpkg -x unpacks.
ensure_current_engine_download_tools() {
    command -v curl >/dev/null 2>&1 && command -v xz >/dev/null 2>&1 && return 0
    require_root "installing curl and xz-utils"
    log "apt-get install curl xz-utils"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends curl xz-utils >&2 ||
        { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends curl xz-utils >&2; } ||
        die "cannot install curl and xz-utils"
}

# current_engine_index_entries: "PACKAGE VERSION FILENAME SHA256" for each wanted package, from
# the suite's Packages.xz on the host's mirror.
current_engine_index_entries() {
    local mirror_uri index_file
    mirror_uri=$(debian_mirror_uri) || die "cannot find the Debian mirror in the host's apt sources"
    index_file=$(mktemp)
    if ! curl -fsS --retry 3 --max-time 120 -o "${index_file}" \
        "${mirror_uri}/dists/${CURRENT_ENGINE_SUITE}/main/binary-amd64/Packages.xz"; then
        rm -f "${index_file}"
        return 1
    fi
    xz -dc "${index_file}" | awk -v wanted=" ${CURRENT_ENGINE_PACKAGES[*]} " '
        /^Package: / { package = $2 }
        /^Version: / { version = $2 }
        /^Filename: / { filename = $2 }
        /^SHA256: / { sha256 = $2 }
        /^$/ {
            if (index(wanted, " " package " ") && filename != "" && !seen[package]++) print package, version, filename, sha256
            package = ""; version = ""; filename = ""; sha256 = ""
        }
        END { if (index(wanted, " " package " ") && filename != "" && !seen[package]++) print package, version, filename, sha256 }
    '
    local status=${PIPESTATUS[0]}
    rm -f "${index_file}"
    return "${status}"
}

# current_engine_unpack PACKAGE VERSION FILENAME SHA256: prints the package's versioned
# directory, downloading and unpacking it unless it is there already.
current_engine_unpack() {
    local package=$1 version=$2 filename=$3 sha256=$4 mirror_uri directory deb
    directory="${CURRENT_ENGINE_UNPACKED}/${package}_${version}"
    if [[ -d ${directory} ]]; then
        printf '%s\n' "${directory}"
        return 0
    fi
    mirror_uri=$(debian_mirror_uri) || die "cannot find the Debian mirror in the host's apt sources"
    mkdir -p "${CURRENT_ENGINE_UNPACKED}"
    deb="${directory}.deb"
    log "downloading ${mirror_uri}/${filename}"
    curl -fsS --retry 3 --max-time 600 -o "${deb}" "${mirror_uri}/${filename}" ||
        die "cannot download ${mirror_uri}/${filename}"
    [[ "$(sha256sum "${deb}" | awk '{ print $1 }')" == "${sha256}" ]] ||
        die "${deb} does not have the SHA-256 the ${CURRENT_ENGINE_SUITE} index gives (${sha256})"
    rm -rf "${directory}.partial"
    dpkg -x "${deb}" "${directory}.partial" || die "dpkg -x ${deb} failed"
    mv -T "${directory}.partial" "${directory}"
    rm -f "${deb}"
    log "unpacked ${package} ${version} into ${directory}"
    printf '%s\n' "${directory}"
}

# current_engine_link_binaries RECORD: (re)writes the daemon and client link directories for the
# unpacked packages RECORD names ("PACKAGE VERSION DIRECTORY" lines), then the record itself.
current_engine_link_binaries() {
    local record=$1 system_runc docker_io cli buildx containerd
    system_runc=$(command -v runc) || die "no runc on the host (apt-get install runc): the current engine uses the system's"
    docker_io=$(awk '$1 == "docker.io" { print $3 }' <<<"${record}")
    cli=$(awk '$1 == "docker-cli" { print $3 }' <<<"${record}")
    buildx=$(awk '$1 == "docker-buildx" { print $3 }' <<<"${record}")
    containerd=$(awk '$1 == "containerd" { print $3 }' <<<"${record}")
    [[ -n ${docker_io} && -n ${cli} && -n ${buildx} && -n ${containerd} ]] ||
        die "the ${CURRENT_ENGINE_SUITE} index lacks one of ${CURRENT_ENGINE_PACKAGES[*]}"
    local link_target
    for link_target in "${docker_io}/usr/sbin/dockerd" "${docker_io}/usr/sbin/docker-proxy" \
        "${containerd}/usr/bin/containerd" "${containerd}/usr/bin/containerd-shim-runc-v2" \
        "${containerd}/usr/bin/ctr" "${cli}/usr/bin/docker" "${buildx}/usr/libexec/docker/cli-plugins/docker-buildx"; do
        [[ -x ${link_target} ]] || die "${link_target} is missing from the unpacked package"
    done
    # dockerd finds containerd, its shim and runc through PATH: these links come first in it.
    rm -rf "${CURRENT_ENGINE_DAEMON_BIN}" "${CURRENT_ENGINE_CLIENT_BIN}"
    mkdir -p "${CURRENT_ENGINE_DAEMON_BIN}" "${CURRENT_ENGINE_CLIENT_BIN}" "${CURRENT_ENGINE_CLIENT_CONFIG}/cli-plugins"
    ln -s "${docker_io}/usr/sbin/dockerd" "${docker_io}/usr/sbin/docker-proxy" \
        "${containerd}/usr/bin/containerd" "${containerd}/usr/bin/containerd-shim-runc-v2" \
        "${containerd}/usr/bin/ctr" "${system_runc}" "${CURRENT_ENGINE_DAEMON_BIN}/"
    ln -s "${cli}/usr/bin/docker" "${CURRENT_ENGINE_CLIENT_BIN}/docker"
    ln -sfn "${buildx}/usr/libexec/docker/cli-plugins/docker-buildx" "${CURRENT_ENGINE_CLIENT_CONFIG}/cli-plugins/docker-buildx"
    printf '%s\n' "${record}" >"${CURRENT_ENGINE_RECORD}"
}

# current_engine_install: the suite's current packages unpacked and linked. Without the index
# (mirror unreachable) an earlier installation is kept.
current_engine_install() {
    ensure_current_engine_download_tools
    local entries
    if ! entries=$(current_engine_index_entries) || [[ -z ${entries} ]]; then
        if current_engine_recorded_version docker.io >/dev/null && [[ -x ${CURRENT_ENGINE_CLIENT_BIN}/docker ]]; then
            log "warning: cannot read the ${CURRENT_ENGINE_SUITE} package index; keeping docker.io $(current_engine_recorded_version docker.io)"
            return 0
        fi
        die "cannot read ${CURRENT_ENGINE_SUITE}/main/binary-amd64/Packages.xz from the host's Debian mirror"
    fi
    local record="" package version filename sha256 directory
    while read -r package version filename sha256; do
        # die in the substitution has printed why.
        directory=$(current_engine_unpack "${package}" "${version}" "${filename}" "${sha256}") || exit 1
        record+="${package} ${version} ${directory}"$'\n'
    done <<<"${entries}"
    record=${record%$'\n'}
    if [[ -f ${CURRENT_ENGINE_RECORD} && "$(cat "${CURRENT_ENGINE_RECORD}")" == "${record}" && -x ${CURRENT_ENGINE_CLIENT_BIN}/docker ]]; then
        return 0
    fi
    log "linking ${CURRENT_ENGINE_SUITE}'s $(awk '{ printf "%s%s %s", separator, $1, $2; separator = ", " }' <<<"${record}")"
    current_engine_link_binaries "${record}"
}

running_current_engine_dockerd_pid() {
    local pid
    pid=$(pid_from_file "${CURRENT_ENGINE_PID_FILE}") || return 1
    process_runs_with "${pid}" dockerd "${CURRENT_ENGINE_PID_FILE}" && printf '%s\n' "${pid}"
}

# remove_stale_current_engine_state: after a kill -9 the pid files may name dead (or reused)
# pids and the sockets may have no listener; dockerd and containerd refuse to start or hang on
# them. Only this daemon's own paths are looked at.
remove_stale_current_engine_state() {
    if [[ -f ${CURRENT_ENGINE_PID_FILE} ]] && ! running_current_engine_dockerd_pid >/dev/null; then
        log "removing stale ${CURRENT_ENGINE_PID_FILE}"
        rm -f "${CURRENT_ENGINE_PID_FILE}"
    fi
    local containerd_pid
    containerd_pid=$(pid_from_file "${CURRENT_ENGINE_CONTAINERD_STATE}/containerd.pid" || true)
    if [[ -n ${containerd_pid} ]] && process_runs_with "${containerd_pid}" containerd "${CURRENT_ENGINE_CONTAINERD_STATE}"; then
        log "containerd ${containerd_pid} of an earlier current-engine dockerd still runs; dockerd will reuse it"
    elif [[ -e ${CURRENT_ENGINE_CONTAINERD_STATE}/containerd.pid || -S ${CURRENT_ENGINE_CONTAINERD_STATE}/containerd.sock ]]; then
        log "removing stale containerd pid file and sockets in ${CURRENT_ENGINE_CONTAINERD_STATE}"
        rm -f "${CURRENT_ENGINE_CONTAINERD_STATE}/containerd.pid" "${CURRENT_ENGINE_CONTAINERD_STATE}"/*.sock
    fi
    if [[ -S ${CURRENT_ENGINE_SOCKET} ]]; then
        log "removing stale ${CURRENT_ENGINE_SOCKET}"
        rm -f "${CURRENT_ENGINE_SOCKET}"
    fi
}

# wait_for_current_engine PID: bounded wait until the daemon answers; fails early when PID dies.
wait_for_current_engine() {
    local watched_pid=$1 deadline
    deadline=$((SECONDS + CURRENT_ENGINE_START_TIMEOUT_SECONDS))
    until current_engine_answers; do
        if ! process_is_alive "${watched_pid}"; then
            tail -n 20 "${CURRENT_ENGINE_LOG}" >&2 || true
            die "the current-engine dockerd exited during start-up; see ${CURRENT_ENGINE_LOG} (last lines above)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 20 "${CURRENT_ENGINE_LOG}" >&2 || true
            die "the current-engine dockerd did not answer within ${CURRENT_ENGINE_START_TIMEOUT_SECONDS}s; see ${CURRENT_ENGINE_LOG}"
        fi
        sleep 0.5
    done
    log "current-engine dockerd answers on ${CURRENT_ENGINE_HOST}"
}

# ensure_current_engine_bridge: the daemon's own bridge, with its own address (dockerd only
# attaches to a bridge named with --bridge). A bridge left by a killed daemon is reused.
ensure_current_engine_bridge() {
    if ! ip link show "${CURRENT_ENGINE_BRIDGE}" >/dev/null 2>&1; then
        log "creating bridge ${CURRENT_ENGINE_BRIDGE} (${CURRENT_ENGINE_BRIDGE_ADDRESS})"
        ip link add name "${CURRENT_ENGINE_BRIDGE}" type bridge || die "cannot create bridge ${CURRENT_ENGINE_BRIDGE}"
    fi
    if ! ip -o -4 addr show dev "${CURRENT_ENGINE_BRIDGE}" | grep -q " ${CURRENT_ENGINE_BRIDGE_ADDRESS} "; then
        log "giving ${CURRENT_ENGINE_BRIDGE} the address ${CURRENT_ENGINE_BRIDGE_ADDRESS}"
        ip -4 addr flush dev "${CURRENT_ENGINE_BRIDGE}" || die "cannot clear the addresses of ${CURRENT_ENGINE_BRIDGE}"
        ip addr add "${CURRENT_ENGINE_BRIDGE_ADDRESS}" dev "${CURRENT_ENGINE_BRIDGE}" ||
            die "cannot give ${CURRENT_ENGINE_BRIDGE} the address ${CURRENT_ENGINE_BRIDGE_ADDRESS}"
    fi
    ip link set "${CURRENT_ENGINE_BRIDGE}" up || die "cannot bring ${CURRENT_ENGINE_BRIDGE} up"
}

start_current_engine_dockerd() {
    require_root "starting the current-engine dockerd"
    ensure_current_engine_bridge
    mkdir -p "$(dirname "${CURRENT_ENGINE_CONFIG_FILE}")"
    # Its own (empty) config file, so /etc/docker/daemon.json of the main daemon is not read.
    write_file_if_changed "${CURRENT_ENGINE_CONFIG_FILE}" '{}'
    remove_stale_current_engine_state
    mkdir -p "${CURRENT_ENGINE_RUN_DIRECTORY}" "${CURRENT_ENGINE_EXEC_ROOT}" \
        "${CURRENT_ENGINE_DATA_ROOT}" "$(dirname "${CURRENT_ENGINE_LOG}")"
    log "starting the current-engine dockerd on ${CURRENT_ENGINE_HOST} (log: ${CURRENT_ENGINE_LOG})"
    printf '\n==== cachefront setup-env starts the current-engine dockerd at %(%F %T)T ====\n' -1 >>"${CURRENT_ENGINE_LOG}"
    (
        # setup-env's lock descriptor must not live on in dockerd (see start_dockerd).
        if [[ -n ${CACHEFRONT_SETUP_LOCK_FD:-} ]]; then
            exec {CACHEFRONT_SETUP_LOCK_FD}>&-
        fi
        exec env "PATH=${CURRENT_ENGINE_DAEMON_BIN}:${PATH}" setsid nohup "${CURRENT_ENGINE_DAEMON_BIN}/dockerd" \
            --config-file "${CURRENT_ENGINE_CONFIG_FILE}" \
            --host "${CURRENT_ENGINE_HOST}" \
            --pidfile "${CURRENT_ENGINE_PID_FILE}" \
            --data-root "${CURRENT_ENGINE_DATA_ROOT}" \
            --exec-root "${CURRENT_ENGINE_EXEC_ROOT}" \
            --cgroup-parent "${CURRENT_ENGINE_CGROUP_PARENT}" \
            --bridge="${CURRENT_ENGINE_BRIDGE}" \
            >>"${CURRENT_ENGINE_LOG}" 2>&1 </dev/null
    ) &
    local launched_pid=$!
    disown "${launched_pid}" 2>/dev/null || true
    wait_for_current_engine "${launched_pid}"
}

# log_current_engine_versions: one line naming what answers on the socket.
log_current_engine_versions() {
    local server client buildx containerd
    server=$(current_engine_docker version --format '{{.Server.Version}}' 2>/dev/null) ||
        die "'docker version' cannot read the current engine's server version"
    client=$(current_engine_docker version --format '{{.Client.Version}}' 2>/dev/null || true)
    buildx=$(current_engine_docker buildx version 2>/dev/null | awk '{ print $2; exit }') ||
        die "'docker buildx version' fails with ${CURRENT_ENGINE_CLIENT_BIN}/docker"
    containerd=$(current_engine_docker version --format '{{range .Server.Components}}{{if eq .Name "containerd"}}{{.Version}}{{end}}{{end}}' 2>/dev/null || true)
    log "current engine: Docker server ${server}, client ${client}, buildx ${buildx}, containerd ${containerd:-?} on ${CURRENT_ENGINE_HOST}"
}

# ensure_current_engine: the one entry point for setup-env. Fast (a few client calls) while the
# daemon answers.
ensure_current_engine() {
    if ! current_engine_answers; then
        current_engine_install
        local existing_pid
        if existing_pid=$(running_current_engine_dockerd_pid); then
            log "current-engine dockerd ${existing_pid} runs but does not answer yet; waiting"
            wait_for_current_engine "${existing_pid}"
        else
            start_current_engine_dockerd
        fi
    fi
    log_current_engine_versions
}

# copy_image_to_current_engine TAG: loads the main daemon's TAG into the current engine unless it
# has the same image there (both use the classic image store, so the IDs match after a load).
copy_image_to_current_engine() {
    local tag=$1 main_id current_id
    main_id=$(docker image inspect --format '{{.Id}}' "${tag}" 2>/dev/null) ||
        die "${tag} is missing in the main daemon"
    current_id=$(current_engine_docker image inspect --format '{{.Id}}' "${tag}" 2>/dev/null || true)
    if [[ ${current_id} == "${main_id}" ]]; then
        log "${tag} is current in the current engine"
        return 0
    fi
    log "copying ${tag} (${main_id}) into the current engine"
    docker save "${tag}" | current_engine_docker load >&2 ||
        die "docker save ${tag} | docker --host ${CURRENT_ENGINE_HOST} load failed"
}
