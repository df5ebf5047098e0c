#!/usr/bin/env python3
"""(d) The star through Mininet's Python API (Debian package `mininet`), no switch, no controller:
a router node and N host nodes, each in its own network namespace (Mininet nodes are shells
started by `mnexec -cdn`, in new network and mount namespaces), one veth Link per host made
directly between the two namespaces (Link(fast=True): `ip link add ... netns <pid>` run inside
the first node), an address pair on each link, a default route on each host, forwarding on in
the router (sysctl run inside the router's namespace).

Never `mn`, and never Mininet.init(): it calls fixLimits(), which raises host sysctls
(fs.file-max, net.core.wmem_max/rmem_max, net.ipv4.tcp_rmem/tcp_wmem,
net.core.netdev_max_backlog, net.ipv4.neigh.default.gc_thresh1-3, net.ipv4.route.max_size,
kernel.pty.max) and this process's rlimits. Marking Mininet as initialised skips it; nothing else
on this path writes a host sysctl or kills by name (see BENCHMARKS.md). Nodes are stopped by
net.stop(), which deletes each link inside its node and sends SIGHUP to each node shell's process
group by PID; the PIDs are also written to PIDFILE so that bench/run.sh can kill them if this
process dies.

usage: mininet_star.py N RUNS PIDFILE [--verify]
prints one JSON object per run: {"build": s, "teardown": s, "verified": bool|null}
"""
import json
import resource
import sys
import time

from mininet.net import Mininet

Mininet.inited = True  # skip Mininet.init() -> fixLimits(): see above

RANGES = ["192.0.2", "198.51.100", "203.0.113"]


def segment(i):
    k = i - 1
    base = RANGES[k // 127]  # 127 /31 segments per range: see bench/lib/topology.js
    low = (k % 127) * 2
    return f"{base}.{low}", f"{base}.{low + 1}"


def main():
    n, runs, pidfile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    verify = "--verify" in sys.argv
    # Two pty fds per node: raise this process's own soft limit (not a host setting) if needed.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4 * n + 256:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * n + 256)), hard))
    for _ in range(runs):
        pids = open(pidfile, "a")
        t0 = time.monotonic()
        net = Mininet(topo=None, build=False, controller=None, ipBase="192.0.2.0/24")
        router = net.addHost("r0", ip=None)
        pids.write(f"{router.pid}\n"); pids.flush()
        for i in range(1, n + 1):
            r, h = segment(i)
            # addHost computes a default address from ipBase even when given one, and asserts that
            # ipBase has room for it: keep that unused default at the base's first address.
            net.nextIP = 1
            host = net.addHost(f"h{i}", ip=f"{h}/31", defaultRoute=f"via {r}")
            pids.write(f"{host.pid}\n"); pids.flush()
            net.addLink(host, router, intfName1=f"h{i}-eth0", intfName2=f"r0-eth{i}", params2={"ip": f"{r}/31"})
        net.start()  # build(): configHosts sets each host's address, default route and lo up
        router.cmd("sysctl -q net.ipv4.ip_forward=1")
        t1 = time.monotonic()
        verified = None
        if verify:
            out = net.hosts[-1].cmd(f"ping -c 1 -W 2 {segment(1)[1]}")
            verified = " 0% packet loss" in out
            if not verified:
                last = net.hosts[-1]
                print(f"verify failed: {last.name} ping {segment(1)[1]}:\n{out}\n{last.cmd('ip addr; ip route')}\n{router.cmd('ip route | tail -3; sysctl net.ipv4.ip_forward')}", file=sys.stderr)
        t2 = time.monotonic()
        net.stop()
        t3 = time.monotonic()
        pids.close()
        print(json.dumps({"build": t1 - t0, "teardown": t3 - t2, "verified": verified}), flush=True)


if __name__ == "__main__":
    main()
