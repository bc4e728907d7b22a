#!/usr/bin/env bash
# System packages the test suite and the benchmarks need that neither pip nor npm provide.
#
# - chromium (Debian) renders the design document's Mermaid ER diagrams to SVG through
#   @mermaid-js/mermaid-cli (puppeteer is told not to download a browser of its own; see
#   puppeteer-config.json).
# - wrk (Debian) is the load generator of `nox -s bench`.
#
# Idempotent and quiet: it installs only what is missing and does nothing when all is present.
# `install-system-deps.sh bench` installs only what the benchmarks need; no argument installs everything.
set -euo pipefail

declare -A BINARY=([chromium]=/usr/bin/chromium [wrk]=/usr/bin/wrk)
case "${1:-all}" in
    all) WANTED=(chromium wrk) ;;
    tests) WANTED=(chromium) ;;
    bench) WANTED=(wrk) ;;
    *) echo "usage: install-system-deps.sh [all|tests|bench]" >&2; exit 1 ;;
esac

MISSING=()
for package in "${WANTED[@]}"; do
    if [ ! -x "${BINARY[$package]}" ]; then
        MISSING+=("$package")
    fi
done
if [ "${#MISSING[@]}" -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
else
    echo "install-system-deps: ${MISSING[*]} missing and this user cannot run apt-get" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-system-deps: installing ${MISSING[*]} (Debian packages)" >&2
"${SUDO[@]}" apt-get update -qq >/dev/null
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${MISSING[@]}" >/dev/null
for package in "${MISSING[@]}"; do
    test -x "${BINARY[$package]}"
done
