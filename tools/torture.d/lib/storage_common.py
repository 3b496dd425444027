"""Shared by the tools/torture.d/20-storage-* scenarios (not executable: the driver skips it).

Starts a mosquitto, a recording subscriber (mosquitto_sub, persistent session) and gridlinkd on
free loopback ports inside TORTURE_WORK, and stops them by PID at exit.
"""
import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import time

WORK = os.environ.get("TORTURE_WORK") or sys.exit("TORTURE_WORK is not set")
BIN = os.environ.get("TORTURE_BIN") or sys.exit("TORTURE_BIN is not set")
MODE = os.environ.get("TORTURE_MODE", "quick")
_children = []


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def _stop_all():
    for proc in reversed(_children):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


atexit.register(_stop_all)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(args, log_path):
    proc = subprocess.Popen(args, stdout=open(log_path, "ab"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    _children.append(proc)
    return proc


class Broker:
    def __init__(self):
        self.port = free_port()
        self.dir = os.path.join(WORK, "broker")
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        with open(self.conf, "w") as f:
            f.write(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
                    f"persistence_location {self.dir}/\nmax_queued_messages 0\n")
        self.proc = None

    def start(self):
        self.proc = spawn(["mosquitto", "-c", self.conf], os.path.join(self.dir, "mosquitto.log"))
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not come up")


class Central:
    """Every event payload that reaches the broker, via a persistent QoS 1 session."""

    def __init__(self, broker):
        self.path = os.path.join(WORK, "central.jsonl")
        self.proc = spawn(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(broker.port), "-i", "torture-central", "-c",
                           "-q", "1", "-t", "gridlink/v1/+/+/events/#"], self.path)
        time.sleep(0.3)

    def events(self):
        out = []
        with open(self.path, "rb") as f:
            for line in f:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
        return out

    def wait_for(self, ids, seconds=60):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if set(ids) <= {e["id"] for e in self.events()}:
                return True
            time.sleep(0.2)
        return False


PROFILE = """site = "torture"
device = "storage-1"
profile = "demo"
[broker]
host = "127.0.0.1"
port = 1
keepalive_s = 5
[uplink]
inflight_window = 16
backoff_initial_ms = 50
backoff_max_ms = 400
[gpio]
chip = "sim"
debounce_ms = 2
long_press_ms = 300
stuck_ms = 10000
[[button]]
name = "proxy"
line = 5
kind = "request.proxy"
[feedback]
received_line = 20
accepted_line = 21
done_line = 22
[outbox]
max_rows = 0
max_bytes = 0
[paths]
control_socket = "{socket}"
"""


class Daemon:
    def __init__(self, state, broker_spec, wrap=None):
        self.state = state
        self.config = os.path.join(WORK, "device.toml")
        self.socket = os.path.join(WORK, "ctl.sock")
        with open(self.config, "w") as f:
            f.write(PROFILE.replace("{socket}", self.socket))
        self.args = ["--config", self.config, "--broker", broker_spec, "--state-dir", state]
        self.wrap = wrap or []
        self.proc = None

    def start(self):
        self.proc = spawn(self.wrap + [os.path.join(BIN, "gridlinkd")] + self.args, os.path.join(WORK, "gridlinkd.log"))
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.ctl("status", "--json").returncode == 0:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError("gridlinkd did not come up; see gridlinkd.log")

    def ctl(self, *args):
        verb = list(args[:2]) if args[0] in ("sim", "store") else [args[0]]
        rest = list(args[len(verb):])
        return subprocess.run([os.path.join(BIN, "gridlinkctl")] + verb + ["--config", self.config, "--state-dir", self.state] + rest,
                              capture_output=True, text=True, timeout=60)

    def press(self):
        """The stored press's report, or (None, stderr)."""
        result = self.ctl("sim", "press", "proxy", "--hold-ms", "8", "--json")
        return (json.loads(result.stdout), "") if result.returncode == 0 else (None, result.stderr.strip())

    def status(self):
        result = self.ctl("status", "--json")
        return json.loads(result.stdout) if result.returncode == 0 else {}

    def storage(self):
        return self.status().get("storage", {})

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(15)


def wait(condition, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def row(fault, does, stored, delivered, lost, duplicated, recover_s, ok, notes):
    print(json.dumps({"fault": fault, "does": does, "stored": stored, "delivered": delivered, "lost": lost,
                      "duplicated": duplicated, "recover_s": recover_s, "ok": bool(ok), "notes": notes}), flush=True)


def delivery(central, stored_ids):
    events = central.events()
    ids = [e["id"] for e in events]
    delivered = len(set(ids) & set(stored_ids))
    return delivered, len(stored_ids) - delivered, len(ids) - len(set(ids))
