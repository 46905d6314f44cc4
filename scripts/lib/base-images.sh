# shellcheck shell=bash
# Makes the local base images debian:bookworm and debian:trixie (no registry is reachable).
# Input: a running Docker (ensure_docker), the host's apt mirror and CA bundle. Output: the
# images, shaped like the official Debian images (apt/dpkg Docker config, empty apt lists, no
# apt caches, CMD ["bash"], ENV PATH), plus the host's CA bundle and local CAs so TLS works in
# RUN steps. Invariants: rootfs tarballs are kept in /var/cache/cachefront so a later run only
# re-imports; a tag that already exists is left alone unless this recipe imported it from an
# older recipe version.

# shellcheck disable=SC2034 # read by scripts/setup-env
BASE_IMAGE_RELEASES=(bookworm trixie)
# Bump when the rootfs recipe below changes: tarballs and images made by older recipes are
# then rebuilt.
BASE_IMAGE_RECIPE_VERSION=1
BASE_IMAGE_CACHE=/var/cache/cachefront
BASE_IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

base_image_tarball() {
    printf '%s/rootfs-debian-%s-recipe%s.tar\n' "${BASE_IMAGE_CACHE}" "$1" "${BASE_IMAGE_RECIPE_VERSION}"
}

# The record of the last import: "RECIPE_VERSION IMAGE_ID".
base_image_import_record() {
    printf '%s/debian-%s.imported\n' "${BASE_IMAGE_CACHE}" "$1"
}

docker_image_id() {
    docker image inspect --format '{{.Id}}' "$1" 2>/dev/null
}

ensure_debootstrap() {
    command -v debootstrap >/dev/null 2>&1 && return 0
    require_root "installing debootstrap"
    log "apt-get install debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >&2 ||
        { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >&2; } ||
        die "cannot install debootstrap"
}

# write_rootfs_file ROOT PATH MODE: stdin becomes ROOT/PATH with MODE.
write_rootfs_file() {
    local root=$1 path=$2 mode=$3
    mkdir -p "$(dirname "${root}${path}")"
    cat >"${root}${path}"
    chmod "${mode}" "${root}${path}"
}

