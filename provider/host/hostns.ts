// The host's own network namespace is never a target. Every resource names a namespace, and a
// name is a file under /run/netns; but such a file can be bound to the host's namespace
// (`ip netns attach NAME 1`, or a tool that does the same), also after the resource was made.
// Then `ip -n NAME ...` and `ip netns exec NAME sysctl -w ...` would change the host itself.
// `check` (preview, and before every create and update) refuses any namespace input that is the
// namespace this provider runs in or PID 1's, and every provider method that acts (create, read,
// update, delete: impl.ts; destroy and deletes never run check) refuses it again before it runs
// anything (refuseHostNamespace). There is no opt-in: nothing here ever acts on the host's network.
// What remains: a re-binding between this stat and the `ip` that follows is not seen.
import { hostOf, NetnsError, type Subject } from "./run";

/**
 * The files whose namespace is the host's: the one this process runs in, and PID 1's. Tests add a
 * sandbox's namespace (`/proc/PID/ns/net` of an `unshare -n sleep`) to stand for the host, so
 * that a refusal is shown without ever pointing a resource at the real host; entries are only
 * ever added, so this can never make the real host's namespace acceptable.
 */
export const hostNamespacePaths: string[] = ["/proc/self/ns/net", "/proc/1/ns/net"];

/** Which of hostNamespacePaths /run/netns/NAME is the namespace of, or undefined (absent, or not the host's). */
async function hostMatch(name: string, where: Pick<Subject, "host">): Promise<string | undefined> {
    const host = hostOf(where);
    const it = await host.fileId(`/run/netns/${name}`);
    if (it === undefined) return undefined;
    for (const p of hostNamespacePaths) if ((await host.fileId(p)) === it) return p;
    return undefined;
}

/** Whether /run/netns/NAME exists and is the host's own network namespace. */
export async function isHostNamespace(name: string, where: Pick<Subject, "host"> = {}): Promise<boolean> {
    return (await hostMatch(name, where)) !== undefined;
}

/** The namespace inputs (a kind's `namespaces`) that name the host's own namespace, with their value. */
async function hostInputs(namespaceInputs: readonly string[], inputs: Record<string, unknown>, where: Pick<Subject, "host">): Promise<{ property: string; name: string; host: string }[]> {
    const found: { property: string; name: string; host: string }[] = [];
    for (const property of namespaceInputs) {
        const name = inputs[property];
        const host = typeof name === "string" && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name) ? await hostMatch(name, where) : undefined;
        if (host !== undefined) found.push({ property, name: name as string, host });
    }
    return found;
}

/** One failure per namespace input (a kind's `namespaces`) that names the host's own namespace. */
export async function hostNamespaceFailures(namespaceInputs: readonly string[], inputs: Record<string, unknown>, where: Pick<Subject, "host"> = {}): Promise<{ property: string; reason: string }[]> {
    return (await hostInputs(namespaceInputs, inputs, where)).map(({ property, name }) =>
        ({ property, reason: `"${name}" is the host's own network namespace (/run/netns/${name} is bound to it); pulumi-netns never changes the host's network: use a namespace of your own` }));
}

/** A provider method refused before running anything: a namespace it would act on is the host's. */
export class HostNamespaceError extends NetnsError {
    constructor(subject: Subject, readonly property: string, readonly namespace: string, host: string) {
        const hint = `nothing was run: pulumi-netns never acts on the host's network. /run/netns/${namespace} was bound to the host's namespace after this resource was made (ip netns attach, or a bind mount); `
            + `undo that binding (umount /run/netns/${namespace}) and run the command again, or, if the object is gone, drop it from the state with pulumi state delete`;
        super(subject, [], undefined, "", hint);
        this.name = "HostNamespaceError";
        this.message = [`${subject.kind} "${subject.name}" ${subject.op} refused: ${property} "${namespace}" is the host's own network namespace`,
            `  namespace: /run/netns/${namespace} is the namespace of ${host} (same device and inode)`, `  hint:    ${hint}`].join("\n");
    }
}

/** Throws HostNamespaceError when a namespace input of any of `props` is the host's own namespace. */
export async function refuseHostNamespace(subject: Subject, namespaceInputs: readonly string[], ...props: Record<string, unknown>[]): Promise<void> {
    for (const p of props) {
        const [first] = await hostInputs(namespaceInputs, p, subject);
        if (first) throw new HostNamespaceError(subject, first.property, first.name, first.host);
    }
}
