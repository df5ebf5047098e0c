// What the tests need to know about the host: our namespaces and the host's own links, read with
// `ip -j` through the provider's command module. Used by the leak check of every test layer.
import { exec } from "../../provider/run";

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

export interface LeakReport {
    namespaces: string[];
    hostLinks: string[];
}

/**
 * What survived: namespaces with our prefix, and host links that did not exist before.
 * Every integration and end-to-end test calls this after it cleaned up.
 */
export async function leaks(prefix: string, hostLinksBefore: string[]): Promise<LeakReport> {
    const before = new Set(hostLinksBefore);
    return {
        namespaces: (await namespaces()).filter((n) => n.startsWith(prefix)),
        hostLinks: (await hostLinks()).filter((l) => !before.has(l)),
    };
}

export function describeLeaks(r: LeakReport): string | undefined {
    const parts = [];
    if (r.namespaces.length) parts.push(`namespaces left behind: ${r.namespaces.join(", ")}`);
    if (r.hostLinks.length) parts.push(`new links in the host namespace: ${r.hostLinks.join(", ")}`);
    return parts.length ? parts.join("; ") : undefined;
}
