#!/usr/bin/python3
"""Runs every scripts/bench case and prints the table (and the JSON).

Called by scripts/bench once the programs are built:
  run_bench.py --ceiling PATH --secgw PATH --work DIR [--quick] [--json FILE]

Each case runs alone (one program at a time, one worker core each):
  - ipsecmb: bench/harness/ipsecmb_ceiling.cpp, the crypto ceiling of a core;
  - secgw:   DPDK's ipsec-secgw, plain lookaside mode with crypto_aesni_mb;
  - vpngw:   the vpngwd pipeline -- pending until the forwarding pipeline is
             wired (run_vpngw_case below is where it plugs in).
A figure is the median of RUNS runs of SECONDS seconds each.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_cases as bc  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# secgw's one worker lcore; lcore 0 is left to the OS and the harness.
SECGW_LCORE = 1
SECGW_WARMUP_S = 0.5
SECGW_START_TIMEOUT_S = 30


class Settings:
    def __init__(self, quick):
        self.runs = 1 if quick else 3
        self.seconds = 0.3 if quick else 3.0
        self.warmup = 0.2 if quick else 0.5
        self.sizes = bc.SIZES


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Figure:
    """One measurement: Mpps over wall-clock time, and Mpps per second of
    CPU time the measured thread actually got. On a dedicated core the two
    agree; on this shared 2-vCPU VM other work takes a varying share of the
    core, and the CPU-time figure is the better estimate of what the code
    does on a core of its own."""

    def __init__(self, wall, cpu):
        self.wall, self.cpu = wall, cpu


def median_figure(figs):
    cpus = [f.cpu for f in figs if f.cpu]
    return Figure(statistics.median(f.wall for f in figs), statistics.median(cpus) if cpus else None)


def thread_cpu_ns(pid, comm_part=None):
    """CPU time (ns) of one thread of `pid` from schedstat: the main thread,
    or the first whose name contains `comm_part`."""
    tid = pid
    if comm_part:
        for t in sorted(os.listdir(f"/proc/{pid}/task")):
            with open(f"/proc/{pid}/task/{t}/comm") as f:
                if comm_part in f.read():
                    tid = int(t)
                    break
        else:
            return None
    with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
        return int(f.read().split()[0])


# ---------------------------------------------------------------- machine --

def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


# The CPU features IPsec-MB's code paths depend on, for the record.
CRYPTO_FLAGS = ("aes", "pclmulqdq", "avx2", "avx512f", "vaes", "vpclmulqdq", "gfni", "sha_ni")


def cpu_details():
    """(family/model line, crypto-relevant flags) from /proc/cpuinfo."""
    info = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if not line.strip():
                break  # first processor is enough
            key, _, value = line.partition(":")
            info[key.strip()] = value.strip()
    flags = set(info.get("flags", "").split())
    ident = f"family {info.get('cpu family', '?')} model {info.get('model', '?')}"
    return ident, [f for f in CRYPTO_FLAGS if f in flags]


def ipsecmb_arch(ceiling):
    out = subprocess.run([ceiling, "--arch"], check=True, capture_output=True, text=True).stdout
    fields = dict(kv.split("=", 1) for kv in out.split())
    return fields["arch"], fields["version"], float(fields["tsc_hz"])


# ---------------------------------------------------------------- ipsecmb --

def run_ipsecmb_once(ceiling, alg, direction, size, seconds):
    out = subprocess.run([ceiling, alg, direction, str(size), str(seconds)], check=True,
                         capture_output=True, text=True).stdout
    fields = dict(kv.split("=", 1) for kv in out.split())
    packets, cpu = int(fields["packets"]), float(fields["cpu_seconds"])
    return Figure(float(fields["mpps"]), packets / cpu / 1e6 if cpu > 0 else None)


# ------------------------------------------------------------------ secgw --

def secgw_config(alg, path):
    spec = bc.ALGS[alg]
    algo = spec["secgw"].format(ck=":".join(f"{b:02x}" for b in bc.cipher_key(alg)),
                                ak=":".join(f"{b:02x}" for b in bc.auth_key(alg)))
    with open(os.path.join(HERE, "secgw.cfg.in")) as f:
        template = f.read()
    with open(path, "w") as f:
        f.write(template.format(spi_out=bc.SPI_OUT, spi_in=bc.SPI_IN, alg_out=algo, alg_in=algo,
                                inner_net_out=bc.INNER_NET_OUT, inner_net_in=bc.INNER_NET_IN,
                                tunnel_local=bc.TUNNEL_LOCAL, tunnel_peer=bc.TUNNEL_PEER))


def telemetry_stats(sock_path, port):
    """The port's /ethdev/stats through DPDK's telemetry socket (v2)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
        s.settimeout(5)
        s.connect(sock_path)
        hello = json.loads(s.recv(4096).decode())
        s.send(f"/ethdev/stats,{port}".encode())
        reply = json.loads(s.recv(hello.get("max_output_len", 16384)).decode())
    return reply["/ethdev/stats"]


