#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are not installed yet (apt-get, as
# root or through sudo), without their recommended packages (with them, the setup's list pulls
# in Qt, GTK, video drivers and GDAL: 35 more packages that nothing here uses). Installs
# nothing, and touches no network, when all are present.
#   bash scripts/install_packages.sh g++ cmake ...
set -euo pipefail
missing=()
for package in "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
((${#missing[@]})) || exit 0
echo "install_packages: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
