# shellcheck shell=bash
# A second Docker daemon for the multi-platform e2e test, next to the main one (source log.sh and
# docker.sh first). The main daemon uses the classic image store, which refuses multi-platform
# builds and the OCI exporter; this one uses the containerd image store.
# Input: the machine as found (possibly leftovers of a killed second daemon: stale pid file,
# socket, containerd pid file), Docker installed by ensure_docker, the main daemon's
# cachefront:dev image when it exists. Output: a dockerd answering on
# unix://${MULTIPLATFORM_DAEMON_SOCKET} with the containerd image store; busybox-static on the
# host (the test's per-platform RUN steps use it); cachefront:dev copied into the second daemon
# when it exists in the main one and differs there.
# Invariants: never touches the main daemon's pid file, socket, data root, exec root or its
# containerd or its docker0 bridge (with --bridge=none dockerd deletes docker0, which the main
# daemon's builds need: so this daemon gets a bridge of its own, cfmp0); no iptables or IP
# forwarding changes (builds use --network=host); its
# own config file, data root, exec root (so its network namespaces) and cgroup parent;
# idempotent and fast (a few client calls, no apt) when everything is in place; fails loudly
# (die) when something cannot be set up.

MULTIPLATFORM_DAEMON_RUN_DIRECTORY=/var/run/cachefront-multiplatform
MULTIPLATFORM_DAEMON_SOCKET=${MULTIPLATFORM_DAEMON_RUN_DIRECTORY}/docker.sock
MULTIPLATFORM_DAEMON_HOST=unix://${MULTIPLATFORM_DAEMON_SOCKET}
MULTIPLATFORM_DAEMON_PID_FILE=${MULTIPLATFORM_DAEMON_RUN_DIRECTORY}/dockerd.pid
MULTIPLATFORM_DAEMON_EXEC_ROOT=${MULTIPLATFORM_DAEMON_RUN_DIRECTORY}/exec
MULTIPLATFORM_DAEMON_CONTAINERD_STATE=${MULTIPLATFORM_DAEMON_EXEC_ROOT}/containerd
MULTIPLATFORM_DAEMON_DATA_ROOT=/var/lib/cachefront-multiplatform
MULTIPLATFORM_DAEMON_CONFIG_FILE=/etc/cachefront/multiplatform-daemon.json
MULTIPLATFORM_DAEMON_LOG=/var/log/cachefront-multiplatform-dockerd.log
MULTIPLATFORM_DAEMON_CGROUP_PARENT=/cachefront-multiplatform
MULTIPLATFORM_DAEMON_BRIDGE=cfmp0
MULTIPLATFORM_DAEMON_BRIDGE_ADDRESS=172.31.254.1/24
MULTIPLATFORM_DAEMON_START_TIMEOUT_SECONDS=${MULTIPLATFORM_DAEMON_START_TIMEOUT_SECONDS:-60}
MULTIPLATFORM_FRONTEND_IMAGE=${CACHEFRONT_E2E_IMAGE:-cachefront:dev}
# The e2e test passes this static busybox as a named build context to FROM scratch stages of
# every target platform.
MULTIPLATFORM_BUSYBOX=/bin/busybox

multiplatform_docker() {
    docker --host "${MULTIPLATFORM_DAEMON_HOST}" "$@"
}

multiplatform_daemon_answers() {
    [[ -S ${MULTIPLATFORM_DAEMON_SOCKET} ]] && timeout 20 docker --host "${MULTIPLATFORM_DAEMON_HOST}" info >/dev/null 2>&1
}

# multiplatform_daemon_uses_containerd_store: the driver status names containerd's snapshotter
# only with the containerd image store.
multiplatform_daemon_uses_containerd_store() {
    local driver_status
    driver_status=$(timeout 20 docker --host "${MULTIPLATFORM_DAEMON_HOST}" info --format '{{json .DriverStatus}}' 2>/dev/null) || return 1
    [[ ${driver_status} == *io.containerd.snapshotter* ]]
}

