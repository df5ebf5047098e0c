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
    // A name that `ip -batch` would cut (a quote ends the word, '#' starts a comment) is left out too.
    if (m.kind === undefined || m.name === undefined || !KIND.test(m.kind) || /[\n\r\0"#]/.test(m.name)) return owner;
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

/** Whose an existing object is, seen from the stack that meets it. */
export type Claim =
    /** No mark: made by hand, by another tool, or by a release of pulumi-netns before marks. */
    | { by: "nobody" }
    /** Marked by this stack for this very resource (same kind and name): its create was lost. */
    | { by: "this-resource"; mark: Mark }
    /** Marked by this stack for another of its resources. */
    | { by: "this-stack"; mark: Mark }
    /** Marked by another stack, or with a mark that does not parse (then `mark` is undefined). */
    | { by: "other"; mark?: Mark | undefined; text: string };

/**
 * Reads an alias as a claim. An alias that does not start with `pulumi-netns/` is no mark (a
 * hand-made alias); one that does but does not parse exactly is foreign. `me` is the mark this
 * resource writes; without it (a state from before marks) every mark is another's.
 */
export function claimOf(text: string | undefined | null, me: Mark | undefined): Claim {
    if (typeof text !== "string" || !text.startsWith("pulumi-netns/")) return { by: "nobody" };
    const mark = parseMark(text);
    if (!mark || !sameOwner(mark, me)) return { by: "other", mark, text };
    return mark.kind !== undefined && mark.kind === me!.kind && mark.name === me!.name ? { by: "this-resource", mark } : { by: "this-stack", mark };
}

/** `PROJECT/STACK`, as adoptFrom names an owner. */
export function ownerText(o: Owner): string {
    return `${o.project}/${o.stack}`;
}

/**
 * What create does with an object that already exists: take it over, or refuse with the hint
 * (the message's last line) that says whose it is. `what` names the object ("namespace ns1");
 * `unmarked` is the kind's own hint for an object without a mark.
 */
export function onExisting(claim: Claim, what: string, me: Mark | undefined, adopt: boolean, adoptFrom: string | undefined, unmarked?: string): { take: true } | { take: false; hint: string } {
    switch (claim.by) {
        case "this-resource":
            return { take: true }; // recovery: this resource made it, and the record of that was lost
        case "this-stack":
            return adopt || adoptFrom !== undefined ? { take: true }
                : { take: false, hint: `${what} belongs to this stack's ${claim.mark.kind ?? "resource"} ${claim.mark.name ?? "(name not recorded)"}: one stack cannot make it twice; give this one another name, or set adopt: true to take it over` };
        case "nobody":
            return adopt || adoptFrom !== undefined ? { take: true }
                : { take: false, hint: unmarked !== undefined ? `${unmarked} (it carries no ownership mark: made by hand, by another tool or by a release before marks)`
                    : `${what} already exists and carries no ownership mark: it was made by hand, by another tool or by a release before marks; remove it, give this one another name, or set adopt: true to take it over (destroy will then delete it)` };
        case "other": {
            if (!claim.mark) return { take: false, hint: `${what} carries an ownership mark that cannot be read (${JSON.stringify(claim.text)}), so it is treated as another stack's: give this one another name, or remove the object by hand if it is a leftover` };
            if (adoptFrom === ownerText(claim.mark)) return { take: true };
            return { take: false, hint: `${what} belongs to ${describeOwner(claim.mark)}: ${wayOut(claim.mark, me)}` };
        }
    }
}

/** How to get out of a collision with another stack's object. */
function wayOut(owner: Mark, me: Mark | undefined): string {
    const take = `or, to take it over on purpose, set adopt: true and adoptFrom: "${ownerText(owner)}"`;
    if (owner.project === "pulumi-netns" && (me === undefined || me.project === "pulumi-netns")) {
        // The lab's stacks are named after their lessons (lab/cli.ts).
        return `destroy that stack first (npm run lab -- destroy ${owner.stack}), or run this one under a prefix (npm run lab -- up ${me?.stack ?? "LESSON"} prefix=b-)`;
    }
    return `destroy that stack first (pulumi destroy --stack ${owner.stack}, in project ${owner.project}), or give this one other names; ${take}`;
}

/** Whether delete may remove an object with this claim: never another stack's. */
export function mayDelete(claim: Claim): boolean {
    return claim.by !== "other";
}

/** The warning of a delete that leaves another stack's object alone. */
export function leftAlone(claim: Claim, what: string): string {
    const whose = claim.by === "other" && claim.mark ? describeOwner(claim.mark) : "another stack (its mark cannot be read)";
    return `${what} belongs to ${whose}, not to this stack: left in place, and dropped from this stack's state`;
}