def stop_by_pid(proc):
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)  # secgw's handler stops the lcores and closes ports
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_secgw_once(secgw, work, alg, direction, size, seconds):
    """Forwarded Mpps of one secgw run, from the sink port's opackets."""
    prefix = f"vpngw-bench-{os.getpid()}"
    runtime_dir = f"/var/run/dpdk/{prefix}"
    cfg = os.path.join(work, f"secgw-{alg}.cfg")
    secgw_config(alg, cfg)
    plain = os.path.join(work, f"plain-{size}.pcap")
    esp = os.path.join(work, f"esp-{alg}-{size}.pcap")
    empty = os.path.join(work, "empty.pcap")
    # Encrypt: plaintext enters port 0 (protected) and ESP leaves port 1.
    # Decrypt: ESP enters port 1 and plaintext leaves port 0.
    # Only the input port loops its pcap (infinite_rx); the other reads an
    # empty one, so it is polled like a real idle port but costs nothing.
    feed = f"{plain},infinite_rx=1" if direction == "encrypt" else empty
    back = f"{esp},infinite_rx=1" if direction == "decrypt" else empty
    sink = 1 if direction == "encrypt" else 0
    cmd = [secgw, "-l", str(SECGW_LCORE), "-n", "1", "--no-huge", "-m", "1024", "--no-pci",
           "--file-prefix", prefix, "--log-level", "5",
           "--vdev", f"net_pcap0,rx_pcap={feed}",
           "--vdev", f"net_pcap1,rx_pcap={back}",
           "--vdev", "crypto_aesni_mb0",
           "--", "-p", "0x3", "-P", "-u", "0x2",
           "--config", f"(0,0,{SECGW_LCORE}),(1,0,{SECGW_LCORE})", "-f", cfg]
    logpath = os.path.join(work, f"secgw-{alg}-{direction}-{size}.log")
    with open(logpath, "w") as logf:
        proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT)
    try:
        sock = os.path.join(runtime_dir, "dpdk_telemetry.v2")
        deadline = time.monotonic() + SECGW_START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"ipsec-secgw exited with {proc.returncode}; see {logpath}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"ipsec-secgw did not start forwarding; see {logpath}")
            try:
                if telemetry_stats(sock, sink)["opackets"] > 0:
                    break
            except (OSError, KeyError, ValueError):
                pass
            time.sleep(0.1)
        time.sleep(SECGW_WARMUP_S)
        c0 = thread_cpu_ns(proc.pid)  # its main thread is the lcore-1 worker
        t0, p0 = time.monotonic(), telemetry_stats(sock, sink)["opackets"]
        time.sleep(seconds)
        t1, p1 = time.monotonic(), telemetry_stats(sock, sink)["opackets"]
        c1 = thread_cpu_ns(proc.pid)
        return Figure((p1 - p0) / (t1 - t0) / 1e6, (p1 - p0) / (c1 - c0) * 1e3 if c1 > c0 else None)
    finally:
        stop_by_pid(proc)
        shutil.rmtree(runtime_dir, ignore_errors=True)


# ------------------------------------------------------------------ vpngw --

VPNGW_LCORE = 1            # the one worker; lcore 0 is the control thread
VPNGW_START_TIMEOUT_S = 30
VPNGW_WARMUP_S = 0.5
# Every gateway's cap while benchmarking ([bench] cap_mbps, see
# control/bench_knobs.hpp): the product's tiers stop at 1000 Mbps, about
# 0.9 Mpps of 64-byte packets, far below what one core encrypts.
VPNGW_BENCH_CAP_MBPS = 100000