# process_runs_with PID NAME TEXT: PID is a live NAME process whose command line holds TEXT.
# After a reboot or a kill -9 a pid file may name a reused pid, even the main daemon's.
process_runs_with() {
    local pid=$1 name=$2 text=$3 command_line
    process_is_named "${pid}" "${name}" || return 1
    command_line=$(tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null) || return 1
    [[ ${command_line} == *"${text}"* ]]
}

running_multiplatform_dockerd_pid() {
    local pid
    pid=$(pid_from_file "${MULTIPLATFORM_DAEMON_PID_FILE}") || return 1
    process_runs_with "${pid}" dockerd "${MULTIPLATFORM_DAEMON_PID_FILE}" && printf '%s\n' "${pid}"
}

write_multiplatform_daemon_config() {
    mkdir -p "$(dirname "${MULTIPLATFORM_DAEMON_CONFIG_FILE}")"
    # dockerd rejects unknown keys and comments in its config file, so the file holds only JSON.
    write_file_if_changed "${MULTIPLATFORM_DAEMON_CONFIG_FILE}" '{
  "features": {"containerd-snapshotter": true}
}'
}

# remove_stale_multiplatform_state: after a kill -9 the pid files may name dead (or reused) pids
# and the sockets may have no listener; dockerd and containerd refuse to start or hang on them.
# Only this daemon's own paths are looked at.
remove_stale_multiplatform_state() {
    if [[ -f ${MULTIPLATFORM_DAEMON_PID_FILE} ]] && ! running_multiplatform_dockerd_pid >/dev/null; then
        log "removing stale ${MULTIPLATFORM_DAEMON_PID_FILE}"
        rm -f "${MULTIPLATFORM_DAEMON_PID_FILE}"
    fi
    local containerd_pid
    containerd_pid=$(pid_from_file "${MULTIPLATFORM_DAEMON_CONTAINERD_STATE}/containerd.pid" || true)
    if [[ -n ${containerd_pid} ]] && process_runs_with "${containerd_pid}" containerd "${MULTIPLATFORM_DAEMON_CONTAINERD_STATE}"; then
        log "containerd ${containerd_pid} of an earlier multi-platform dockerd still runs; dockerd will reuse it"
    elif [[ -e ${MULTIPLATFORM_DAEMON_CONTAINERD_STATE}/containerd.pid || -S ${MULTIPLATFORM_DAEMON_CONTAINERD_STATE}/containerd.sock ]]; then
        log "removing stale containerd pid file and sockets in ${MULTIPLATFORM_DAEMON_CONTAINERD_STATE}"
        rm -f "${MULTIPLATFORM_DAEMON_CONTAINERD_STATE}/containerd.pid" "${MULTIPLATFORM_DAEMON_CONTAINERD_STATE}"/*.sock
    fi
    if [[ -S ${MULTIPLATFORM_DAEMON_SOCKET} ]]; then
        log "removing stale ${MULTIPLATFORM_DAEMON_SOCKET}"
        rm -f "${MULTIPLATFORM_DAEMON_SOCKET}"
    fi
}

# wait_for_multiplatform_daemon PID: bounded wait until the daemon answers; fails early when PID dies.
wait_for_multiplatform_daemon() {
    local watched_pid=$1 deadline
    deadline=$((SECONDS + MULTIPLATFORM_DAEMON_START_TIMEOUT_SECONDS))
    until multiplatform_daemon_answers; do
        if ! process_is_alive "${watched_pid}"; then
            tail -n 20 "${MULTIPLATFORM_DAEMON_LOG}" >&2 || true
            die "the multi-platform dockerd exited during start-up; see ${MULTIPLATFORM_DAEMON_LOG} (last lines above)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 20 "${MULTIPLATFORM_DAEMON_LOG}" >&2 || true
            die "the multi-platform dockerd did not answer within ${MULTIPLATFORM_DAEMON_START_TIMEOUT_SECONDS}s; see ${MULTIPLATFORM_DAEMON_LOG}"
        fi
        sleep 0.5
    done
    log "multi-platform dockerd answers on ${MULTIPLATFORM_DAEMON_HOST}"
}

# ensure_multiplatform_bridge: the second daemon's own bridge. dockerd only attaches to a bridge
# named with --bridge; it never creates or deletes it.
ensure_multiplatform_bridge() {
    if ! ip link show "${MULTIPLATFORM_DAEMON_BRIDGE}" >/dev/null 2>&1; then
        log "creating bridge ${MULTIPLATFORM_DAEMON_BRIDGE} (${MULTIPLATFORM_DAEMON_BRIDGE_ADDRESS})"
        ip link add name "${MULTIPLATFORM_DAEMON_BRIDGE}" type bridge ||
            die "cannot create bridge ${MULTIPLATFORM_DAEMON_BRIDGE}"
    fi
    if ! ip -o addr show dev "${MULTIPLATFORM_DAEMON_BRIDGE}" | grep -q "${MULTIPLATFORM_DAEMON_BRIDGE_ADDRESS}"; then
        ip addr add "${MULTIPLATFORM_DAEMON_BRIDGE_ADDRESS}" dev "${MULTIPLATFORM_DAEMON_BRIDGE}" ||
            die "cannot give ${MULTIPLATFORM_DAEMON_BRIDGE} the address ${MULTIPLATFORM_DAEMON_BRIDGE_ADDRESS}"
    fi
    ip link set "${MULTIPLATFORM_DAEMON_BRIDGE}" up || die "cannot bring ${MULTIPLATFORM_DAEMON_BRIDGE} up"
}

start_multiplatform_dockerd() {
    require_root "starting the multi-platform dockerd"
    ensure_multiplatform_bridge
    write_multiplatform_daemon_config
    remove_stale_multiplatform_state
    mkdir -p "${MULTIPLATFORM_DAEMON_RUN_DIRECTORY}" "${MULTIPLATFORM_DAEMON_EXEC_ROOT}" \
        "${MULTIPLATFORM_DAEMON_DATA_ROOT}" "$(dirname "${MULTIPLATFORM_DAEMON_LOG}")"
    log "starting the multi-platform dockerd on ${MULTIPLATFORM_DAEMON_HOST} (log: ${MULTIPLATFORM_DAEMON_LOG})"
    printf '\n==== cachefront setup-env starts the multi-platform dockerd at %(%F %T)T ====\n' -1 \
        >>"${MULTIPLATFORM_DAEMON_LOG}"
    (
        # setup-env's lock descriptor must not live on in dockerd (see start_dockerd).
        if [[ -n ${CACHEFRONT_SETUP_LOCK_FD:-} ]]; then
            exec {CACHEFRONT_SETUP_LOCK_FD}>&-
        fi
        exec setsid nohup dockerd \
            --config-file "${MULTIPLATFORM_DAEMON_CONFIG_FILE}" \
            --host "${MULTIPLATFORM_DAEMON_HOST}" \
            --pidfile "${MULTIPLATFORM_DAEMON_PID_FILE}" \
            --data-root "${MULTIPLATFORM_DAEMON_DATA_ROOT}" \
            --exec-root "${MULTIPLATFORM_DAEMON_EXEC_ROOT}" \
            --cgroup-parent "${MULTIPLATFORM_DAEMON_CGROUP_PARENT}" \
            --bridge="${MULTIPLATFORM_DAEMON_BRIDGE}" --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
            >>"${MULTIPLATFORM_DAEMON_LOG}" 2>&1 </dev/null
    ) &
    local launched_pid=$!
    disown "${launched_pid}" 2>/dev/null || true
    wait_for_multiplatform_daemon "${launched_pid}"
}

# ensure_multiplatform_daemon: the daemon itself. Fast (two client calls) when it already runs.
ensure_multiplatform_daemon() {
    if ! multiplatform_daemon_answers; then
        local existing_pid
        if existing_pid=$(running_multiplatform_dockerd_pid); then
            log "multi-platform dockerd ${existing_pid} runs but does not answer yet; waiting"
            wait_for_multiplatform_daemon "${existing_pid}"
        else
            start_multiplatform_dockerd
        fi
    fi
    multiplatform_daemon_uses_containerd_store ||
        die "the daemon on ${MULTIPLATFORM_DAEMON_HOST} does not use the containerd image store; stop it (pid file ${MULTIPLATFORM_DAEMON_PID_FILE}) and rerun scripts/setup-env"
}

# static_busybox_installed: the dynamic busybox package and busybox-static both install
# /bin/busybox; only busybox-static's runs in an empty root file system.
static_busybox_installed() {
    [[ -x ${MULTIPLATFORM_BUSYBOX} ]] || return 1
    [[ "$(dpkg-query --show --showformat='${Status}' busybox-static 2>/dev/null)" == "install ok installed" ]]
}

ensure_static_busybox() {
    if static_busybox_installed; then
        log "busybox-static is installed"
        return 0
    fi
    require_root "installing busybox-static"
    log "apt-get install busybox-static"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends busybox-static >&2 ||
        { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends busybox-static >&2; } ||
        die "cannot install busybox-static"
    static_busybox_installed || die "busybox-static is installed but ${MULTIPLATFORM_BUSYBOX} is missing"
}

# copy_frontend_image_to_multiplatform_daemon: loads the main daemon's frontend image into the
# second daemon unless it is there already. The two image stores name images differently (config
# digest vs manifest digest), so the main daemon's image ID is kept as a second tag,
# cachefront-multiplatform-source:<hex of the main ID>, on the loaded image. The e2e test does the
# same before it builds (scripts/test rebuilds cachefront:dev after setup-env).
copy_frontend_image_to_multiplatform_daemon() {
    local main_id source_tag loaded_id marked_id
    if ! main_id=$(docker image inspect --format '{{.Id}}' "${MULTIPLATFORM_FRONTEND_IMAGE}" 2>/dev/null); then
        log "no ${MULTIPLATFORM_FRONTEND_IMAGE} in the main daemon yet (scripts/build-frontend); the e2e test copies it later"
        return 0
    fi
    source_tag="cachefront-multiplatform-source:${main_id#sha256:}"
    loaded_id=$(multiplatform_docker image inspect --format '{{.Id}}' "${MULTIPLATFORM_FRONTEND_IMAGE}" 2>/dev/null || true)
    marked_id=$(multiplatform_docker image inspect --format '{{.Id}}' "${source_tag}" 2>/dev/null || true)
    if [[ -n ${loaded_id} && ${loaded_id} == "${marked_id}" ]]; then
        log "${MULTIPLATFORM_FRONTEND_IMAGE} is current in the multi-platform daemon"
        return 0
    fi
    log "copying ${MULTIPLATFORM_FRONTEND_IMAGE} (${main_id}) into the multi-platform daemon"
    docker save "${MULTIPLATFORM_FRONTEND_IMAGE}" | multiplatform_docker load >&2 ||
        die "docker save ${MULTIPLATFORM_FRONTEND_IMAGE} | docker --host ${MULTIPLATFORM_DAEMON_HOST} load failed"
    multiplatform_docker tag "${MULTIPLATFORM_FRONTEND_IMAGE}" "${source_tag}" ||
        die "cannot tag ${source_tag} in the multi-platform daemon"
    # Older copies would pile up (scripts/test rebuilds the frontend on every run).
    local stale_tag
    while read -r stale_tag; do
        [[ -n ${stale_tag} && ${stale_tag} != "${source_tag}" ]] || continue
        log "removing the earlier frontend copy ${stale_tag}"
        multiplatform_docker image rm "${stale_tag}" >/dev/null || die "cannot remove ${stale_tag}"
    done < <(multiplatform_docker image ls --format '{{.Repository}}:{{.Tag}}' cachefront-multiplatform-source)
}

# ensure_multiplatform_test_environment: the one entry point for setup-env.
ensure_multiplatform_test_environment() {
    ensure_multiplatform_daemon
    ensure_static_busybox
    copy_frontend_image_to_multiplatform_daemon
}
