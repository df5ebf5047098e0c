// What the tests need to know about the host: our namespaces and the host's own links, read with
// `ip -j` through the provider's command module. Used by the leak check of every test layer.
import { exec } from "../../provider/host/run";

const who = { kind: "Test", name: "leak-check", op: "read" as const };

export async function namespaces(): Promise<string[]> {
    const r = await exec(who, ["ip", "-j", "netns", "list"]);
    const text = r.stdout.trim();
    return text ? (JSON.parse(text) as { name: string }[]).map((n) => n.name) : [];
}

/** Names of the links in the host's own namespace. Nothing of ours may ever appear there. */
export async function hostLinks(): Promise<string[]> {
    const r = await exec(who, ["ip", "-j", "link", "show"]);
    return (JSON.parse(r.stdout || "[]") as { ifname: string }[]).map((l) => l.ifname).sort();
}

/** Deletes the namespaces whose names start with prefix, and only those. */
export async function removeNamespaces(prefix: string): Promise<string[]> {
    const mine = (await namespaces()).filter((n) => n.startsWith(prefix));
    for (const n of mine) await exec({ ...who, op: "delete" }, ["ip", "netns", "del", n]);
    return mine;
}

/**
 * Settings of the host's own namespace that a Sysctl of this project could change if it ever
 * escaped its namespace: every key the lessons and tests set. Only read, never written.
 */
export const WATCHED_SYSCTLS = [
    "net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding", "net.ipv4.conf.default.forwarding", "net.ipv6.conf.all.forwarding",
    "net.ipv4.conf.all.rp_filter", "net.ipv4.conf.default.rp_filter", "net.ipv4.ip_default_ttl", "net.ipv4.icmp_echo_ignore_all",
    "net.ipv4.tcp_rmem", "net.ipv4.ip_local_port_range", "net.core.somaxconn", "net.unix.max_dgram_qlen", "net.ipv6.conf.default.hop_limit",
];

/** The host's values of WATCHED_SYSCTLS (a key the host does not have is left out). */
export async function hostSysctls(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const key of WATCHED_SYSCTLS) {
        const r = await exec(who, ["sysctl", "-n", key]);
        if (r.exitCode === 0) out[key] = r.stdout.trim().split(/\s+/).join(" ");
    }
    return out;
}

// The run's snapshot, taken by the global setup before any test and handed to the test workers
// through the environment, so that every leak check compares against it.
const SYSCTLS_ENV = "NETNS_TEST_HOST_SYSCTLS";

export function recordHostSysctls(values: Record<string, string>): void {
    process.env[SYSCTLS_ENV] = JSON.stringify(values);
}

/**
 * The run's snapshot of the host's settings. A missing or empty snapshot is an error, not a
 * reason to skip the comparison: a leak check that compares nothing cannot fail.
 */
export function recordedHostSysctls(): Record<string, string> {
    const raw = process.env[SYSCTLS_ENV];
    if (!raw) {
        throw new Error(`the host-sysctl snapshot (${SYSCTLS_ENV}) is missing: test/support/global-setup.ts takes it before the first test; ` +
            "run the tests through vitest with vitest.config.mts (npm test, or npx vitest run FILE), not in a way that skips the global setup");
    }
    const values = JSON.parse(raw) as Record<string, string>;
    if (Object.keys(values).length === 0) {
        throw new Error(`the host-sysctl snapshot (${SYSCTLS_ENV}) is empty: none of ${WATCHED_SYSCTLS.join(", ")} could be read with sysctl -n`);
    }
    return values;
}

export interface LeakReport {
    namespaces: string[];
    hostLinks: string[];
    /** Host settings that differ from the snapshot, as "key: before -> now". */
    sysctls: string[];
}

/**
 * What survived: namespaces with our prefix, host links that did not exist before, and host
 * settings (WATCHED_SYSCTLS) that differ from the snapshot (the run's, unless one is given).
 * Runs before any clean-up (test/support/lifecycle.ts): deleting a namespace also deletes a veth
 * whose other end escaped into the host namespace, which would hide that leak.
 */
export async function leaks(prefix: string, hostLinksBefore: string[], sysctlsBefore: Record<string, string> = recordedHostSysctls()): Promise<LeakReport> {
    const before = new Set(hostLinksBefore);
    const now = await hostSysctls();
    return {
        namespaces: (await namespaces()).filter((n) => n.startsWith(prefix)),
        hostLinks: (await hostLinks()).filter((l) => !before.has(l)),
        sysctls: Object.entries(sysctlsBefore).filter(([k, v]) => now[k] !== v).map(([k, v]) => `${k}: ${v} -> ${now[k] ?? "(gone)"}`),
    };
}

export function describeLeaks(r: LeakReport): string | undefined {
    const parts = [];
    if (r.namespaces.length) parts.push(`namespaces left behind: ${r.namespaces.join(", ")}`);
    if (r.hostLinks.length) parts.push(`new links in the host namespace: ${r.hostLinks.join(", ")}`);
    if (r.sysctls?.length) parts.push(`host settings changed: ${r.sysctls.join(", ")}`);
    return parts.length ? parts.join("; ") : undefined;
}
