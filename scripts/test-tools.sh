#!/bin/sh
# What `npm test` (and .ci/run) needs besides npm packages: tmux for the end-to-end tests, OpenSSH's
# sshd and ssh-keygen for the SSH test hosts, systemd-journald for their journal (a private one, see
# test/harness/journald.ts), pgbench for load on PostgreSQL, and Debian's daemonless
# `systemctl` for the SSH hosts' units. Missing programs are installed from Debian's packages when this
# runs as root; the daemonless systemctl is downloaded and unpacked into .tmp/systemctl, never
# installed (installing it removes systemd). Otherwise it stops at once with the command to run.
# OPSDECK_SSHD, OPSDECK_TEST_SYSTEMCTL and OPSDECK_NO_INSTALL exist so a test can hide the tools from it.
case $0 in */*) here="${0%/*}" ;; *) here=. ;; esac
root="$(cd "$here/.." && pwd)"
sshd="${OPSDECK_SSHD:-/usr/sbin/sshd}"
# test/harness/systemctl.ts reads it from here.
unpacked="${OPSDECK_TEST_SYSTEMCTL:-$root/.tmp/systemctl}"

missing=""
command -v tmux >/dev/null 2>&1 || missing="$missing tmux"
[ -x "$sshd" ] || missing="$missing openssh-server"
command -v ssh-keygen >/dev/null 2>&1 || missing="$missing openssh-client"
command -v pgbench >/dev/null 2>&1 || missing="$missing postgresql-contrib"
[ -x /lib/systemd/systemd-journald ] || missing="$missing systemd"

can_install() { [ -z "$OPSDECK_NO_INSTALL" ] && command -v apt-get >/dev/null 2>&1; }

if [ -n "$missing" ]; then
  command="apt-get install -y --no-install-recommends$missing"
  if [ "$(id -u)" = 0 ] && can_install; then
    echo "test tools: installing$missing" >&2
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $command -qq >/dev/null; }; then
      echo "test tools: the install failed; run it yourself: $command" >&2
      exit 1
    fi
  else
    echo "test tools: the tests need$missing; install with: sudo $command" >&2
    exit 1
  fi
fi

[ -f "$unpacked/root/usr/bin/systemctl" ] && exit 0
fetch="mkdir -p $unpacked/deb && cd $unpacked/deb && apt-get download systemctl && dpkg -x systemctl_*.deb $unpacked/root"
if ! can_install || ! command -v dpkg >/dev/null 2>&1; then
  echo "test tools: the SSH tests need Debian's daemonless systemctl unpacked (not installed); fetch it with: $fetch" >&2
  exit 1
fi
# Unpacked beside its final place and renamed into it, so no test ever sees half a tree.
work="$unpacked/unpack-$$"
rm -rf "$work" && mkdir -p "$work" || exit 1
download() { (cd "$work" && apt-get download systemctl >/dev/null 2>&1); }
# Without package lists (a fresh machine) the download fails until `apt-get update`, which wants root.
if ! download && ! { [ "$(id -u)" = 0 ] && apt-get update -qq >/dev/null 2>&1 && download; }; then
  rm -rf "$work"
  echo "test tools: apt-get download systemctl failed; fetch it with: $fetch" >&2
  exit 1
fi
dpkg -x "$work"/systemctl_*.deb "$work/root" && rm -rf "$unpacked/root" && mv "$work/root" "$unpacked/root"
status=$?
rm -rf "$work"
[ $status = 0 ] || echo "test tools: unpacking the daemonless systemctl failed; fetch it with: $fetch" >&2
exit $status
