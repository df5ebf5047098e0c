// What /run/netns holds: whether a named namespace is there. Here in the host layer, beside the
// reads (reads.ts), which ask it too: the Namespace kind, Sysctl and the lab's pre-check import it
// from here, so that no kind's file is imported for it.
import { statSync } from "node:fs";

/**
 * What /run/netns/NAME is: a namespace (a mount of nsfs, whose device differs from the
 * directory's), a leftover, or absent. `ip netns add` creates the file first and mounts the new
 * namespace on it second: killed in between (the CLI and its children SIGKILLed mid-create), it
 * leaves an empty file that is no namespace ("setting the network namespace ... failed: Invalid
 * argument"). Two stats, whatever the number of namespaces on the host.
 */
export function namespaceFile(name: string): "namespace" | "leftover" | "absent" {
    try {
        return statSync(`/run/netns/${name}`).dev !== statSync("/run/netns").dev ? "namespace" : "leftover";
    } catch {
        return "absent";
    }
}

/** Whether the named namespace exists (a leftover file of an interrupted `ip netns add` is none). */
export function namespaceExists(name: string): boolean {
    return namespaceFile(name) === "namespace";
}
