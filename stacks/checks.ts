// What the routing lessons check, said once: a ping that must get replies (optionally with a
// given TTL), a ping that must not, the ICMP error a router sends back, the path traceroute
// shows, a namespace's sysctl, and how a lesson reads its step from config.
import * as pulumi from "@pulumi/pulumi";
import { inNs, ping, type Check, type Node } from "./lesson";
import { icmpKindOf } from "./icmp";

// Node lives in lesson.ts so that icmp.ts can use it without importing this file (which imports icmp.ts).
export type { Node } from "./lesson";

/** The nodes of a lesson, by the seed's names: nodes("t-", ["ns1", "ns2"]).ns1.ns === "t-ns1". */
export function nodes<N extends string>(prefix: string, labels: readonly N[]): Record<N, Node> {
    const out = {} as Record<N, Node>;
    for (const label of labels) out[label] = { label, ns: `${prefix}${label}` };
    return out;
}

/**
 * Reads a step of a lesson from config: one of `allowed`, the first being the default. Anything
 * else fails with the key, the value and what to set instead (for the program and for verify).
 * A RunError: the CLI prints the message alone, without a stack trace.
 */
export function step<T extends string>(lesson: string, key: string, value: string | undefined, allowed: readonly [T, ...T[]]): T {
    if (value === undefined || value === "") return allowed[0];
    if ((allowed as readonly string[]).includes(value)) return value as T;
    const choices = allowed.map((a) => `"${a}"`).join(" or ");
    throw new pulumi.RunError(`lesson ${lesson}: config '${key}' must be ${choices} (default "${allowed[0]}"), not "${value}"; ` +
        `set it with: npm run lab -- up ${lesson} ${key}=${allowed[0]}`);
}

/**
 * Reads a numeric step of a lesson from config: a whole number from min to max, `fallback` when
 * unset. Anything else fails as `step` does: one line with the key, the value and what is allowed.
 */
export function numberStep(lesson: string, key: string, value: string | undefined, range: { min: number; max: number; fallback: number }): number {
    if (value === undefined || value === "") return range.fallback;
    const n = /^[1-9][0-9]*$/.test(value) ? Number(value) : NaN;
    if (n >= range.min && n <= range.max) return n;
    throw new pulumi.RunError(`lesson ${lesson}: config '${key}' must be a whole number from ${range.min} to ${range.max} (default ${range.fallback}), not "${value}"; ` +
        `set it with: npm run lab -- up ${lesson} ${key}=${range.fallback}`);
}

const replyLines = (stdout: string) => stdout.split("\n").filter((l) => /^\d+ bytes from /.test(l));

/** from pings `address` (which belongs to `owner`) and gets every reply; with ttl, every reply carries that TTL. */
export function reaches(from: Node, address: string, owner: string, opts: { ttl?: number; why?: string } = {}): Check {
    const { ttl, why } = opts;
    return {
        title: `${from.label} reaches ${owner} (${address})${why ? `: ${why}` : ""}`,
        argv: ping(from.ns, address),
        expect: ttl === undefined ? "exit 0: replies came back" : `exit 0, and every reply with ttl=${ttl}`,
        ok: (r) => {
            if (r.exitCode !== 0) return false;
            const replies = replyLines(r.stdout);
            return ttl === undefined || (replies.length > 0 && replies.every((l) => new RegExp(`\\bttl=${ttl}\\b`).test(l)));
        },
        evidence: (r) => replyLines(r.stdout),
        independent: true,
    };
}

/** from pings `address` and gets no reply at all. */
export function doesNotReach(from: Node, address: string, owner: string, why: string): Check {
    return {
        title: `${from.label} does not reach ${owner} (${address}): ${why}`,
        argv: ping(from.ns, address),
        expect: "non-zero exit and no reply",
        ok: (r) => r.exitCode !== 0 && replyLines(r.stdout).length === 0,
    };
}

/** from pings `address` and a router answers with ICMP "Destination Net Unreachable" (type 3, code 0). */
export function netUnreachable(from: Node, address: string, router: { label: string; address: string }): Check {
    const line = new RegExp(`^From ${router.address.replace(/\./g, "\\.")} icmp_seq=\\d+ Destination Net Unreachable$`, "m");
    return {
        title: `${from.label} -> ${address}: ${router.label} (${router.address}) answers "Destination Net Unreachable"`,
        argv: ping(from.ns, address),
        expect: `non-zero exit, no reply, and a line "From ${router.address} icmp_seq=N Destination Net Unreachable"`,
        ok: (r) => r.exitCode !== 0 && replyLines(r.stdout).length === 0 && line.test(r.stdout),
    };
}

/**
 * The hops `traceroute -n` lists from `from` to `address`, in order (the last one is the target).
 * ICMP echo probes (-I), one per hop (-q 1), one second for an answer (-w 1): the target answers
 * with an echo reply, which no router or host rate-limits, so the listing is the same every run.
 * (A router sends ICMP errors, such as Time Exceeded, to one destination about once a second
 * after a burst of 6: traceroute run in a tight loop shows `*` for the routers.)
 */
