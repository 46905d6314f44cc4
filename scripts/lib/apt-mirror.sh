# shellcheck shell=bash
# Finds the Debian mirror the machine's apt already uses, so nothing in the repository names
# a mirror host. Input: /etc/apt/sources.list.d/*.sources (deb822) and /etc/apt/sources.list.
# Output: URIs on stdout. Invariant: prints exactly one URI or fails (non-zero, nothing printed).

# apt_source_entries: prints "URI SUITE" for every enabled `deb` entry, deb822 files first.
apt_source_entries() {
    local file
    for file in /etc/apt/sources.list.d/*.sources; do
        [[ -f ${file} ]] || continue
        awk '
            function flush() {
                if (types ~ /(^| )deb( |$)/ && enabled != "no") {
                    uri_count = split(uris, uri_list, " ")
                    suite_count = split(suites, suite_list, " ")
                    for (u = 1; u <= uri_count; u++)
                        for (s = 1; s <= suite_count; s++)
                            print uri_list[u], suite_list[s]
                }
                types = ""; uris = ""; suites = ""; enabled = ""
            }
            /^[[:space:]]*#/ { next }
            /^[[:space:]]*$/ { flush(); next }
            {
                field = tolower($1); sub(/:$/, "", field)
                value = $0; sub(/^[^:]*:[[:space:]]*/, "", value)
                if (field == "types") types = value
                else if (field == "uris") uris = value
                else if (field == "suites") suites = value
                else if (field == "enabled") enabled = tolower(value)
            }
            END { flush() }
        ' "${file}"
    done
    local list_file
    for list_file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f ${list_file} ]] || continue
        # "deb [options] URI SUITE COMPONENTS...": drop the optional [ ... ] block.
        sed -e 's/#.*//' -e 's/\[[^]]*\]//' "${list_file}" | awk '$1 == "deb" && NF >= 3 { print $2, $3 }'
    done
}

host_debian_codename() {
    local codename=""
    if [[ -r /etc/os-release ]]; then
        codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
    fi
    [[ -n ${codename} ]] || return 1
    printf '%s\n' "${codename}"
}

# debian_mirror_uri: the URI serving the host's own release (e.g. bookworm), without a
# trailing slash.
debian_mirror_uri() {
    local codename uri
    codename=$(host_debian_codename) || return 1
    uri=$(apt_source_entries | awk -v suite="${codename}" '$2 == suite { print $1; exit }')
    [[ -n ${uri} ]] || return 1
    printf '%s\n' "${uri%/}"
}

# debian_security_uri: the URI serving "<codename>-security", if the host has one.
debian_security_uri() {
    local codename uri
    codename=$(host_debian_codename) || return 1
    uri=$(apt_source_entries | awk -v suite="${codename}-security" '$2 == suite { print $1; exit }')
    [[ -n ${uri} ]] || return 1
    printf '%s\n' "${uri%/}"
}
