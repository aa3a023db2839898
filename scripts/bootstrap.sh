# Sourced by scripts/serve and scripts/test: make .venv and install latchlike into it.
# Usage: bootstrap_venv [EXTRAS]   (e.g. "test")
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
    # Install Debian packages that are missing; quiet when everything is there.
    local missing=()
    for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
    if [ "${#missing[@]}" -gt 0 ]; then
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}"
    fi
}

bootstrap_venv() {
    local extras="${1:-}"
    local python="${PYTHON:-python3}"
    if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        apt_install python3-venv
    fi
    if [ ! -x .venv/bin/python ]; then
        "$python" -m venv .venv
    fi
    local target="."
    [ -n "$extras" ] && target=".[$extras]"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -c constraints.txt -e "$target"
}

bootstrap_s3_server() {
    # nanio, an S3 protocol server that keeps objects on disk and checks signatures, for
    # the store tests. Its own venv keeps its web stack apart from latchlike's.
    local python="${PYTHON:-python3}"
    if [ ! -x .venv-s3/bin/python ]; then
        "$python" -m venv .venv-s3
    fi
    .venv-s3/bin/python -m pip install -q -c constraints-s3.txt nanio
}
