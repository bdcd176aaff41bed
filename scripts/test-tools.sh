#!/bin/sh
# What `npm test` (and .ci/run) needs besides npm packages: tmux for the end-to-end tests, OpenSSH's
# sshd and ssh-keygen for the SSH test hosts, systemd-journald for their journal (a private one, see
# test/harness/journald.ts), pgbench for load on PostgreSQL, Debian's daemonless `systemctl` for the
# SSH hosts' units, and Prometheus, node_exporter and Alertmanager for the metrics and alert sources.
# Missing programs are installed from Debian's packages when this runs as root; the daemonless
# systemctl is downloaded and unpacked into .tmp/systemctl, never installed (installing it removes
# systemd), and the Prometheus parts into .tmp/prometheus (their postinst scripts expect systemd).
# Otherwise it stops at once with the command to run. OPSDECK_SSHD, OPSDECK_TEST_SYSTEMCTL,
# OPSDECK_TEST_PROMETHEUS and OPSDECK_NO_INSTALL exist so a test can hide the tools from it.
case $0 in */*) here="${0%/*}" ;; *) here=. ;; esac
root="$(cd "$here/.." && pwd)"
sshd="${OPSDECK_SSHD:-/usr/sbin/sshd}"
# test/harness/systemctl.ts reads it from here.
unpacked="${OPSDECK_TEST_SYSTEMCTL:-$root/.tmp/systemctl}"
# test/harness/prometheus.ts reads them from here.
prometheus="${OPSDECK_TEST_PROMETHEUS:-$root/.tmp/prometheus}"

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

# Unpacks Debian packages (downloaded, never installed) into DIR/root: unpack WHAT DIR CHECK PACKAGE...
# WHAT names them in messages, CHECK is a file under DIR/root that is there once done.
unpack() {
  what=$1 dir=$2 check=$3
  shift 3
  [ -f "$dir/root/$check" ] && return 0
  fetch="mkdir -p $dir/deb && cd $dir/deb && apt-get download $* && for deb in *.deb; do dpkg -x \$deb $dir/root; done"
  [ $# = 1 ] && fetch="mkdir -p $dir/deb && cd $dir/deb && apt-get download $1 && dpkg -x $1_*.deb $dir/root"
  if ! can_install || ! command -v dpkg >/dev/null 2>&1; then
    echo "test tools: $what unpacked (not installed); fetch it with: $fetch" >&2
    return 1
  fi
  # Unpacked beside its final place and renamed into it, so no test ever sees half a tree.
  work="$dir/unpack-$$"
  rm -rf "$work" && mkdir -p "$work" || return 1
  # Without package lists (a fresh machine) the download fails until `apt-get update`, which wants root.
  if ! download "$work" "$@" && ! { [ "$(id -u)" = 0 ] && apt-get update -qq >/dev/null 2>&1 && download "$work" "$@"; }; then
    rm -rf "$work"
    echo "test tools: apt-get download $* failed; fetch it with: $fetch" >&2
    return 1
  fi
  status=0
  for deb in "$work"/*.deb; do dpkg -x "$deb" "$work/root" || status=1; done
  [ $status = 0 ] && rm -rf "$dir/root" && mv "$work/root" "$dir/root" || status=1
  rm -rf "$work"
  [ $status = 0 ] || echo "test tools: unpacking $* failed; fetch it with: $fetch" >&2
  return $status
}
download() { (work=$1 && shift && cd "$work" && apt-get download "$@" >/dev/null 2>&1); }

unpack "the SSH tests need Debian's daemonless systemctl" "$unpacked" usr/bin/systemctl systemctl || exit 1
# Prometheus, node_exporter and Alertmanager for the metrics and alert sources' tests
# (test/harness/prometheus.ts): their postinst scripts expect systemd, so they are unpacked too.
unpack "the Prometheus tests need Debian's prometheus, prometheus-node-exporter and prometheus-alertmanager" "$prometheus" usr/bin/prometheus-alertmanager \
  prometheus prometheus-node-exporter prometheus-alertmanager || exit 1
# Debian's Alertmanager reads its notification templates from this fixed path (no flag moves it),
# where the package would have put them: the templates alone are copied there, nothing else.
templates=/usr/share/prometheus/alertmanager
if [ ! -f "$templates/default.tmpl" ] || [ ! -f "$templates/email.tmpl" ]; then
  if [ "$(id -u)" = 0 ] && can_install; then
    mkdir -p "$templates" && cp "$prometheus/root$templates"/*.tmpl "$templates/" || exit 1
  else
    echo "test tools: Alertmanager needs its templates in $templates; copy them with: sudo mkdir -p $templates && sudo cp $prometheus/root$templates/*.tmpl $templates/" >&2
    exit 1
  fi
fi
