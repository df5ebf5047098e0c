// What /run/netns holds on a host: whether a named namespace is there. Here in the host layer,
// beside the reads (reads.ts), which ask it too.
import type { Host } from "./host";
import { hostOf, type Subject } from "./run";

/** Where a question about a namespace is asked: a Subject (its host), or a host itself. */
export type Where = Pick<Subject, "host"> | Host;

function hostIn(where: Where | undefined): Host {
    return where !== undefined && "run" in where ? where : hostOf(where ?? {});
}

/**
 * What /run/netns/NAME is: a namespace (a mount of nsfs, whose device differs from the
 * directory's), a leftover, or absent. `ip netns add` creates the file first and mounts the new
 * namespace on it second: killed in between (the CLI and its children SIGKILLed mid-create), it
 * leaves an empty file that is no namespace ("setting the network namespace ... failed: Invalid
 * argument"). Two stats, whatever the number of namespaces on the host.
 */
export async function namespaceFile(name: string, where?: Where): Promise<"namespace" | "leftover" | "absent"> {
    const host = hostIn(where);
    const [file, dir] = await Promise.all([host.fileId(`/run/netns/${name}`), host.fileId("/run/netns")]);
    if (file === undefined || dir === undefined) return "absent";
    return file.split(":")[0] !== dir.split(":")[0] ? "namespace" : "leftover";
}

/** Whether the named namespace exists (a leftover file of an interrupted `ip netns add` is none). */
export async function namespaceExists(name: string, where?: Where): Promise<boolean> {
    return (await namespaceFile(name, where)) === "namespace";
}

/** The names under /run/netns of a host. */
export async function namespaceNames(where?: Where): Promise<string[]> {
    return hostIn(where).list("/run/netns");
}
