# shellcheck shell=bash
# Logging and step timing for the cachefront setup scripts.
# Input: messages and commands from the sourcing script. Output: lines on stderr only
# (stdout stays free for values that functions print). Invariant: never exits on its own
# except through `die`, which always names what failed.

log() {
    printf '[setup-env %(%H:%M:%S)T] %s\n' -1 "$*" >&2
}

die() {
    printf '[setup-env %(%H:%M:%S)T] ERROR: %s\n' -1 "$*" >&2
    exit 1
}

# Monotonic-enough wall clock in milliseconds.
now_milliseconds() {
    local nanoseconds
    nanoseconds=$(date +%s%N)
    printf '%s\n' $((nanoseconds / 1000000))
}

# run_step DESCRIPTION COMMAND [ARGS...]: runs the command, logs how long it took.
run_step() {
    local description=$1
    shift
    local started finished elapsed
    started=$(now_milliseconds)
    log "step: ${description}"
    "$@"
    finished=$(now_milliseconds)
    elapsed=$((finished - started))
    log "step done in $((elapsed / 1000)).$(printf '%03d' $((elapsed % 1000)))s: ${description}"
}

require_root() {
    if [[ ${EUID} -ne 0 ]]; then
        die "$1 needs root (run as root, or install Docker >= 26 with buildx yourself)"
    fi
}