# shape_rootfs_like_official_image ROOT RELEASE MIRROR SECURITY_MIRROR
shape_rootfs_like_official_image() {
    local root=$1 release=$2 mirror_uri=$3 security_uri=$4

    # Services never start during image builds.
    printf '#!/bin/sh\n# Docker images start no services while packages are installed.\nexit 101\n' |
        write_rootfs_file "${root}" /usr/sbin/policy-rc.d 0755
    printf '# Builds are thrown away on failure anyway: skip fsync while unpacking.\nforce-unsafe-io\n' |
        write_rootfs_file "${root}" /etc/dpkg/dpkg.cfg.d/docker-apt-speedup 0644
    printf '# Let autoremove also take packages that are only suggested by others.\nApt::AutoRemove::SuggestsImportant "false";\n' |
        write_rootfs_file "${root}" /etc/apt/apt.conf.d/docker-autoremove-suggests 0644
    local clean_command='"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true";'
    write_rootfs_file "${root}" /etc/apt/apt.conf.d/docker-clean 0644 <<APT_CONFIG
# Image layers keep whatever apt leaves behind: delete downloaded packages and the binary
# caches after every dpkg run and every update, and never write the binary caches.
DPkg::Post-Invoke { ${clean_command} };
APT::Update::Post-Invoke { ${clean_command} };

Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT_CONFIG
    printf '# Keep downloaded package lists compressed on disk.\nAcquire::GzipIndexes "true";\n' |
        write_rootfs_file "${root}" /etc/apt/apt.conf.d/docker-gzip-indexes 0644
    printf '# Do not download translations of package descriptions.\nAcquire::Languages "none";\n' |
        write_rootfs_file "${root}" /etc/apt/apt.conf.d/docker-no-languages 0644

    # Sources in deb822 form, like the official images, on the host's mirror.
    rm -f "${root}/etc/apt/sources.list"
    {
        printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            "${mirror_uri}" "${release}" "${release}"
        if [[ -n ${security_uri} ]]; then
            printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
                "${security_uri}" "${release}"
        fi
    } | write_rootfs_file "${root}" /etc/apt/sources.list.d/debian.sources 0644

    # TLS from RUN steps: the host's bundle now, and its local CAs for when a RUN step installs
    # ca-certificates (update-ca-certificates rebuilds the bundle from them).
    if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
        install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "${root}/etc/ssl/certs/ca-certificates.crt"
    else
        log "warning: the host has no /etc/ssl/certs/ca-certificates.crt; TLS from RUN steps may fail"
    fi
    local local_certificate
    for local_certificate in /usr/local/share/ca-certificates/*.crt; do
        [[ -f ${local_certificate} ]] || continue
        install -D -m 0644 "${local_certificate}" "${root}/usr/local/share/ca-certificates/$(basename "${local_certificate}")"
    done

    # No apt lists or caches, no host identity, no logs of the bootstrap.
    find "${root}/var/lib/apt/lists" -mindepth 1 -delete
    mkdir -p "${root}/var/lib/apt/lists/partial"
    find "${root}/var/cache/apt" -type f -delete
    rm -f "${root}/etc/resolv.conf" "${root}/etc/hostname"
    : >"${root}/etc/machine-id"
    find "${root}/var/log" -type f -exec truncate -s 0 {} +
    rm -rf "${root}/debootstrap" "${root}/var/cache/ldconfig/aux-cache"
}

build_base_rootfs_tarball() {
    local release=$1 tarball work_directory mirror_uri security_uri
    tarball=$(base_image_tarball "${release}")
    work_directory="${BASE_IMAGE_CACHE}/rootfs-debian-${release}.work"
    mirror_uri=$(debian_mirror_uri) || die "cannot find the Debian mirror in the host's apt sources"
    security_uri=$(debian_security_uri || true)
    require_root "debootstrap"
    ensure_debootstrap
    rm -rf "${work_directory}"
    mkdir -p "${work_directory}"
    log "debootstrap --variant=minbase ${release} (log: ${work_directory}.log)"
    if ! debootstrap --variant=minbase --components=main "${release}" "${work_directory}" "${mirror_uri}" \
        >"${work_directory}.log" 2>&1; then
        tail -n 20 "${work_directory}.log" >&2 || true
        die "debootstrap of ${release} failed; see ${work_directory}.log"
    fi
    shape_rootfs_like_official_image "${work_directory}" "${release}" "${mirror_uri}" "${security_uri}"
    log "packing ${tarball}"
    tar --numeric-owner --xattrs -C "${work_directory}" \
        --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' --exclude='./run/*' --exclude='./tmp/*' \
        -cf "${tarball}.partial" .
    mv -f "${tarball}.partial" "${tarball}"
    rm -rf "${work_directory}"
    # Tarballs of older recipes are never used again.
    local old_tarball
    for old_tarball in "${BASE_IMAGE_CACHE}/rootfs-debian-${release}-recipe"*.tar; do
        [[ -f ${old_tarball} && ${old_tarball} != "${tarball}" ]] && rm -f "${old_tarball}"
    done
    return 0
}

import_base_image() {
    local release=$1 tarball image_id
    tarball=$(base_image_tarball "${release}")
    log "docker import ${tarball} debian:${release}"
    docker import \
        --change 'CMD ["bash"]' \
        --change "ENV PATH=${BASE_IMAGE_PATH}" \
        --message "cachefront local debian:${release} (debootstrap minbase)" \
        "${tarball}" "debian:${release}" >/dev/null || die "docker import of ${tarball} failed"
    image_id=$(docker_image_id "debian:${release}") || die "debian:${release} missing right after import"
    printf '%s %s\n' "${BASE_IMAGE_RECIPE_VERSION}" "${image_id}" >"$(base_image_import_record "${release}")"
}

# base_image_is_current RELEASE: the tag exists and is either foreign (left alone) or was
# imported by this recipe version.
base_image_is_current() {
    local release=$1 image_id record_file recorded_version recorded_id
    image_id=$(docker_image_id "debian:${release}") || return 1
    record_file=$(base_image_import_record "${release}")
    [[ -f ${record_file} ]] || return 0
    read -r recorded_version recorded_id <"${record_file}" || return 0
    [[ ${recorded_id} == "${image_id}" ]] || return 0
    [[ ${recorded_version} == "${BASE_IMAGE_RECIPE_VERSION}" ]]
}

ensure_base_image() {
    local release=$1
    if base_image_is_current "${release}"; then
        log "debian:${release} exists; skipping"
        return 0
    fi
    mkdir -p "${BASE_IMAGE_CACHE}"
    if [[ ! -f $(base_image_tarball "${release}") ]]; then
        build_base_rootfs_tarball "${release}"
    fi
    import_base_image "${release}"
}
