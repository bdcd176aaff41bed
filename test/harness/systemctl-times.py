# Runs the daemonless systemctl (argv[1], then its arguments) and, for a plain `show`, adds the
# timestamps systemd 252 prints and the daemonless one does not: for each active unit with a MainPID,
# ActiveEnterTimestamp, InactiveExitTimestamp and StateChangeTimestamp as "%a %Y-%m-%d %H:%M:%S %Z" in
# the zone of this process's environment (TZ), as systemd formats them, and their *Monotonic twins in
# microseconds since boot. The unit became active when its main process started (/proc/PID/stat).
import contextlib
import io
import os
import runpy
import sys
import time

real, args = sys.argv[1], sys.argv[2:]
sys.argv = [real] + args
if "show" not in args or any(a == "-p" or a.startswith("--property") or (a.startswith("-p") and len(a) > 2) for a in args):
    runpy.run_path(real, run_name="__main__")
    sys.exit(0)

# Run in this interpreter, its output caught: a second Python start costs more than the show itself.
captured = io.StringIO()
code = 0
with contextlib.redirect_stdout(captured):
    try:
        runpy.run_path(real, run_name="__main__")
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
output = captured.getvalue()


def boot_time():
    with open("/proc/stat") as stat:
        for line in stat:
            if line.startswith("btime "):
                return int(line.split()[1])
    raise RuntimeError("no btime in /proc/stat")


def started_since_boot(pid):
    """Seconds from boot to the start of pid (field 22 of /proc/PID/stat, in clock ticks)."""
    with open("/proc/%d/stat" % pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[19]) / os.sysconf("SC_CLK_TCK")


def with_times(block):
    props = dict(line.split("=", 1) for line in block.split("\n") if "=" in line)
    pid = int(props.get("MainPID") or 0)
    if props.get("ActiveState") != "active" or pid <= 0:
        return block
    try:
        since_boot = started_since_boot(pid)
    except OSError:
        return block
    wall = time.strftime("%a %Y-%m-%d %H:%M:%S %Z", time.localtime(boot_time() + since_boot))
    monotonic = str(int(since_boot * 1_000_000))
    extra = []
    for name in ("InactiveExitTimestamp", "ActiveEnterTimestamp", "StateChangeTimestamp"):
        extra += [name + "=" + wall, name + "Monotonic=" + monotonic]
    return "\n".join([block] + extra)


blocks = output.rstrip("\n").split("\n\n")
sys.stdout.write("\n\n".join(with_times(b) for b in blocks) + ("\n" if output.endswith("\n") else ""))
sys.exit(code)
