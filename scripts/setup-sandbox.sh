#!/usr/bin/env bash
# Makes bubblewrap usable for cosplay's execution engine, then proves it with a preflight run.
# Run it with sudo (the action does, on GitHub's Ubuntu runners):  sudo bash scripts/setup-sandbox.sh
#
# 1. installs bubblewrap when missing (apt-get, dnf or apk);
# 2. if the preflight fails because AppArmor restricts unprivileged user namespaces (Ubuntu 23.10+, including
#    the ubuntu-24.04 runners), loads an AppArmor profile that lets /usr/bin/bwrap (only) create them;
# 3. if that is not enough, falls back to `sysctl kernel.apparmor_restrict_unprivileged_userns=0`;
# 4. runs the preflight as the user who will run the engine (SUDO_USER, or COSPLAY_SANDBOX_USER), with the
#    same namespaces, mounts and capabilities the engine uses, and exits non-zero with a diagnosis if it fails.
set -euo pipefail

say() { echo "setup-sandbox: $*"; }
die() {
  echo "setup-sandbox: $*" >&2
  exit 1
}

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "run me as root or install sudo"
  SUDO="sudo"
fi
TARGET_USER="${COSPLAY_SANDBOX_USER:-${SUDO_USER:-$(id -un)}}"

# ---------------------------------------------------------------------------------------------- install
if ! command -v bwrap >/dev/null 2>&1; then
  say "installing bubblewrap"
  if command -v apt-get >/dev/null 2>&1; then
    $SUDO apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq bubblewrap >/dev/null
  elif command -v dnf >/dev/null 2>&1; then
    $SUDO dnf install -y -q bubblewrap
  elif command -v apk >/dev/null 2>&1; then
    $SUDO apk add --quiet bubblewrap
  else
    die "bubblewrap is missing and no known package manager is available; install bubblewrap yourself"
  fi
fi
BWRAP="$(command -v bwrap)"
BWRAP_REAL="$(readlink -f "$BWRAP")"
VERSION="$("$BWRAP" --version 2>/dev/null | grep -Eo '[0-9]+\.[0-9]+(\.[0-9]+)?' | head -n1 || true)"
[ -n "$VERSION" ] || die "$BWRAP does not run"
MAJOR="${VERSION%%.*}"
MINOR="$(echo "$VERSION" | cut -d. -f2)"

# ---------------------------------------------------------------------------------------------- preflight
# The engine's sandbox: new pid/net/ipc/uts namespaces (and a user namespace when unprivileged), no
# capabilities, read-only /usr, fresh /proc, /dev and /tmp, empty environment.
preflight_args() {
  local args=(--unshare-pid --unshare-net --unshare-ipc --unshare-uts --unshare-cgroup-try
    --die-with-parent --new-session --cap-drop ALL)
  if [ "$1" != "root" ]; then
    args+=(--unshare-user)
    if [ "$MAJOR" -gt 0 ] || [ "$MINOR" -ge 8 ]; then args+=(--disable-userns); fi
  fi
  args+=(--ro-bind /usr /usr)
  local d
  for d in /bin /sbin /lib /lib32 /lib64 /libx32; do
    if [ -L "$d" ]; then
      args+=(--symlink "$(readlink "$d")" "$d")
    elif [ -d "$d" ]; then
      args+=(--ro-bind "$d" "$d")
    fi
  done
  args+=(--proc /proc --dev /dev --tmpfs /tmp --chdir /tmp --clearenv --setenv PATH /usr/bin:/bin)
  printf '%s\n' "${args[@]}"
}

