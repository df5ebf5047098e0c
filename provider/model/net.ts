// Pure address arithmetic for the schemas: parse IPv4/IPv6 addresses and CIDRs, tell a
// network address from a host address. No processes, no I/O.
import { isIPv4, isIPv6 } from "node:net";

export type Family = 4 | 6;

export interface Ip {
    family: Family;
    value: bigint;
}

export interface Cidr extends Ip {
    prefix: number;
}

export function parseIp(text: string): Ip | undefined {
    if (isIPv4(text)) {
        const value = text.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
        return { family: 4, value };
    }
    if (isIPv6(text) && !text.includes("%")) {
        return { family: 6, value: ipv6ToBigInt(text) };
    }
    return undefined;
}

function ipv6ToBigInt(text: string): bigint {
    let s = text;
    // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two hex groups.
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
    if (v4?.[1]) {
        const n = parseIp(v4[1])!.value;
        s = s.slice(0, -v4[1].length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
    }
    const [head = "", tail] = s.split("::");
    const h = head ? head.split(":") : [];
    const t = tail !== undefined && tail !== "" ? tail.split(":") : [];
    const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
    return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function bits(family: Family): number {
    return family === 4 ? 32 : 128;
}

export function parseCidr(text: string): Cidr | undefined {
    const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
    if (!m?.[1] || !m[2]) return undefined;
    const ip = parseIp(m[1]);
    const prefix = Number(m[2]);
    if (!ip || prefix > bits(ip.family) || String(prefix) !== m[2]) return undefined;
    return { ...ip, prefix };
}

export function hostMask(c: Cidr): bigint {
    return (1n << BigInt(bits(c.family) - c.prefix)) - 1n;
}

/** True when no host bits are set: 192.0.2.0/24, 2001:db8::/32. */
export function isNetworkAddress(c: Cidr): boolean {
    return (c.value & hostMask(c)) === 0n;
}

/** True when the address is the broadcast address of an IPv4 subnet with room for hosts. */
export function isBroadcast(c: Cidr): boolean {
    return c.family === 4 && c.prefix < 31 && (c.value & hostMask(c)) === hostMask(c);
}

export function contains(net: Cidr, ip: Ip): boolean {
    if (net.family !== ip.family) return false;
    const mask = ((1n << BigInt(bits(net.family))) - 1n) ^ hostMask(net);
    return (net.value & mask) === (ip.value & mask);
}

export function formatIp(ip: Ip): string {
    if (ip.family === 4) {
        return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join(".");
    }
    const groups = Array.from({ length: 8 }, (_, i) => ((ip.value >> BigInt(112 - i * 16)) & 0xffffn).toString(16));
    // Compress the longest run of zero groups, as inet_ntop does (RFC 5952).
    let best = -1, bestLen = 0;
    for (let i = 0; i < 8; ) {
        if (groups[i] !== "0") { i++; continue; }
        let j = i;
        while (j < 8 && groups[j] === "0") j++;
        if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
        i = j;
    }
    if (best < 0) return groups.join(":");
    // IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) addresses end in dotted
    // decimal (RFC 5952 section 5), under the same rule as glibc's inet_ntop.
    if (best === 0 && (bestLen === 6 || (bestLen === 5 && groups[5] === "ffff"))) {
        return `::${bestLen === 5 ? "ffff:" : ""}${formatIp({ family: 4, value: ip.value & 0xffffffffn })}`;
    }
    return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}

/** The canonical text of a CIDR as `ip -j` prints it: 2001:db8:0::1/64 -> 2001:db8::1/64. */
export function formatCidr(c: Cidr): string {
    return `${formatIp(c)}/${c.prefix}`;
}
