// The host's own network namespace is never a target. Every resource names a namespace, and a
// name is a file under /run/netns; but such a file can be bound to the host's namespace
// (`ip netns attach NAME 1`, or a tool that does the same). Then `ip -n NAME ...` and
// `ip netns exec NAME sysctl -w ...` would change the host itself. `check` (which runs in
// preview and again before every create and update) refuses any namespace input that is the
// namespace this provider runs in or PID 1's. There is no opt-in: nothing here ever acts on
// the host's network.
import { statSync } from "node:fs";
import type { CheckFailure } from "./schemas";

function inode(path: string): string | undefined {
    try {
        const st = statSync(path, { bigint: true });
        return `${st.dev}:${st.ino}`;
    } catch {
        return undefined; // absent, or not readable by this user: nothing to compare
    }
}

/** The namespaces that are the host's: the one this process runs in, and PID 1's. */
function hostNamespaces(): Set<string> {
    return new Set([inode("/proc/self/ns/net"), inode("/proc/1/ns/net")].filter((x): x is string => x !== undefined));
}

/** Whether /run/netns/NAME exists and is the host's own network namespace. */
export function isHostNamespace(name: string): boolean {
    const it = inode(`/run/netns/${name}`);
    return it !== undefined && hostNamespaces().has(it);
}

/** One failure per namespace input (a kind's `namespaces`) that names the host's own namespace. */
export function hostNamespaceFailures(namespaceInputs: readonly string[], inputs: Record<string, unknown>): CheckFailure[] {
    const failures: CheckFailure[] = [];
    for (const property of namespaceInputs) {
        const name = inputs[property];
        if (typeof name === "string" && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name) && isHostNamespace(name)) {
            failures.push({ property, reason: `"${name}" is the host's own network namespace (/run/netns/${name} is bound to it); pulumi-netns never changes the host's network: use a namespace of your own` });
        }
    }
    return failures;
}
