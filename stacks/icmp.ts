// What ping prints for an ICMP error, read back as the message's type and code.
// iputils ping prints each error it receives as one line, "From ADDRESS icmp_seq=N TEXT", where
// TEXT is a fixed string per type and code (pr_icmph() in iputils' ping); the table below is that
// mapping, for the errors the lessons meet. So the line names the router that sent the error and,
// without ambiguity, the type and code: reading it needs no capture running beside the command,
// no second process and no wait for a capture to start.
import { inNs, type Check, type Node } from "./lesson";

export interface IcmpKind {
    type: number;
    code: number;
    /** The name of RFC 792 (and seed 002). */
    name: string;
}

/** ping's text for an ICMP error -> its type and code. */
export const PING_ERRORS: Record<string, IcmpKind> = {
    "Destination Net Unreachable": { type: 3, code: 0, name: "net unreachable" },
    "Destination Host Unreachable": { type: 3, code: 1, name: "host unreachable" },
    "Destination Protocol Unreachable": { type: 3, code: 2, name: "protocol unreachable" },
    "Destination Port Unreachable": { type: 3, code: 3, name: "port unreachable" },
    "Frag needed and DF set": { type: 3, code: 4, name: "fragmentation needed" },
    "Time to live exceeded": { type: 11, code: 0, name: "time exceeded in transit" },
};

export interface IcmpError extends IcmpKind {
    from: string;
    seq: number;
    text: string;
}

/** The type and code of one of ping's error texts ("Frag needed and DF set (mtu = 500)" too); type -1 for text ping does not map. */
export function icmpKindOf(text: string): IcmpKind {
    return Object.entries(PING_ERRORS).find(([t]) => text === t || text.startsWith(`${t} `))?.[1] ?? { type: -1, code: -1, name: "unknown" };
}

/** Every ICMP error line of ping's output, with its sender, type and code (text ping does not map: type -1). */
export function pingErrors(stdout: string): IcmpError[] {
    const out: IcmpError[] = [];
    for (const line of stdout.split("\n")) {
        const m = /^From (\S+?)(?: \(\S+\))? icmp_seq=(\d+) (.+?)\s*$/.exec(line);
        if (!m) continue;
        const text = m[3]!;
        out.push({ from: m[1]!, seq: Number(m[2]), text, ...icmpKindOf(text) });
    }
    return out;
}

const replyLines = (stdout: string) => stdout.split("\n").filter((l) => /^\d+ bytes from /.test(l));

/**
 * from pings `address` and gets, instead of replies, the ICMP error `text` from `sender` (at
 * least once, and nothing else). One echo by default: ping returns as soon as its error arrives
 * (an error counts as its answer), and `waitSeconds` bounds the wait for it. With `echoes` > 1,
 * the echoes go `interval` seconds apart and the last one waits `waitSeconds`.
 */
export function icmpError(from: Node, address: string, sender: { label: string; address: string }, text: keyof typeof PING_ERRORS & string,
    opts: { waitSeconds: number; echoes?: number; interval?: number; why: string }): Check {
    const k = PING_ERRORS[text]!;
    const { waitSeconds, echoes = 1, interval = 1, why } = opts;
    const timing = echoes > 1 ? ["-c", String(echoes), "-i", String(interval)] : ["-c", "1"];
    return {
        title: `${from.label} -> ${address}: ${sender.label} (${sender.address}) answers ICMP type ${k.type} code ${k.code}, ${k.name} ("${text}"): ${why}`,
        argv: inNs(from.ns, "ping", "-n", ...timing, "-W", String(waitSeconds), address),
        expect: `non-zero exit, no reply, and only lines "From ${sender.address} icmp_seq=N ${text}" (type ${k.type} code ${k.code}), at least one`,
        ok: (r) => {
            const errors = pingErrors(r.stdout);
            return r.exitCode !== 0 && replyLines(r.stdout).length === 0 && errors.length > 0
                && errors.every((e) => e.from === sender.address && e.type === k.type && e.code === k.code);
        },
    };
}
