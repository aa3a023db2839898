# Sourced by scripts/serve and scripts/test: make .venv and install latchlike into it.
# Usage: bootstrap_venv [EXTRAS]   (e.g. "test")
set -euo pipefail

APT_LOCK_TIMEOUT_SECONDS="${APT_LOCK_TIMEOUT_SECONDS:-300}"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_get() {
    # apt-get that waits (bounded) while another apt-get or dpkg holds apt's locks, instead
    # of failing at once. DPkg::Lock::Timeout covers dpkg's locks; `update` takes the package
    # lists' lock, which that option does not cover, so a refused lock is tried again.
    local deadline=$((SECONDS + APT_LOCK_TIMEOUT_SECONDS)) output
    while true; do
        if output="$(DEBIAN_FRONTEND=noninteractive as_root apt-get \
            -o DPkg::Lock::Timeout="$APT_LOCK_TIMEOUT_SECONDS" "$@" 2>&1)"; then
            [ -z "$output" ] || printf '%s\n' "$output"
            return 0
        fi
        if ! grep -q "Could not get lock" <<<"$output" || [ "$SECONDS" -ge "$deadline" ]; then
            printf '%s\n' "$output" >&2
            return 1
        fi
        sleep 2
    done
}

apt_install() {
    # Install Debian packages that are missing; quiet when everything is there.
    local missing=()
    for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
    if [ "${#missing[@]}" -gt 0 ]; then
        apt_get update -qq
        apt_get install -y -qq "${missing[@]}"
    fi
}

digest() { cat "$@" | sha256sum | cut -d ' ' -f 1; }

bootstrap_venv() {
    # pip runs only when constraints.txt or pyproject.toml changed since the last install of
    # the same extras: a stamp in .venv keeps their digest. Installing with extras installs
    # the plain package too, so `serve` after `test` installs nothing, and `pip install`
    # never removes an extra's packages, so `test` after `serve` finds what it installed.
    local extras="${1:-}"
    local python="${PYTHON:-python3}"
    if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        apt_install python3-venv
    fi
    if [ ! -x .venv/bin/python ]; then
        "$python" -m venv .venv
    fi
    local target="." stamp=".venv/.latchlike-installed" wanted
    if [ -n "$extras" ]; then
        target=".[$extras]"
        stamp="$stamp-$extras"
    fi
    wanted="$(digest constraints.txt pyproject.toml)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
        return 0
    fi
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -c constraints.txt -e "$target"
    echo "$wanted" >"$stamp"
    echo "$wanted" >.venv/.latchlike-installed
}

bootstrap_s3_server() {
    # nanio, an S3 protocol server that keeps objects on disk and checks signatures, for
    # the store tests. Its own venv keeps its web stack apart from latchlike's; installed
    # again only when constraints-s3.txt changed.
    local python="${PYTHON:-python3}" wanted
    if [ ! -x .venv-s3/bin/python ]; then
        "$python" -m venv .venv-s3
    fi
    wanted="$(digest constraints-s3.txt)"
    if [ -f .venv-s3/.nanio-installed ] && [ "$(cat .venv-s3/.nanio-installed)" = "$wanted" ]; then
        return 0
    fi
    .venv-s3/bin/python -m pip install -q -c constraints-s3.txt nanio
    echo "$wanted" >.venv-s3/.nanio-installed
}
