#!/bin/sh
# What `npm test` (and .ci/run) needs besides npm packages: tmux for the end-to-end tests, OpenSSH's
# sshd and ssh-keygen for the SSH test hosts, systemd-journald for their journal (a private one, see
# test/harness/journald.ts), pgbench for load on PostgreSQL. Missing ones are
# installed from Debian's packages when this runs as root; otherwise it stops at once with the one
# command to run. OPSDECK_SSHD and OPSDECK_NO_INSTALL exist so a test can hide the tools from it.
sshd="${OPSDECK_SSHD:-/usr/sbin/sshd}"
missing=""
command -v tmux >/dev/null 2>&1 || missing="$missing tmux"
[ -x "$sshd" ] || missing="$missing openssh-server"
command -v ssh-keygen >/dev/null 2>&1 || missing="$missing openssh-client"
command -v pgbench >/dev/null 2>&1 || missing="$missing postgresql-contrib"
[ -x /lib/systemd/systemd-journald ] || missing="$missing systemd"
[ -z "$missing" ] && exit 0

command="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ] && [ -z "$OPSDECK_NO_INSTALL" ] && command -v apt-get >/dev/null 2>&1; then
  echo "test tools: installing$missing" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $command -qq >/dev/null && exit 0
  echo "test tools: the install failed; run it yourself: $command" >&2
  exit 1
fi
echo "test tools: the tests need$missing; install with: sudo $command" >&2
exit 1