class Vpngwd:
    """One vpngwd with its own state dir, socket, DPDK file prefix and log,
    in the harness's work dir; stopped by its PID."""

    def __init__(self, tools, work, name, direction, input_pcap, bench_knobs=None):
        self.tools = tools
        self.dir = os.path.join(work, f"vpngwd-{name}")
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.sock = os.path.join(self.dir, "api.sock")
        self.log = os.path.join(self.dir, "vpngwd.log")
        self.prefix = f"vpngw-bench-d{os.getpid()}"
        self.runtime_dir = f"/var/run/dpdk/{self.prefix}"
        self.direction = direction
        # Port 0 private (plaintext), port 1 public (ESP), as secgw's 0/1.
        # The input port replays its pcap forever; the output port receives
        # nothing and drops what it sends (net_pcap without a tx stream), like
        # secgw's sink. The sink answers no ARP: what sits behind it is a
        # static neighbour of that port.
        empty = os.path.join(work, "empty.pcap")
        if direction == "encrypt":
            private = f"rx_pcap={input_pcap},infinite_rx=1"
            public = f"rx_pcap={empty}"
            private_addr = bc.VPNGW_PRIVATE_ADDR_OUT
            public_neighbours = f'static_neighbours = {{ "{bc.TUNNEL_PEER}" = "{bc.SINK_MAC}" }}\n'
            private_neighbours = ""
        else:
            private = f"rx_pcap={empty}"
            public = f"rx_pcap={input_pcap},infinite_rx=1"
            private_addr = bc.VPNGW_PRIVATE_ADDR_IN
            public_neighbours = ""
            private_neighbours = f'static_neighbours = {{ "{bc.INNER_DST_IN}" = "{bc.SINK_MAC}" }}\n'

        knobs = dict(bench_knobs or {})
        knobs.setdefault("cap_mbps", VPNGW_BENCH_CAP_MBPS)
        eal = ["-l", f"0,{VPNGW_LCORE}", "-n", "1", "--no-huge", "-m", "1024", "--no-pci",
               "--file-prefix", self.prefix, "--log-level", "5",
               "--vdev", f"net_pcap0,{private}", "--vdev", f"net_pcap1,{public}"]
        cfg = os.path.join(self.dir, "vpngwd.toml")
        with open(cfg, "w") as f:
            f.write(f"""[daemon]
state_dir = "{self.dir}/state"
log_level = "warn"
[api]
socket = "{self.sock}"
[ports.public]
port = 1
address = "{bc.VPNGW_PUBLIC_ADDR}"
{public_neighbours}[ports.private]
port = 0
address = "{private_addr}"
{private_neighbours}[workers]
lcores = [{VPNGW_LCORE}]
busy_poll = true
[eal]
args = {json.dumps(eal)}
[bench]
""" + "".join(f"{k} = {v}\n" for k, v in knobs.items()))
        self.cfg = cfg
        self.proc = None

    def start(self):
        with open(self.log, "w") as logf:
            self.proc = subprocess.Popen([self.tools.vpngwd, "--config", self.cfg],
                                         stdout=logf, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + VPNGW_START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"vpngwd exited with {self.proc.returncode}; see {self.log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"vpngwd did not open its socket; see {self.log}")
            if os.path.exists(self.sock):
                try:
                    self.info()
                    return
                except RuntimeError:
                    pass
            time.sleep(0.1)

    def ctl(self, *args):
        r = subprocess.run([self.tools.vpngwctl, "--socket", self.sock, "--json", *args],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"vpngwctl {' '.join(args)}: {r.stderr.strip()}")
        return json.loads(r.stdout) if r.stdout.strip() else {}

    def info(self):
        return self.ctl("info")["dataplane"]

    def configure(self, alg, replay_window_off=True, spd=None, extra_routes=(), vpc_cidr=None):
        """VPC, gateway (public IP TUNNEL_LOCAL), customer gateway (the peer),
        tunnel with the SPD rule of the case's traffic, route, static SA."""
        enc, auth = bc.VPNGW_ALG[alg]
        key = bc.cipher_key(alg).hex()
        akey = bc.auth_key(alg).hex()
        if self.direction == "encrypt":
            cidr, local, peer = "198.18.0.0/24", "198.18.0.0/24", bc.INNER_NET_OUT
        else:
            cidr, local, peer = bc.INNER_NET_IN, bc.INNER_NET_IN, "198.18.0.0/24"
        vpc_cidr = vpc_cidr or cidr
        self.ctl("vpc", "create", "--name", "bench", "--cidr", vpc_cidr)
        self.ctl("gateway", "create", "--name", "gw", "--vpc", "bench", "--public-ip",
                 bc.TUNNEL_LOCAL, "--bandwidth", "1000")
        self.ctl("customer-gateway", "create", "--name", "peer", "--public-ip", bc.TUNNEL_PEER)
        spd_args = []
        for rule in (spd or [f"{local}={peer}"]):
            spd_args += ["--spd", rule]
        self.ctl("tunnel", "create", "--name", "t", "--gateway", "gw", "--customer-gateway", "peer",
                 "--psk", "bench-not-a-secret", "--start-action", "respond", *spd_args)
        if self.direction == "encrypt":
            for dest in (extra_routes if spd else [peer]):
                self.ctl("route", "create", "--vpc", "bench", "--destination", dest, "--gateway", "gw")
            self.ctl("sa", "create", "--tunnel", "t", "--direction", "out", "--spi", str(bc.SPI_OUT),
                     "--enc", enc, "--enc-key", key, "--auth", auth,
                     *(["--auth-key", akey] if akey else []))
        else:
            self.ctl("sa", "create", "--tunnel", "t", "--direction", "in", "--spi", str(bc.SPI_IN),
                     "--enc", enc, "--enc-key", key, "--auth", auth,
                     *(["--auth-key", akey] if akey else []),
                     *(["--replay-window", "0"] if replay_window_off else []))

    def counters(self):
        """(packets sent on the output port, packets encrypted or decrypted,
        total drops, the drop counters that are not zero)."""
        d = self.info()
        out_port = "public" if self.direction == "encrypt" else "private"
        sent = d["ports"][out_port]["tx_packets"]
        fwd = d.get("forward", {})
        done = fwd.get("encrypted" if self.direction == "encrypt" else "decrypted", 0)
        drops = {}
        collect_drops(d, "", drops)
        return sent, done, sum(drops.values()), {k: v for k, v in drops.items() if v}

    def wait_forwarding(self):
        deadline = time.monotonic() + VPNGW_START_TIMEOUT_S
        while self.counters()[0] == 0:
            if self.proc.poll() is not None:
                raise RuntimeError(f"vpngwd exited with {self.proc.returncode}; see {self.log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"vpngwd forwards nothing: {self.counters()[3]}; see {self.log}")
            time.sleep(0.1)

    def window(self, seconds):
        """Mpps sent over `seconds`, checking that every packet sent was
        encrypted/decrypted by the pipeline and the drops stayed put."""
        c0 = thread_cpu_ns(self.proc.pid, "worker")
        s0, e0, d0, _ = self.counters()
        t0 = time.monotonic()
        time.sleep(seconds)
        s1, e1, d1, drops = self.counters()
        t1 = time.monotonic()
        c1 = thread_cpu_ns(self.proc.pid, "worker")
        w = Window((s1 - s0) / (t1 - t0) / 1e6, s1 - s0, e1 - e0, d1 - d0, drops)
        w.mpps_cpu = (s1 - s0) / (c1 - c0) * 1e3 if c0 is not None and c1 and c1 > c0 else None
        return w

    def stop(self):
        if self.proc is not None:
            stop_by_pid(self.proc)
        shutil.rmtree(self.runtime_dir, ignore_errors=True)


class Window:
    def __init__(self, mpps, sent, processed, dropped, drops):
        self.mpps, self.sent, self.processed, self.dropped, self.drops = \
            mpps, sent, processed, dropped, drops

    def check(self, what):
        """A figure counts only if the packets sent were the pipeline's own
        output and nearly nothing was dropped."""
        if self.sent <= 0:
            raise RuntimeError(f"{what}: vpngwd sent nothing ({self.drops})")
        if abs(self.processed - self.sent) > max(64, self.sent // 1000):
            raise RuntimeError(f"{what}: sent {self.sent} but processed {self.processed}")
        if self.dropped > max(64, self.sent // 1000):
            raise RuntimeError(f"{what}: {self.dropped} drops in the window ({self.drops})")


def collect_drops(node, path, out):
    """Every numeric counter under a key named *drops* (io, forward, ESP)."""
    if isinstance(node, dict):
        for k, v in node.items():
            p = f"{path}.{k}" if path else k
            if isinstance(v, dict):
                collect_drops(v, p, out)
            elif isinstance(v, (int, float)) and not isinstance(v, bool) and "drops" in path:
                out[p] = v


class Tools:
    def __init__(self, ceiling, secgw, vpngwd, vpngwctl):
        self.ceiling, self.secgw, self.vpngwd, self.vpngwctl = ceiling, secgw, vpngwd, vpngwctl


def run_vpngw_once(tools, work, alg, direction, size, seconds):
    """Forwarded Mpps of one vpngwd run: output port tx_packets over the
    window, from `vpngwctl info --json`."""
    pcap = os.path.join(work, f"plain-{size}.pcap" if direction == "encrypt"
                        else f"esp-{alg}-{size}.pcap")
    d = Vpngwd(tools, work, f"{alg}-{direction}-{size}", direction, pcap)
    try:
        d.start()
        d.configure(alg)
        d.wait_forwarding()
        time.sleep(VPNGW_WARMUP_S)
        w = d.window(seconds)
        w.check(f"vpngwd {alg} {direction} {size} B")
        return Figure(w.mpps, w.mpps_cpu)
    finally:
        d.stop()


# ------------------------------------------------------------------ table --

def median_of(fn, runs):
    return statistics.median(fn() for _ in range(runs))


def rnd(x, digits=4):
    return None if x is None else round(x, digits)


def ratio(a, b):
    return None if a is None or not b else a / b


def fmt(x, digits=3):
    return "-" if x is None else f"{x:.{digits}f}"


def print_table(cases):
    """Wall-clock Mpps, then Mpps per CPU-second of the measured thread
    (the cpu columns), vpngwd's cycles per packet (TSC cycles of CPU time)
    and the ratios of the cpu figures."""
    head = ("case", "size", "dir", "ipsec-mb", "secgw", "vpngw", "| ipsec-mb cpu", "secgw cpu",
            "vpngw cpu", "vpngw Gbps", "vpngw cyc/pkt", "vpngw/secgw", "vpngw/ipsec-mb",
            "secgw/ipsec-mb")
    rows = []
    for c in cases:
        rows.append((c["alg"], str(c["size"]), c["dir"], fmt(c["ipsecmb_mpps"]),
                     fmt(c["secgw_mpps"]), fmt(c["vpngw_mpps"]), "| " + fmt(c["ipsecmb_mpps_cpu"]),
                     fmt(c["secgw_mpps_cpu"]), fmt(c["vpngw_mpps_cpu"]), fmt(c["vpngw_gbps"], 2),
                     fmt(c["vpngw_cycles_per_packet"], 0),
                     fmt(ratio(c["vpngw_mpps_cpu"], c["secgw_mpps_cpu"]), 2),
                     fmt(ratio(c["vpngw_mpps_cpu"], c["ipsecmb_mpps_cpu"]), 2),
                     fmt(ratio(c["secgw_mpps_cpu"], c["ipsecmb_mpps_cpu"]), 2)))
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    for r in [head] + rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ceiling", required=True)
    ap.add_argument("--secgw", required=True)
    ap.add_argument("--vpngwd", required=True)
    ap.add_argument("--vpngwctl", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--only", help="comma-separated subset: cases,scale,churn (default: all; "
                    "--quick runs cases only)")
    ap.add_argument("--algs", help="comma-separated algorithms (default: all)")
    ap.add_argument("--sizes", help="comma-separated inner sizes (default: 64,512,1420)")
    args = ap.parse_args()
    settings = Settings(args.quick)
    global SECGW_WARMUP_S, VPNGW_WARMUP_S
    SECGW_WARMUP_S = VPNGW_WARMUP_S = settings.warmup
    tools = Tools(args.ceiling, args.secgw, args.vpngwd, args.vpngwctl)
    parts = set(args.only.split(",")) if args.only else (
        {"cases"} if args.quick else {"cases", "scale", "churn"})
    algs = args.algs.split(",") if args.algs else list(bc.ALGS)
    sizes = [int(x) for x in args.sizes.split(",")] if args.sizes else settings.sizes

    cpu = cpu_model()
    cores = os.cpu_count()
    arch, version, tsc_hz = ipsecmb_arch(args.ceiling)
    ident, flags = cpu_details()
    print(f"CPU: {cpu}, {ident} ({cores} cores); crypto flags: {' '.join(flags)}")
    print(f"IPsec-MB {version}: init_mb_mgr_auto picked {arch}; TSC {tsc_hz / 1e9:.3f} GHz "
          f"(cycles/packet = TSC Hz / pps)")
    print("secgw mode: lookaside (no -l), crypto_aesni_mb0 cryptodev, 1 lcore, "
          "net_pcap infinite_rx in, sink port opackets via telemetry")
    print(f"vpngwd: release build, 1 worker lcore (busy poll), net_pcap infinite_rx in, "
          f"output port tx_packets via vpngwctl info; static SAs; decrypt with anti-replay OFF "
          f"(--replay-window 0), as secgw; gateway cap raised to {VPNGW_BENCH_CAP_MBPS} Mbps "
          f"([bench] cap_mbps)")
    print(f"each figure: median of {settings.runs} run(s) of {settings.seconds} s")
    print(flush=True)

    cases = []
    scale = []
    churn = None
    if "cases" in parts:
        for alg in algs:
            for size in sizes:
                subprocess.run([sys.executable, os.path.join(HERE, "make_pcaps.py"), alg,
                                str(size), args.work], check=True)
                for direction in bc.DIRS:
                    log(f"  {alg} {size} B {direction} ...")
                    # The three programs take turns, run after run, so that a
                    # change in the machine's load hits all three alike.
                    runs = {"imb": [], "sg": [], "vp": []}
                    for _ in range(settings.runs):
                        runs["imb"].append(run_ipsecmb_once(args.ceiling, alg, direction, size,
                                                            settings.seconds))
                        runs["sg"].append(run_secgw_once(args.secgw, args.work, alg, direction,
                                                         size, settings.seconds))
                        runs["vp"].append(run_vpngw_once(tools, args.work, alg, direction, size,
                                                         settings.seconds))
                    imb, sg, vp = (median_figure(runs[k]) for k in ("imb", "sg", "vp"))
                    vcpu = vp.cpu or vp.wall
                    cases.append({"dir": direction, "alg": alg, "size": size,
                                  "vpngw_mpps": round(vp.wall, 4), "secgw_mpps": round(sg.wall, 4),
                                  "ipsecmb_mpps": round(imb.wall, 4),
                                  "vpngw_gbps": round(vp.wall * size * 8 / 1000, 3),
                                  "vpngw_cycles_per_packet": round(tsc_hz / (vcpu * 1e6)),
                                  "vpngw_mpps_cpu": rnd(vp.cpu), "secgw_mpps_cpu": rnd(sg.cpu),
                                  "ipsecmb_mpps_cpu": rnd(imb.cpu)})
        print_table(cases)
    if "scale" in parts:
        scale = run_scale(tools, args.work, settings, tsc_hz)
    if "churn" in parts:
        churn = run_churn(tools, args.work, settings)
    if args.json:
        doc = {"machine": {"cpu": cpu, "cores": cores, "cpu_id": ident, "cpu_flags": flags,
                           "ipsecmb_arch": arch, "ipsecmb_version": version,
                           "tsc_hz": round(tsc_hz)},
               "settings": {"runs": settings.runs, "seconds": settings.seconds,
                            "vpngw_decrypt_anti_replay": "off", "vpngw_cap_mbps":
                            VPNGW_BENCH_CAP_MBPS},
               "cases": cases,
               "scale": scale,
               "churn": churn}
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
        print(f"\nwrote {args.json}")
    missing = [c for c in cases if None in (c["vpngw_mpps"], c["secgw_mpps"], c["ipsecmb_mpps"])
               or not c["vpngw_mpps"] or not c["secgw_mpps"] or not c["ipsecmb_mpps"]]
    if missing:
        print(f"scripts/bench: {len(missing)} case(s) without a figure", file=sys.stderr)
        sys.exit(1)


# ------------------------------------------------------------ scale, churn --

SCALE_ALG = "aes128-cbc-sha1"   # the product default
SCALE_SIZE = 64                 # where per-packet table costs show most
SCALE_SAS = [1, 1000, 10000, 100000]
SCALE_SPD = (200, 50)           # 200 rules x 50 peer CIDRs = 10 000 SPD entries
SCALE_START_TIMEOUT_S = 120


def measure(d, seconds, runs, what):
    ws = []
    for _ in range(runs):
        w = d.window(seconds)
        w.check(what)
        ws.append(Figure(w.mpps, w.mpps_cpu))
    return median_figure(ws)


def run_scale(tools, work, settings, tsc_hz):
    """Decrypt over 1..100 000 inbound SAs (traffic spread by SPI), and
    encrypt through 10 000 SPD entries: throughput against table size."""
    global VPNGW_START_TIMEOUT_S
    rows = []
    subprocess.run([sys.executable, os.path.join(HERE, "make_pcaps.py"), SCALE_ALG,
                    str(SCALE_SIZE), work], check=True)
    base = None
    for n in SCALE_SAS:
        log(f"  scale: {n} inbound SAs ...")
        subprocess.run([sys.executable, os.path.join(HERE, "make_pcaps.py"), "--spread", SCALE_ALG,
                        str(SCALE_SIZE), str(n), work], check=True)
        pcap = os.path.join(work, f"esp-{SCALE_ALG}-{SCALE_SIZE}-x{n}.pcap")
        d = Vpngwd(tools, work, f"scale-sa-{n}", "decrypt", pcap,
                   {"scale_inbound_sas": n} if n > 1 else None)
        saved, VPNGW_START_TIMEOUT_S = VPNGW_START_TIMEOUT_S, SCALE_START_TIMEOUT_S
        try:
            d.start()
            d.configure(SCALE_ALG)
            d.wait_forwarding()
            time.sleep(VPNGW_WARMUP_S)
            fig = measure(d, settings.seconds, settings.runs, f"scale {n} SAs")
        finally:
            VPNGW_START_TIMEOUT_S = saved
            d.stop()
        mpps = fig.cpu or fig.wall
        base = base or mpps
        rows.append({"kind": "inbound_sas", "count": n, "dir": "decrypt", "alg": SCALE_ALG,
                     "size": SCALE_SIZE, "sas_receiving_traffic": min(n, 2048),
                     "vpngw_mpps": round(fig.wall, 4), "vpngw_mpps_cpu": rnd(fig.cpu),
                     "vpngw_cycles_per_packet": round(tsc_hz / (mpps * 1e6)),
                     "of_1_sa": round(mpps / base, 3)})
    rules, peers = SCALE_SPD
    for entries in (1, rules * peers):
        log(f"  scale: {entries} SPD entries ...")
        if entries == 1:
            pcap, spd, routes = os.path.join(work, f"plain-{SCALE_SIZE}.pcap"), None, ()
            knobs = None
        else:
            subprocess.run([sys.executable, os.path.join(HERE, "make_pcaps.py"), "--spd",
                            str(SCALE_SIZE), str(rules), str(peers), work], check=True)
            pcap = os.path.join(work, f"plain-{SCALE_SIZE}-spd{entries}.pcap")
            sys.path.insert(0, HERE)
            import make_pcaps  # noqa: E402 (scapy only when needed)
            spd = [f"{local}={','.join(p)}" for local, p in make_pcaps.spd_rules(rules, peers)]
            routes = ("198.19.0.0/16",)
            knobs = None
        d = Vpngwd(tools, work, f"scale-spd-{entries}", "encrypt", pcap, knobs)
        if entries > 1:
            with open(d.cfg, "a") as f:
                f.write(f"[quotas]\nspd_rules_per_tunnel = {rules}\npeer_cidrs_per_rule = {peers}\n")
        try:
            d.start()
            if entries > 1:
                d.configure(SCALE_ALG, spd=spd, extra_routes=routes, vpc_cidr="198.18.0.0/16")
            else:
                d.configure(SCALE_ALG)
            d.wait_forwarding()
            time.sleep(VPNGW_WARMUP_S)
            fig = measure(d, settings.seconds, settings.runs, f"scale {entries} SPD entries")
        finally:
            d.stop()
        mpps = fig.cpu or fig.wall
        if entries == 1:
            spd_base = mpps
        rows.append({"kind": "spd_entries", "count": entries, "dir": "encrypt", "alg": SCALE_ALG,
                     "size": SCALE_SIZE, "vpngw_mpps": round(fig.wall, 4),
                     "vpngw_mpps_cpu": rnd(fig.cpu),
                     "vpngw_cycles_per_packet": round(tsc_hz / (mpps * 1e6)),
                     "of_1_entry": round(mpps / spd_base, 3)})
    print("\nscale (vpngwd, one worker):")
    for r in rows:
        rel = r.get("of_1_sa", r.get("of_1_entry"))
        print(f"  {r['kind']:<12} {r['count']:>7}  {r['dir']}  {r['vpngw_mpps']:.3f} Mpps, "
              f"{fmt(r['vpngw_mpps_cpu'])} per CPU-s  {r['vpngw_cycles_per_packet']} cyc/pkt  "
              f"{rel:.2f} of the 1-entry figure (per CPU-s)", flush=True)
    return rows


CHURN_RATE = 1000  # SAs installed (and as many removed) per second


def churn_totals(log_path):
    """Last "bench: churn totals" line of a vpngwd log: (installed, removed,
    failed, t_ms)."""
    last = None
    with open(log_path) as f:
        for line in f:
            if "bench: churn totals" in line:
                last = line
    if not last:
        return None
    fields = dict(kv.split("=", 1) for kv in last.split() if "=" in kv)
    return tuple(int(fields[k]) for k in ("installed", "removed", "failed", "t_ms"))


def run_churn(tools, work, settings):
    """Encrypt aes128-cbc-sha1 64 B with and without SA churn: one daemon
    per run, the two kinds interleaved (without, with, without, ...) so
    that the machine's drift hits both alike."""
    subprocess.run([sys.executable, os.path.join(HERE, "make_pcaps.py"), SCALE_ALG,
                    str(SCALE_SIZE), work], check=True)
    pcap = os.path.join(work, f"plain-{SCALE_SIZE}.pcap")
    result = {"alg": SCALE_ALG, "size": SCALE_SIZE, "dir": "encrypt", "rate_sas_per_s": CHURN_RATE}
    acc = {label: {"mpps": [], "cpu": [], "in": 0, "out": 0, "drops": 0}
           for label in ("without", "with")}
    installs = removals = churn_ms = failures = 0
    for run in range(settings.runs):
        for label, knobs in (("without", None), ("with", {"churn_sas_per_s": CHURN_RATE})):
            log(f"  churn: run {run + 1}, {label} churn ...")
            d = Vpngwd(tools, work, f"churn-{label}", "encrypt", pcap, knobs)
            try:
                d.start()
                d.configure(SCALE_ALG)
                d.wait_forwarding()
                time.sleep(max(VPNGW_WARMUP_S, 1.2))  # churn under way, first totals logged
                c0 = churn_totals(d.log) if knobs else None
                i0 = d.info()
                w = d.window(settings.seconds)
                i1 = d.info()
                if knobs:
                    time.sleep(1.1)  # the next totals line
                    c1 = churn_totals(d.log)
            finally:
                d.stop()
            a = acc[label]
            a["mpps"].append(w.mpps)
            if w.mpps_cpu:
                a["cpu"].append(w.mpps_cpu)
            a["in"] += i1["ports"]["private"]["rx_packets"] - i0["ports"]["private"]["rx_packets"]
            a["out"] += i1["ports"]["public"]["tx_packets"] - i0["ports"]["public"]["tx_packets"]
            a["drops"] += w.dropped
            if knobs and c0 and c1:
                installs += c1[0] - c0[0]
                removals += c1[1] - c0[1]
                churn_ms += c1[3] - c0[3]
                failures = max(failures, c1[2])
    for label, a in acc.items():
        result[f"{label}_churn_mpps"] = round(statistics.median(a["mpps"]), 4)
        result[f"{label}_churn_mpps_cpu"] = rnd(statistics.median(a["cpu"])) if a["cpu"] else None
        result[f"{label}_churn_packets_in"] = a["in"]
        result[f"{label}_churn_packets_out"] = a["out"]
        result[f"{label}_churn_drops"] = a["drops"]
    if churn_ms:
        result["achieved_installs_per_s"] = round(installs * 1000 / churn_ms)
        result["achieved_removals_per_s"] = round(removals * 1000 / churn_ms)
        result["churn_failures"] = failures
    result["dip_percent"] = round(100 * (1 - result["with_churn_mpps"] /
                                         result["without_churn_mpps"]), 2)
    if result["with_churn_mpps_cpu"] and result["without_churn_mpps_cpu"]:
        result["dip_percent_cpu"] = round(100 * (1 - result["with_churn_mpps_cpu"] /
                                                 result["without_churn_mpps_cpu"]), 2)
    # Lost = dropped (any reason) while churning; in minus out over the
    # windows is what was in flight at their edges (a burst or two).
    result["packets_lost"] = result["with_churn_drops"]
    result["in_minus_out"] = result["with_churn_packets_in"] - result["with_churn_packets_out"]
    print(f"\nSA churn ({CHURN_RATE}/s installs + removals, {SCALE_ALG} {SCALE_SIZE} B encrypt): "
          f"{result['without_churn_mpps']:.3f} Mpps without, {result['with_churn_mpps']:.3f} "
          f"with: dip {result['dip_percent']:.1f} % (per CPU-s of the worker: "
          f"{fmt(result['without_churn_mpps_cpu'])} / {fmt(result['with_churn_mpps_cpu'])}, dip "
          f"{fmt(result.get('dip_percent_cpu'), 1)} %); achieved "
          f"{result.get('achieved_installs_per_s', '?')} installs/s, "
          f"{result.get('achieved_removals_per_s', '?')} removals/s; packets in {result['with_churn_packets_in']}, "
          f"out {result['with_churn_packets_out']}, drops {result['with_churn_drops']}", flush=True)
    return result


if __name__ == "__main__":
    main()
