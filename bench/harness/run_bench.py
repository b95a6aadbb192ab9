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
VPNGW_PENDING = "pending: pipeline not wired"
# secgw's one worker lcore; lcore 0 is left to the OS and the harness.
SECGW_LCORE = 1
SECGW_WARMUP_S = 0.5
SECGW_START_TIMEOUT_S = 30


class Settings:
    def __init__(self, quick):
        self.runs = 1 if quick else 3
        self.seconds = 0.5 if quick else 3.0
        self.sizes = bc.SIZES


def log(msg):
    print(msg, file=sys.stderr, flush=True)


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
    return fields["arch"], fields["version"]


# ---------------------------------------------------------------- ipsecmb --

def run_ipsecmb_once(ceiling, alg, direction, size, seconds):
    out = subprocess.run([ceiling, alg, direction, str(size), str(seconds)], check=True,
                         capture_output=True, text=True).stdout
    fields = dict(kv.split("=", 1) for kv in out.split())
    return float(fields["mpps"])


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
        t0, p0 = time.monotonic(), telemetry_stats(sock, sink)["opackets"]
        time.sleep(seconds)
        t1, p1 = time.monotonic(), telemetry_stats(sock, sink)["opackets"]
        return (p1 - p0) / (t1 - t0) / 1e6
    finally:
        stop_by_pid(proc)
        shutil.rmtree(runtime_dir, ignore_errors=True)


# ------------------------------------------------------------------ vpngw --

def run_vpngw_case(alg, direction, size, settings):
    """The vpngwd pipeline case: RX burst -> classify -> SPD -> SA -> ESP -> TX.

    Pending: vpngwd's forwarding pipeline is not wired yet. When it is, start
    vpngwd on one lcore with the same net_pcap input / sink as
    run_secgw_once, the same SAs (bench_cases: SPI_OUT/SPI_IN, keys,
    tunnel addresses; anti-replay off for decrypt), and return the median
    Mpps. Until then this returns None and the table says so -- no figure is
    invented.
    """
    del alg, direction, size, settings
    return None


# ------------------------------------------------------------------ table --

def median_of(fn, runs):
    return statistics.median(fn() for _ in range(runs))


def ratio(a, b):
    return None if a is None or not b else a / b


def fmt(x, digits=3):
    return "-" if x is None else f"{x:.{digits}f}"


def print_table(cases):
    head = ("case", "size", "dir", "secgw Mpps", "ipsec-mb Mpps", "vpngw Mpps",
            "vpngw/secgw", "vpngw/ipsec-mb", "secgw/ipsec-mb")
    rows = []
    for c in cases:
        vpngw = fmt(c["vpngw_mpps"]) if c["vpngw_mpps"] is not None else VPNGW_PENDING
        rows.append((c["alg"], str(c["size"]), c["dir"], fmt(c["secgw_mpps"]),
                     fmt(c["ipsecmb_mpps"]), vpngw,
                     fmt(ratio(c["vpngw_mpps"], c["secgw_mpps"]), 2),
                     fmt(ratio(c["vpngw_mpps"], c["ipsecmb_mpps"]), 2),
                     fmt(ratio(c["secgw_mpps"], c["ipsecmb_mpps"]), 2)))
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    for r in [head] + rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ceiling", required=True)
    ap.add_argument("--secgw", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()
    settings = Settings(args.quick)

    cpu = cpu_model()
    cores = os.cpu_count()
    arch, version = ipsecmb_arch(args.ceiling)
    ident, flags = cpu_details()
    print(f"CPU: {cpu}, {ident} ({cores} cores); crypto flags: {' '.join(flags)}")
    print(f"IPsec-MB {version}: init_mb_mgr_auto picked {arch}")
    print(f"secgw mode: lookaside (no -l), crypto_aesni_mb0 cryptodev, 1 lcore, "
          f"net_pcap infinite_rx in, sink port opackets via telemetry")
    print(f"each figure: median of {settings.runs} run(s) of {settings.seconds} s; "
          f"vpngw: {VPNGW_PENDING}")
    print(flush=True)

    cases = []
    for alg in bc.ALGS:
        for size in settings.sizes:
            subprocess.run([sys.executable, os.path.join(HERE, "make_pcaps.py"), alg, str(size),
                            args.work], check=True)
            for direction in bc.DIRS:
                log(f"  {alg} {size} B {direction} ...")
                imb = median_of(lambda: run_ipsecmb_once(args.ceiling, alg, direction, size,
                                                         settings.seconds), settings.runs)
                sg = median_of(lambda: run_secgw_once(args.secgw, args.work, alg, direction,
                                                      size, settings.seconds), settings.runs)
                vp = run_vpngw_case(alg, direction, size, settings)
                cases.append({"dir": direction, "alg": alg, "size": size,
                              "vpngw_mpps": vp, "secgw_mpps": round(sg, 4),
                              "ipsecmb_mpps": round(imb, 4),
                              "vpngw_gbps": None, "vpngw_cycles_per_packet": None})
    print_table(cases)
    if args.json:
        doc = {"machine": {"cpu": cpu, "cores": cores, "cpu_id": ident, "cpu_flags": flags,
                           "ipsecmb_arch": arch, "ipsecmb_version": version},
               "cases": cases,
               "scale": [],   # vpngwd SA/SPD scale cases: pending with the pipeline
               "churn": None}  # SA churn under load: pending with the pipeline
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
