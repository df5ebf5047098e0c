// The star's addressing, shared by every variant of the benchmark: host i (1-based) sits on its
// own /31 segment (RFC 3021, two addresses, no network or broadcast address), carved in order out
// of the three IPv4 documentation ranges. The router takes the even address, the host the odd one.
// The last /31 of each range (.254/31) is left out: Mininet sets addresses with ifconfig, which
// gives every interface its classful broadcast address (x.x.x.255) whatever the mask, so a host
// at .255 would be unreachable there. 127 segments per range, 381 hosts at most.
"use strict";
const RANGES = ["192.0.2", "198.51.100", "203.0.113"];
const PER_RANGE = 127;
const MAX_HOSTS = RANGES.length * PER_RANGE;

function segment(i) {
    if (!Number.isInteger(i) || i < 1 || i > MAX_HOSTS) throw new Error(`host number ${i} is outside 1..${MAX_HOSTS}`);
    const k = i - 1;
    const base = RANGES[Math.floor(k / PER_RANGE)];
    const low = (k % PER_RANGE) * 2;
    return { router: `${base}.${low}`, host: `${base}.${low + 1}`, prefix: 31 };
}

module.exports = { segment, MAX_HOSTS };

// `node topology.js N` prints "i router host" lines for the shell and Python variants.
if (require.main === module) {
    const n = Number(process.argv[2]);
    for (let i = 1; i <= n; i++) { const s = segment(i); console.log(`${i} ${s.router} ${s.host}`); }
}
