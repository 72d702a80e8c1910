#!/bin/sh
# Installs the Debian packages pxos builds with, when any is missing.
# Used by `make demo`, `make test` and CI; a no-op on a machine that has them.
set -eu

PACKAGES="cmake ninja-build g++ make ccache zlib1g-dev libcli11-dev libyaml-cpp-dev
nlohmann-json3-dev libspdlog-dev libfmt-dev catch2 tmux libsdl2-dev libdeflate-dev git man-db"
# git: the README test copies the checkout's files (git ls-files); man-db: the
# install test reads the generated pxos.1 with man -l.
# `scripts/setup.sh fuzz` (make fuzz) also needs clang for libFuzzer.
if [ "${1:-}" = "fuzz" ]; then
    PACKAGES="$PACKAGES clang-14"
fi

missing=""
for package in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $package"
    fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "pxos setup: missing packages:$missing; install them with your package manager (pxos expects Debian 12)" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
echo "pxos setup: installing$missing" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
