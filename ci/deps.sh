#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests and the independent
# peers need. Idempotent: does nothing when all are present; otherwise runs
# `apt-get update` once and installs only what is missing.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config clang-14 libclang-rt-14-dev
  llvm-14 clang-format clang-tidy
  # libraries
  libpcap-dev libgtest-dev libgmock-dev librapidcheck-dev nlohmann-json3-dev
  libbenchmark-dev libssl-dev
  # independent peers and decoders
  libxml2-utils tshark tcpdump libiscsi-bin tgt qemu-utils qemu-block-extra qemu-system-x86 socat python3-jsonschema
  # compressed captures are read through these
  xz-utils gzip
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=()
if [[ $(id -u) != 0 ]]; then
  command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | "${SUDO[@]}" debconf-set-selections
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
