// Ownership marks: every object the provider makes says which stack made it, so that one stack
// never deletes or adopts another's objects, and leftovers can be found after a lost state file.
//
// Where the mark lives (kernel limits: an alias is at most 255 bytes):
// - a namespace: the alias of its `lo` (`ip -n NS link set dev lo alias MARK`, read back as
//   `ifalias` by `ip -j link show dev lo`);
// - a veth end, a bridge: its own alias;
// - a route, a rule: the protocol number ROUTE_PROTO (`proto 77`). It tells the project's routes
//   from the kernel's and hand-made ones; the stack is the owner of the namespace they live in.
// A text that does not parse exactly is foreign: never taken for our own.

/** The stack that makes an object. */
export interface Owner {
    /** The Pulumi project's name. */
    project: string;
    /** The stack's name. */
    stack: string;
}

/** A mark: its owner, and the resource it was made for when that fits in the alias. */
export interface Mark extends Owner {
    kind?: string;
    name?: string;
}

/** The protocol number of the routes and rules this project makes (unassigned in iproute2's rt_protos). */
export const ROUTE_PROTO = 77;

const HEAD = "pulumi-netns/1";
/** The kernel's limit for an interface alias (IFALIASZ - 1). */
export const ALIAS_MAX = 255;
// Pulumi's own rule for project and stack names (letters, digits, '-', '_', '.'), without '/' or spaces.
const PART = /^[A-Za-z0-9_.-]{1,100}$/;
const KIND = /^[A-Z][A-Za-z]{1,31}$/;

/** Why `o` cannot be written into a mark, or undefined when it can. */
export function ownerProblem(o: Owner): string | undefined {
    if (!PART.test(o.project)) return `project name ${JSON.stringify(o.project)} cannot be written in an ownership mark (letters, digits, '-', '_', '.', up to 100)`;
    if (!PART.test(o.stack)) return `stack name ${JSON.stringify(o.stack)} cannot be written in an ownership mark (letters, digits, '-', '_', '.', up to 100)`;
    return undefined;
}

/**
 * The mark text: `pulumi-netns/1 PROJECT/STACK KIND NAME`. The resource's kind and name are left
 * out when the whole would not fit in an alias (the owner always fits: 15 + 201 bytes).
 */
export function formatMark(m: Mark): string {
    const problem = ownerProblem(m);
    if (problem) throw new Error(problem);
    const owner = `${HEAD} ${m.project}/${m.stack}`;
    if (m.kind === undefined || m.name === undefined || !KIND.test(m.kind) || /[\n\r\0]/.test(m.name)) return owner;
    const full = `${owner} ${m.kind} ${m.name}`;
    return Buffer.byteLength(full) <= ALIAS_MAX ? full : owner;
}

/** The mark in `text`, or undefined when the text is absent or not exactly a mark of ours. */
export function parseMark(text: string | undefined | null): Mark | undefined {
    if (typeof text !== "string" || Buffer.byteLength(text) > ALIAS_MAX) return undefined;
    const m = /^pulumi-netns\/1 ([^ /]+)\/([^ /]+)(?: ([A-Za-z]+) (.+))?$/.exec(text);
    if (!m) return undefined;
    const [, project = "", stack = "", kind, name = ""] = m;
    if (!PART.test(project) || !PART.test(stack)) return undefined;
    if (kind === undefined) return { project, stack };
    return KIND.test(kind) && !/[\n\r\0]/.test(name) ? { project, stack, kind, name } : undefined;
}

/** Whether two marks (or owners) name the same stack. */
export function sameOwner(a: Owner | undefined, b: Owner | undefined): boolean {
    return a !== undefined && b !== undefined && a.project === b.project && a.stack === b.stack;
}

/** How a message names the owner: `stack router-lab/router (Namespace ns1)`. */
export function describeOwner(m: Mark): string {
    return `stack ${m.project}/${m.stack}` + (m.kind !== undefined ? ` (${m.kind} ${m.name})` : "");
}
