# shellcheck shell=bash
# Makes a working Docker Engine (>= 26) with the buildx plugin available, for setup-env and
# any other script (source log.sh and apt-mirror.sh first). Input: the machine as found,
# possibly with nothing installed or with leftovers of a killed dockerd. Output: a running
# dockerd answering `docker info`, and `docker buildx version` working. Invariants: installs
# only docker.io, docker-cli and docker-buildx from the next Debian release (every other
# package stays on the host's release); fails loudly (die) when Docker cannot be set up.

DOCKER_MINIMUM_MAJOR_VERSION=26
DOCKER_NEXT_RELEASE=trixie
DOCKER_PACKAGES=(docker.io docker-cli docker-buildx)
DOCKERD_LOG=/var/log/cachefront-dockerd.log
DOCKERD_PID_FILE=/var/run/docker.pid
DOCKER_SOCKET=/var/run/docker.sock
DOCKER_CONTAINERD_STATE=/var/run/docker/containerd
DOCKERD_START_TIMEOUT_SECONDS=${DOCKERD_START_TIMEOUT_SECONDS:-60}
CACHEFRONT_APT_SOURCE=/etc/apt/sources.list.d/cachefront-${DOCKER_NEXT_RELEASE}.sources
CACHEFRONT_APT_PREFERENCES=/etc/apt/preferences.d/cachefront-${DOCKER_NEXT_RELEASE}

docker_answers() {
    timeout 20 docker info >/dev/null 2>&1
}

buildx_answers() {
    timeout 20 docker buildx version >/dev/null 2>&1
}

