#!/usr/bin/env bash
# Runs the README's test command (or any command) on a fresh Debian release from this Debian
# machine, as root: builds a minimal root of that release with debootstrap, copies the project
# into it as a fresh clone of this checkout's HEAD, mounts proc, sys and dev, and runs the
# command there in a chroot. Debian 13 (trixie: LibTorch 2.6, Catch2 3, GCC 14) by default, which
# CI runs; Debian 12 (bookworm: LibTorch 1.13, Catch2 2, GCC 12) with --suite bookworm.
#
#   bash scripts/debian_root.sh                        # bash scripts/test.sh on a new trixie
#   bash scripts/debian_root.sh -- bash scripts/setup.sh   # any command, in the project's copy
#   bash scripts/debian_root.sh --suite bookworm
#   AEBENCH_ROOT_WORKTREE=1 AEBENCH_ROOT_KEEP=1 bash scripts/debian_root.sh   # iterate
#
# Everything lives under AEBENCH_ROOT_DIR (default build/debian-SUITE of this checkout):
#   SUITE.tgz   debootstrap's package download, kept: later roots are unpacked from it
#               without touching the network (delete it to fetch newer packages)
#   archives/   the root's apt package cache, kept across roots (bind-mounted; with
#               AEBENCH_ROOT_APT_CACHE=0 the root downloads every package, as a new machine does)
#   root/       the root; made anew by every run (AEBENCH_ROOT_KEEP=1 keeps one that finished
#               building and only refreshes the project's copy in it)
# The mirror is the host's first Debian source (or AEBENCH_DEBIAN_MIRROR); the root gets the
# main, contrib and non-free components, so that contrib's libtorch-cuda-dev can be tried
# (scripts/build_cuda.sh).
# Exit status: the command's; 2 for a usage error; 3 when the root cannot be built.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
project=$(pwd)