export function tracePath(from: Node, address: string, hops: readonly string[]): Check {
    return {
        title: `traceroute from ${from.label} to ${address} lists ${hops.join(", ")}`,
        argv: inNs(from.ns, "traceroute", "-n", "-I", "-q", "1", "-w", "1", "-m", String(hops.length + 3), address),
        expect: `hops, in order: ${hops.map((h, i) => `${i + 1} ${h}`).join(", ")}; nothing else`,
        ok: (r) => {
            const listed = r.stdout.split("\n").map((l) => /^\s*\d+\s+(\S+)/.exec(l)?.[1]).filter((h): h is string => h !== undefined);
            return r.exitCode === 0 && listed.join(" ") === hops.join(" ");
        },
        evidence: (r) => r.stdout.split("\n").filter((l) => /^\s*\d+\s/.test(l)).map((l) => l.trim()),
    };
}

/** A per-namespace sysctl has the given value: `ip netns exec NS sysctl -n KEY`. */
export function sysctlIs(node: Node, key: string, value: string, why: string): Check {
    return {
        title: `${key} is ${value} in ${node.label}: ${why}`,
        argv: inNs(node.ns, "sysctl", "-n", key),
        expect: `exit 0, output "${value}"`,
        ok: (r) => r.exitCode === 0 && r.stdout.trim() === value,
        independent: true,
    };
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * from sends one echo request to `address` (ping with `pingArgs`, such as `-t 2`) and, instead of
 * a reply, `sender` answers with the ICMP error whose text ping prints as `text` (its type and
 * code from stacks/icmp.ts): exactly the line "From SENDER icmp_seq=1 TEXT", and no reply. ping
 * returns as soon as the error arrives.
 */
export function icmpErrorFrom(from: Node, address: string, pingArgs: string[], sender: { label: string; address: string }, text: string, why: string): Check {
    const icmp = icmpKindOf(text);
    const line = new RegExp(`^From ${escapeRe(sender.address)} icmp_seq=1 ${escapeRe(text)}$`, "m");
    return {
        title: `${from.label} -> ${address} (ping ${pingArgs.join(" ")}): ${sender.label} (${sender.address}) answers ICMP type ${icmp.type} code ${icmp.code}: ${why}`,
        argv: inNs(from.ns, "ping", "-n", "-c", "1", "-W", "1", ...pingArgs, address),
        expect: `non-zero exit, no reply, and the line "From ${sender.address} icmp_seq=1 ${text}"`,
        ok: (r) => r.exitCode !== 0 && replyLines(r.stdout).length === 0 && line.test(r.stdout),
        evidence: (r) => r.stdout.split("\n").filter((l) => l.startsWith("From ")),
    };
}

/** A captured line with its runs of spaces made one (tcpdump pads the interface and the direction with -i any). */
const squeezed = (l: string) => l.trim().replace(/\s+/g, " ");

/**
 * What tcpdump in `at` sees while `from` sends one echo request to `address`: exactly the lines
 * `want`, in order, each the start of a captured line (runs of spaces count as one, so
 * "gw-veth0 In IP 192.0.2.1 > 198.51.100.1: ICMP echo request" matches tcpdump's padded line,
 * whatever its id; a RegExp is matched against the squeezed line instead). The capture (`-i any` unless `iface`, filter `icmp` unless given) is started
 * before the ping and stopped after it; `replies` says whether the ping must get its reply.
 */
export function seenOnTheWire(at: Node, from: Node, address: string, want: readonly (string | RegExp)[], why: string,
    opts: { iface?: string; filter?: string[]; replies?: boolean; pingArgs?: string[] } = {}): Check {
    const filter = opts.filter ?? ["icmp"];
    const replies = opts.replies ?? true;
    return {
        title: `tcpdump in ${at.label}${opts.iface ? ` on ${opts.iface}` : ""} while ${from.label} pings ${address}: ${why}`,
        argv: inNs(from.ns, "ping", "-n", "-c", "1", "-W", "1", ...(opts.pingArgs ?? []), address),
        // One line more than wanted is waited for (a short while) only when nothing may follow.
        capture: { namespace: at.ns, ...(opts.iface ? { iface: opts.iface } : {}), filter, count: replies ? want.length : want.length + 1, ms: replies ? 3000 : 500 },
        expect: `${replies ? "exit 0" : "non-zero exit (no reply)"}, and exactly these captured lines, in order: ${want.map((w) => (typeof w === "string" ? `"${w} ..."` : String(w))).join(", ")}`,
        ok: (r) => {
            const got = (r.captured ?? []).map(squeezed);
            return (replies ? r.exitCode === 0 : r.exitCode !== 0) && got.length === want.length
                && want.every((w, i) => (typeof w === "string" ? got[i]!.startsWith(squeezed(w)) : w.test(got[i]!)));
        },
        evidence: (r) => (r.captured ?? []).map((l) => l.trim()),
    };
}
