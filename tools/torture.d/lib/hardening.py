"""Helpers for the input-safety torture scenarios (50-downlink-flood, 60-profile-fuzz).

Everything runs on 127.0.0.1 in TORTURE_WORK; every process started here is stopped by PID.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time

BIN = os.environ.get("TORTURE_BIN", "")
WORK = os.environ.get("TORTURE_WORK") or subprocess.check_output(["mktemp", "-d"], text=True).strip()
REPO = os.environ.get("TORTURE_REPO", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))
MODE = os.environ.get("TORTURE_MODE", "quick")
GRIDLINKD = os.path.join(BIN, "gridlinkd")
GRIDLINKCTL = os.path.join(BIN, "gridlinkctl")

_children = []


def log(message):
    print(message, file=sys.stderr, flush=True)


def row(**fields):
    base = {"fault": None, "does": None, "stored": None, "delivered": None, "lost": None,
            "duplicated": None, "recover_s": None, "ok": False, "notes": ""}
    base.update(fields)
    print(json.dumps(base), flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(args, log_path):
    out = open(log_path, "ab")
    process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    _children.append(process)
    return process


def stop(process, sig=signal.SIGTERM, timeout=10):
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def stop_all(*_):
    for process in reversed(_children):
        stop(process, timeout=5)


def start_mosquitto():
    port = free_port()
    conf = os.path.join(WORK, "mosquitto.conf")
    lines = [f"listener {port} 127.0.0.1", "allow_anonymous true", "persistence false", "max_queued_messages 100000"]
    if os.geteuid() == 0:
        lines.append("user root")
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n")
    process = spawn(["mosquitto", "-c", conf], os.path.join(WORK, "mosquitto.log"))
    deadline = time.time() + 5
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("mosquitto did not listen")


def ctl(args, config, timeout=30):
    return subprocess.run([GRIDLINKCTL] + args + ["--config", config], capture_output=True, text=True, timeout=timeout)