usage() {
  echo "usage: bash scripts/debian_root.sh [--suite trixie|bookworm] [-- COMMAND...]" >&2
  exit 2
}
suite=trixie
command=(bash scripts/test.sh)
while (($#)); do
  case "$1" in
    --suite) (($# >= 2)) || usage; suite=$2; shift 2 ;;
    --) shift; (($#)) && command=("$@"); break ;;
    *) usage ;;
  esac
done
case "$suite" in trixie | bookworm) ;; *) echo "debian_root: --suite: expected trixie or bookworm, found '$suite'" >&2; exit 2 ;; esac
[ "$(id -u)" -eq 0 ] || { echo "debian_root: must run as root (debootstrap, chroot, mount)" >&2; exit 2; }

work=$(realpath -m "${AEBENCH_ROOT_DIR:-build/debian-$suite}")
root=$work/root
tarball=$work/$suite.tgz
archives=$work/archives
inside=/work/aebench   # the project's copy, inside the root

host_mirror() {
  local uri
  uri=$(grep -rhsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
          /etc/apt/sources.list.d/*.list 2>/dev/null |
        grep -m1 -oE 'https?://[^ ]*/debian/?( |$)' || true)
  echo "${uri%% *}"
}
mirror=${AEBENCH_DEBIAN_MIRROR:-$(host_mirror)}
[ -n "$mirror" ] || { echo "debian_root: no Debian mirror in /etc/apt; set AEBENCH_DEBIAN_MIRROR" >&2; exit 3; }

mounted_below() {  # mount points at or below $1, deepest first
  awk -v root="$1" '$2 == root || index($2, root "/") == 1 { print $2 }' /proc/self/mounts | sort -r
}

# Processes left running inside the root (a test's daemons) would keep its mounts busy.
stop_root_processes() {
  local pid link
  for link in /proc/[0-9]*/root; do
    pid=${link#/proc/}; pid=${pid%/root}
    [ "$(readlink "$link" 2>/dev/null)" = "$root" ] && kill -KILL "$pid" 2>/dev/null || true
  done
}

unmount_root() {
  stop_root_processes
  local point
  for point in $(mounted_below "$root"); do
    umount "$point" 2>/dev/null || umount -l "$point"
  done
}
trap unmount_root EXIT

install_package_tools() {
  command -v debootstrap >/dev/null && [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] ||
    bash scripts/install_packages.sh debootstrap debian-archive-keyring
}

fetch_tarball() {
  [ -s "$tarball" ] && return
  echo "debian_root: downloading Debian $suite base packages from $mirror"
  local scratch=$work/scratch
  rm -rf --one-file-system "$scratch"
  debootstrap --variant=minbase --include=ca-certificates,git --make-tarball="$tarball.part" \
    "$suite" "$scratch" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; echo "debian_root: debootstrap --make-tarball failed" >&2; exit 3; }
  rm -rf --one-file-system "$scratch"
  mv "$tarball.part" "$tarball"
}

build_root() {
  unmount_root
  [ -z "$(mounted_below "$root")" ] || { echo "debian_root: $root still has mounts" >&2; exit 3; }
  rm -rf --one-file-system "$root"
  echo "debian_root: unpacking the Debian $suite root into $root"
  debootstrap --variant=minbase --include=ca-certificates,git --unpack-tarball="$tarball" \
    "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; echo "debian_root: debootstrap failed" >&2; exit 3; }
  cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror $suite main contrib non-free non-free-firmware
deb $mirror $suite-updates main contrib non-free non-free-firmware
EOF
  touch "$root/.aebench-root-complete"
}

mount_root() {
  mkdir -p "$archives" "$root/var/cache/apt/archives"
  mount -t proc proc "$root/proc"
  mount -t sysfs sysfs "$root/sys"
  # The host's control groups, read-only, as a booted Debian has them: Slurm's slurmd will not
  # start without a cgroup file system. Read-only binds: nothing in (or deleting) the root can
  # change the host's.
  if mountpoint -q /sys/fs/cgroup; then
    mount --rbind /sys/fs/cgroup "$root/sys/fs/cgroup"
    mount --make-rslave "$root/sys/fs/cgroup"
    local point
    for point in $(mounted_below "$root/sys/fs/cgroup" | sort); do
      mount -o remount,bind,ro "$point"
    done
  fi
  # A /dev of its own, not the host's bound in: a root left mounted (the script killed) and
  # then deleted by `rm -rf` could otherwise remove the host's device nodes. Bound files and
  # fresh instances cannot be unlinked through the root.
  mount -t tmpfs -o mode=755,size=1m devices "$root/dev"
  local node
  for node in null zero full random urandom tty; do
    touch "$root/dev/$node"
    mount --bind "/dev/$node" "$root/dev/$node"
  done
  mkdir -p "$root/dev/pts" "$root/dev/shm"
  mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$root/dev/pts"
  ln -s pts/ptmx "$root/dev/ptmx"
  mount -t tmpfs -o mode=1777 shm "$root/dev/shm"
  ln -s /proc/self/fd "$root/dev/fd"
  ln -s /proc/self/fd/0 "$root/dev/stdin"
  ln -s /proc/self/fd/1 "$root/dev/stdout"
  ln -s /proc/self/fd/2 "$root/dev/stderr"
  [ "${AEBENCH_ROOT_APT_CACHE:-1}" = 0 ] || mount --bind "$archives" "$root/var/cache/apt/archives"
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  # This machine's own certificate authorities (a TLS-inspecting proxy's, say) are the root's
  # too, as they would be on a Debian machine set up here; npm reaches its registry over TLS.
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    mkdir -p "$root/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    chroot "$root" update-ca-certificates >/dev/null 2>&1 ||
      { echo "debian_root: update-ca-certificates failed in the root" >&2; exit 3; }
  fi
}

# The host's variables that say how to reach the network and which certificates to trust.
passed_environment() {
  local name
  for name in NODE_EXTRA_CA_CERTS SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE GIT_SSL_CAINFO \
              http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    [ -n "${!name:-}" ] && printf '%s=%s\n' "$name" "${!name}"
  done
  return 0
}

# The project as a fresh clone of HEAD, as CI clones it (no build folder, no data, no caches);
# with AEBENCH_ROOT_WORKTREE=1, uncommitted changes and new files too (to try them first).
copy_project() {
  rm -rf --one-file-system "$root$inside"
  mkdir -p "$(dirname "$root$inside")"
  git clone --quiet --no-hardlinks "$project" "$root$inside"
  if [ "${AEBENCH_ROOT_WORKTREE:-0}" = 1 ]; then
    git ls-files -z --cached --others --exclude-standard |
      tar -C "$project" --null -T - -cf - | tar -C "$root$inside" -xf -
  fi
}

mkdir -p "$work"
install_package_tools
fetch_tarball
if [ "${AEBENCH_ROOT_KEEP:-0}" = 1 ] && [ -f "$root/.aebench-root-complete" ]; then
  unmount_root
else
  build_root
fi
mount_root
copy_project
echo "debian_root: running '${command[*]}' in $inside on Debian $(cat "$root/etc/debian_version")"
mapfile -t environment < <(passed_environment)
status=0
chroot "$root" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" CI="${CI:-}" "${environment[@]}" \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  bash -c 'cd "$1" && shift && exec "$@"' debian_root "$inside" "${command[@]}" || status=$?
echo "debian_root: '${command[*]}' exited with $status"
exit "$status"
