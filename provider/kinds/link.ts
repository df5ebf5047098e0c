// The create of one interface that lives in one namespace (Bridge, Tunnel): the part every such
// kind does alike, written once.
//   ip -n NS -batch -   <<< "link add name NAME ... type KIND ..." + "link set dev NAME alias MARK"
// then the kind's own steps (an MTU that must stick, inline entries, a read back), and on any
// failure of those the link is deleted: the create is all or nothing. What a failed or killed add
// made is removed only on proof that this create made it (ownership/made.ts); "File exists" asks
// the existing link's mark whose it is (ownership/owner.ts): taken back, adopted, or refused
// naming its owner.
import { exec, KilledError, NetnsError, shown, type Result, type Subject } from "../host/run";
import { ipSays } from "../host/tools";
import { addMade, markedByThisResource } from "../ownership/made";
import { claimOf, formatMark, onExisting } from "../ownership/owner";

/** One interface, its name and namespace. */
export interface Where { name: string; namespace: string }

export interface OneLink<T> {
    /** What the link is, in words: "bridge", "tunnel". */
    what: string;
    /** The `ip ... link add` argv without a mark. */
    add: string[];
    /** The link as read now (its alias is its mark), or undefined when it is not there. */
    show(): Promise<{ alias?: string | undefined } | undefined>;
    /** The argv that deletes the link. */
    del: string[];
    /** The hint for a failed add, from its stderr. */
    hint(stderr: string): string;
    /** Whether the object's `adopt` / `adoptFrom` inputs ask for a take-over. */
    adopt: boolean;
    adoptFrom: string | undefined;
    /** Takes over the existing link (adoption, or this resource's own from a lost create). */
    takeOver(): Promise<T>;
    /** What follows a successful add; any failure in it deletes the link. */
    after(): Promise<T>;
}

/**
 * With an ownership mark: the add and the link's alias in one process (`ip link add` ignores an
 * alias). The mark never holds a quote or a '#' (owner.ts), which a batch line would cut.
 */
export function addMarked(add: readonly string[], name: string, mark: string): { argv: string[]; input: string } {
    const at = add.indexOf("link");
    return { argv: [...add.slice(0, at), "-batch", "-"], input: [add.slice(at).join(" "), `link set dev ${name} alias "${mark}"`, ""].join("\n") };
}

/** Makes one link as `l` says, all or nothing (see the top of this file). */
export async function createLink<T>(s: Subject, w: Where, l: OneLink<T>): Promise<T> {
    const mark = s.owner && formatMark(s.owner);
    const req = mark === undefined ? { argv: l.add, input: undefined } : addMarked(l.add, w.name, mark);
    let add: Result;
    try {
        add = await exec(s, req.argv, req.input);
    } catch (e) {
        // Killed (the 60 s limit, a signal): what it made is unknown. Removed only when it
        // carries this resource's mark (made.ts); an unmarked one may be someone else's.
        if (!(e instanceof KilledError)) throw e;
        const ours = markedByThisResource(s, (await l.show())?.alias);
        if (ours) await exec(s, l.del);
        throw new KilledError(s, e.argv, e.stderr, ours
            ? `the add was killed before it finished (the system is overloaded, or a tool kills processes); the ${l.what} it made was removed: run pulumi up again`
            : `the add was killed before it finished (the system is overloaded, or a tool kills processes), and nothing proves that it made ${w.name} in ${w.namespace} (no mark of this resource), so nothing was removed: if ${w.name} exists there and is not yours to keep, remove it (ip -n ${w.namespace} link del dev ${w.name}), then run pulumi up again`,
            e.input, e.stdout, e.signal);
    }
    // In a batch, a failure after the add (the alias) leaves a link that was made here: remove
    // it, but only on proof that this add made it (made.ts): an error before line 1 ran leaves
    // an interface of this name that is someone else's.
    if (add.exitCode !== 0 && mark !== undefined && addMade(add, w.name, true)) await exec(s, l.del);
    if (add.exitCode !== 0) {
        if (ipSays(add.stderr, "exists")) {
            const found = await l.show();
            const verdict = found ? onExisting(claimOf(found.alias, s.owner), `interface ${w.name} in ${w.namespace}`, s.owner, l.adopt, l.adoptFrom, l.hint(add.stderr)) : undefined;
            if (verdict?.take) return l.takeOver();
            throw new NetnsError(s, shown(s, req.argv), add.exitCode, add.stderr, verdict?.hint ?? l.hint(add.stderr), req.input);
        }
        throw new NetnsError(s, shown(s, req.argv), add.exitCode, add.stderr, l.hint(add.stderr), req.input);
    }
    try {
        return await l.after();
    } catch (e) {
        await exec(s, l.del); // leave nothing behind
        throw e;
    }
}
