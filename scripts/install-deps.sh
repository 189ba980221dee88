#!/bin/sh
# Installs the Debian packages layerwarp builds and runs with (and that its
# tests use: man-db and bash-completion), when any is missing.  Root runs
# apt-get directly; others go through sudo if it exists.
# Prints what it installs.  Extra package names on the command line (the
# bench target passes the Python baselines' packages) are installed too.
set -eu

PACKAGES="build-essential pkg-config libcairo2-dev libgsl-dev libpng-dev \
libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libavfilter-dev \
libinih-dev libssl-dev libxxhash-dev libfontconfig-dev libcsv-dev libzip-dev libjson-c-dev scdoc man-db bash-completion \
fonts-dejavu-core $*"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "install-deps: all build dependencies are present"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-deps: missing:$missing; run this script as root (no sudo here)" >&2
    exit 1
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"