# major_version_of "26.1.5+dfsg1" -> 26 (prints nothing for text without a leading number).
major_version_of() {
    local version=$1
    version=${version#v}
    [[ ${version} =~ ^([0-9]+) ]] && printf '%s\n' "${BASH_REMATCH[1]}"
}

installed_dockerd_major_version() {
    command -v dockerd >/dev/null 2>&1 || return 1
    local version_line
    version_line=$(dockerd --version 2>/dev/null) || return 1
    # "Docker version 26.1.5+dfsg1, build a72d7cd"
    major_version_of "$(awk '{ print $3 }' <<<"${version_line}")"
}

docker_installation_is_usable() {
    local major
    major=$(installed_dockerd_major_version) || return 1
    [[ -n ${major} && ${major} -ge ${DOCKER_MINIMUM_MAJOR_VERSION} ]] || return 1
    command -v docker >/dev/null 2>&1 || return 1
    buildx_answers
}

# write_file_if_changed PATH CONTENT: keeps the file untouched when it already says CONTENT.
write_file_if_changed() {
    local path=$1 content=$2
    if [[ -f ${path} ]] && [[ "$(cat "${path}")" == "${content}" ]]; then
        return 0
    fi
    log "writing ${path}"
    printf '%s\n' "${content}" >"${path}"
}

configure_next_release_apt_source() {
    local mirror_uri
    mirror_uri=$(debian_mirror_uri) || die "cannot find the Debian mirror in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"
    write_file_if_changed "${CACHEFRONT_APT_SOURCE}" "# Written by cachefront scripts/setup-env: ${DOCKER_NEXT_RELEASE}, only for Docker (see ${CACHEFRONT_APT_PREFERENCES}).
Types: deb
URIs: ${mirror_uri}
Suites: ${DOCKER_NEXT_RELEASE}
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
    write_file_if_changed "${CACHEFRONT_APT_PREFERENCES}" "# Written by cachefront scripts/setup-env: nothing comes from ${DOCKER_NEXT_RELEASE} but Docker.
Package: *
Pin: release n=${DOCKER_NEXT_RELEASE}
Pin-Priority: 100

Package: ${DOCKER_PACKAGES[*]}
Pin: release n=${DOCKER_NEXT_RELEASE}
Pin-Priority: 990"
}

# version_is_from_next_release_only PACKAGE VERSION: true when VERSION is offered by the next
# release and not by any suite of the host's release.
version_is_from_next_release_only() {
    local package=$1 version=$2 host_codename
    host_codename=$(host_debian_codename) || return 1
    local suites
    suites=$(apt-cache madison "${package}" | awk -F'|' -v version="${version}" '
        { gsub(/^[ \t]+|[ \t]+$/, "", $2) }
        $2 == version { split($3, words, " "); sub(/\/.*/, "", words[2]); print words[2] }')
    grep -qx "${DOCKER_NEXT_RELEASE}" <<<"${suites}" || return 1
    ! grep -q "^${host_codename}" <<<"${suites}"
}

# refuse_upgrades_from_next_release: simulates the install and fails if any package other than
# the Docker packages would come from the next release.
refuse_upgrades_from_next_release() {
    local simulation package version
    simulation=$(apt-get install -s --no-install-recommends "${DOCKER_PACKAGES[@]}") ||
        die "apt cannot resolve ${DOCKER_PACKAGES[*]} from ${DOCKER_NEXT_RELEASE}: $(tail -n 5 <<<"${simulation}")"
    # Lines look like "Inst name [old] (new Origin:Version/suite [arch])".
    while read -r package version; do
        if [[ " ${DOCKER_PACKAGES[*]} " == *" ${package} "* ]]; then
            continue
        fi
        if version_is_from_next_release_only "${package}" "${version}"; then
            die "installing Docker would take ${package} ${version} from ${DOCKER_NEXT_RELEASE}; refusing (only ${DOCKER_PACKAGES[*]} may come from there)"
        fi
    done < <(awk '$1 == "Inst" { version = ($3 ~ /^\[/) ? $4 : $3; sub(/^\(/, "", version); print $2, version }' <<<"${simulation}")
}

install_docker_packages() {
    require_root "installing Docker"
    command -v apt-get >/dev/null 2>&1 || die "no apt-get: install Docker >= ${DOCKER_MINIMUM_MAJOR_VERSION} with buildx by hand"
    configure_next_release_apt_source
    log "apt-get update"
    apt-get update -qq >&2 || die "apt-get update failed"
    refuse_upgrades_from_next_release
    # Keep the package scripts from starting a daemon through init scripts; setup-env starts it.
    local created_policy=no
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        created_policy=yes
    fi
    log "apt-get install ${DOCKER_PACKAGES[*]} (from ${DOCKER_NEXT_RELEASE})"
    local install_status=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "${DOCKER_PACKAGES[@]}" >&2 || install_status=$?
    if [[ ${created_policy} == yes ]]; then
        rm -f /usr/sbin/policy-rc.d
    fi
    [[ ${install_status} -eq 0 ]] || die "apt-get install ${DOCKER_PACKAGES[*]} failed (status ${install_status})"
}

# ensure_buildx_plugin_found: the client first in PATH may be another build than Debian's
# (e.g. /usr/local/bin/docker); link the plugin where every client looks.
ensure_buildx_plugin_found() {
    buildx_answers && return 0
    local plugin
    for plugin in /usr/libexec/docker/cli-plugins/docker-buildx /usr/lib/docker/cli-plugins/docker-buildx; do
        if [[ -x ${plugin} ]]; then
            log "linking ${plugin} into /usr/local/lib/docker/cli-plugins"
            mkdir -p /usr/local/lib/docker/cli-plugins
            ln -sf "${plugin}" /usr/local/lib/docker/cli-plugins/docker-buildx
            break
        fi
    done
    buildx_answers || die "'docker buildx version' fails with $(command -v docker); is docker-buildx installed?"
}

# process_is_alive PID: the process exists and is not a zombie (a killed process stays a
# zombie until its parent, often init, reaps it).
process_is_alive() {
    local pid=$1 stat_line
    [[ ${pid} =~ ^[0-9]+$ ]] || return 1
    stat_line=$(cat "/proc/${pid}/stat" 2>/dev/null) || return 1
    # "pid (comm) STATE ...": the state follows the last ")".
    stat_line=${stat_line##*) }
    [[ ${stat_line:0:1} != Z && ${stat_line:0:1} != X ]]
}

process_is_named() {
    local pid=$1 name=$2
    process_is_alive "${pid}" && [[ "$(cat "/proc/${pid}/comm" 2>/dev/null)" == "${name}" ]]
}

pid_from_file() {
    [[ -f $1 ]] && tr -dc '0-9' <"$1"
}

running_dockerd_pid() {
    local pid
    pid=$(pid_from_file "${DOCKERD_PID_FILE}") || return 1
    process_is_named "${pid}" dockerd && printf '%s\n' "${pid}"
}

# remove_stale_docker_state: after an unclean stop, pid files may name dead (or reused) pids
# and sockets may have no listener; dockerd and containerd refuse to start or hang on them.
remove_stale_docker_state() {
    if [[ -f ${DOCKERD_PID_FILE} ]] && ! running_dockerd_pid >/dev/null; then
        log "removing stale ${DOCKERD_PID_FILE}"
        rm -f "${DOCKERD_PID_FILE}"
    fi
    local containerd_pid
    containerd_pid=$(pid_from_file "${DOCKER_CONTAINERD_STATE}/containerd.pid" || true)
    if [[ -n ${containerd_pid} ]] && process_is_named "${containerd_pid}" containerd; then
        log "containerd ${containerd_pid} from an earlier dockerd still runs; dockerd will reuse it"
        return 0
    fi
    if [[ -e ${DOCKER_CONTAINERD_STATE}/containerd.pid || -S ${DOCKER_CONTAINERD_STATE}/containerd.sock ]]; then
        log "removing stale containerd pid file and sockets in ${DOCKER_CONTAINERD_STATE}"
        rm -f "${DOCKER_CONTAINERD_STATE}/containerd.pid" "${DOCKER_CONTAINERD_STATE}"/*.sock
    fi
    if [[ -S ${DOCKER_SOCKET} ]]; then
        log "removing stale ${DOCKER_SOCKET}"
        rm -f "${DOCKER_SOCKET}"
    fi
}

start_dockerd() {
    require_root "starting dockerd"
    remove_stale_docker_state
    log "starting dockerd (log: ${DOCKERD_LOG})"
    mkdir -p "$(dirname "${DOCKERD_LOG}")"
    printf '\n==== cachefront setup-env starts dockerd at %(%F %T)T ====\n' -1 >>"${DOCKERD_LOG}"
    (
        # A descriptor the caller holds (setup-env's lock) must not live on in dockerd, or the
        # next setup-env would wait for dockerd to exit.
        if [[ -n ${CACHEFRONT_SETUP_LOCK_FD:-} ]]; then
            exec {CACHEFRONT_SETUP_LOCK_FD}>&-
        fi
        exec setsid nohup dockerd --pidfile "${DOCKERD_PID_FILE}" >>"${DOCKERD_LOG}" 2>&1 </dev/null
    ) &
    local launched_pid=$!
    disown "${launched_pid}" 2>/dev/null || true
    wait_for_docker "${launched_pid}"
}

# wait_for_docker [PID]: waits (bounded) until `docker info` answers; fails early when PID dies.
wait_for_docker() {
    local watched_pid=${1:-} deadline
    deadline=$((SECONDS + DOCKERD_START_TIMEOUT_SECONDS))
    until docker_answers; do
        if [[ -n ${watched_pid} ]] && ! process_is_alive "${watched_pid}"; then
            tail -n 20 "${DOCKERD_LOG}" >&2 || true
            die "dockerd exited during start-up; see ${DOCKERD_LOG} (last lines above)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 20 "${DOCKERD_LOG}" >&2 || true
            die "dockerd did not answer 'docker info' within ${DOCKERD_START_TIMEOUT_SECONDS}s; see ${DOCKERD_LOG}"
        fi
        sleep 0.5
    done
    log "dockerd answers"
}

check_docker_server_version() {
    local server_version major
    server_version=$(docker version --format '{{.Server.Version}}' 2>/dev/null) ||
        die "'docker version' cannot read the server version"
    major=$(major_version_of "${server_version}")
    if [[ -z ${major} || ${major} -lt ${DOCKER_MINIMUM_MAJOR_VERSION} ]]; then
        die "Docker server ${server_version} is older than ${DOCKER_MINIMUM_MAJOR_VERSION}; cachefront needs >= ${DOCKER_MINIMUM_MAJOR_VERSION}"
    fi
    log "Docker server ${server_version}, $(docker buildx version 2>/dev/null | head -n 1)"
}

# ensure_docker: the one entry point. Fast (two client calls) when Docker already works.
ensure_docker() {
    if docker_answers && buildx_answers; then
        check_docker_server_version
        return 0
    fi
    if ! docker_installation_is_usable; then
        # apt-get install is a no-op for parts already there (e.g. only buildx missing).
        install_docker_packages
        ensure_buildx_plugin_found
    fi
    if ! docker_answers; then
        local existing_pid
        if existing_pid=$(running_dockerd_pid); then
            log "dockerd ${existing_pid} runs but does not answer yet; waiting"
            wait_for_docker "${existing_pid}"
        else
            start_dockerd
        fi
    fi
    check_docker_server_version
}
