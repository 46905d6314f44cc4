# shellcheck shell=bash
# Builds the ecosystem test images cachefront-test/<name> from tests/images/<name>/Dockerfile
# with the stock Dockerfile frontend. Input: a running Docker and the base images. Output: the
# images, labelled with the SHA-256 of their Dockerfile. Invariant: an image is rebuilt only
# when it is missing or its Dockerfile changed since it was built.

ECOSYSTEM_IMAGE_LABEL=cachefront.dockerfile-sha256

ensure_ecosystem_image() {
    local name=$1 directory=$2 tag dockerfile_hash built_hash
    tag="cachefront-test/${name}"
    dockerfile_hash=$(sha256sum "${directory}/Dockerfile" | awk '{ print $1 }')
    built_hash=$(docker image inspect --format "{{ index .Config.Labels \"${ECOSYSTEM_IMAGE_LABEL}\" }}" "${tag}" 2>/dev/null || true)
    if [[ ${built_hash} == "${dockerfile_hash}" ]]; then
        log "${tag} is up to date; skipping"
        return 0
    fi
    log "building ${tag} from ${directory}Dockerfile"
    docker buildx build --load --progress=plain \
        --label "${ECOSYSTEM_IMAGE_LABEL}=${dockerfile_hash}" \
        -t "${tag}" "${directory}" >&2 || die "building ${tag} failed"
}