LAST_ERROR=""
preflight() {
  local mode="user" args
  [ "$TARGET_USER" = "root" ] && mode="root"
  mapfile -t args < <(preflight_args "$mode")
  # Inside: no home, no workspace, no host /etc, no network, and /tmp is writable.
  local probe='test ! -e /home && test ! -e /etc/passwd && test ! -e /root/.ssh && touch /tmp/ok && ! (exec 3<>/dev/tcp/127.0.0.1/22) 2>/dev/null; exit $?'
  local shell=/usr/bin/sh
  [ -x /usr/bin/bash ] && shell=/usr/bin/bash
  local cmd=("$BWRAP" "${args[@]}" "$shell" -c "$probe")
  if [ "$mode" = "root" ] || [ "$(id -un)" = "$TARGET_USER" ]; then
    LAST_ERROR="$("${cmd[@]}" 2>&1)" && return 0
  elif command -v runuser >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    LAST_ERROR="$(runuser -u "$TARGET_USER" -- "${cmd[@]}" 2>&1)" && return 0
  else
    LAST_ERROR="$($SUDO -u "$TARGET_USER" "${cmd[@]}" 2>&1)" && return 0
  fi
  return 1
}

if preflight; then
  say "ok: bubblewrap $VERSION works for user $TARGET_USER"
  exit 0
fi
say "the preflight failed: ${LAST_ERROR:-no message}"

# ---------------------------------------------------------------------------------------------- AppArmor
RESTRICT=/proc/sys/kernel/apparmor_restrict_unprivileged_userns
if [ -r "$RESTRICT" ] && [ "$(cat "$RESTRICT")" = "1" ] && command -v apparmor_parser >/dev/null 2>&1 &&
  [ -d /etc/apparmor.d ]; then
  PROFILE=/etc/apparmor.d/cosplay-bwrap
  say "AppArmor restricts user namespaces; loading $PROFILE for $BWRAP_REAL"
  $SUDO tee "$PROFILE" >/dev/null <<EOF
# Written by cosplay-action scripts/setup-sandbox.sh: lets bubblewrap (only) create the user namespace of its
# sandbox on systems with kernel.apparmor_restrict_unprivileged_userns=1. Processes inside the sandbox get no
# capabilities (bwrap drops them and sets no_new_privs).
abi <abi/4.0>,
include <tunables/global>

profile cosplay-bwrap $BWRAP_REAL flags=(unconfined) {
  userns,

  include if exists <local/cosplay-bwrap>
}
EOF
  if $SUDO apparmor_parser -r "$PROFILE" 2>/dev/null && preflight; then
    say "ok: bubblewrap $VERSION works for user $TARGET_USER (AppArmor profile cosplay-bwrap)"
    exit 0
  fi
  say "the AppArmor profile was not enough: ${LAST_ERROR:-no message}"
fi

# ---------------------------------------------------------------------------------------------- sysctl
changed=0
if [ -w "$RESTRICT" ] || { [ -r "$RESTRICT" ] && [ -n "$SUDO" ]; }; then
  if [ "$(cat "$RESTRICT")" = "1" ]; then
    say "falling back to sysctl kernel.apparmor_restrict_unprivileged_userns=0"
    $SUDO sysctl -q -w kernel.apparmor_restrict_unprivileged_userns=0 && changed=1
  fi
fi
if [ -r /proc/sys/kernel/unprivileged_userns_clone ] && [ "$(cat /proc/sys/kernel/unprivileged_userns_clone)" = "0" ]; then
  say "enabling kernel.unprivileged_userns_clone"
  $SUDO sysctl -q -w kernel.unprivileged_userns_clone=1 && changed=1
fi
if [ -r /proc/sys/user/max_user_namespaces ] && [ "$(cat /proc/sys/user/max_user_namespaces)" = "0" ]; then
  say "raising user.max_user_namespaces"
  $SUDO sysctl -q -w user.max_user_namespaces=15000 && changed=1
fi
if [ "$changed" = 1 ] && preflight; then
  say "ok: bubblewrap $VERSION works for user $TARGET_USER (sysctl)"
  exit 0
fi

die "bubblewrap cannot create its sandbox here (${LAST_ERROR:-no message}). Inside Docker, start the container with
  --security-opt seccomp=unconfined --security-opt apparmor=unconfined (or --privileged); otherwise run cosplay
  with 'sandbox: none' only if you accept running generated code without isolation."
