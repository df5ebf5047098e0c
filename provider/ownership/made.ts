// Proof that a failed create made an object: the clean-up after a failed create removes only what
// that create made, never an object that merely has the same name (one made by hand, or another
// stack's). What counts as proof:
// - the kernel's echo of the new link (`ip -echo -j link add`: its ifindex under its name);
// - `Command failed -:N` with N >= 2 from `ip -batch -`: line 1 (the add) succeeded. An argument
//   error (a `netns` or `master` that does not exist) makes `ip` exit before it prints that line,
//   so its absence proves nothing;
// - the object's ownership mark naming this very resource (owner.ts, "this-resource").
import { claimOf, leftAlone, mayDelete } from "./owner";
import { commonHint, exec, NetnsError, shown, warn, type Subject } from "../host/run";
import { ipSays } from "../host/tools";

/** Whether `ip -j` output holds the link `name` as the kernel echoes a new one (with its ifindex). */
export function echoed(stdout: string, name: string): boolean {
    for (const line of stdout.split("\n")) {
        if (!line.trim().startsWith("[")) continue;
        try {
            if ((JSON.parse(line) as { ifname?: unknown; ifindex?: unknown }[]).some((l) => l.ifname === name && typeof l.ifindex === "number")) return true;
        } catch { /* not JSON */ }
    }
    return false;
}

/** The batch line `ip -batch -` reported as failed (`Command failed -:N`), or undefined when it printed none. */
export function failedLine(stderr: string): number | undefined {
    const m = /Command failed -:(\d+)\b/.exec(stderr);
    return m ? Number(m[1]) : undefined;
}

/**
 * Whether a failed add proves by its own output that it made `name`: the echo of the new link,
 * or a batch whose first line (the add) succeeded.
 */
export function addMade(out: { stdout: string; stderr: string }, name: string, batch: boolean): boolean {
    if (echoed(out.stdout, name)) return true;
    const n = batch ? failedLine(out.stderr) : undefined;
    return n !== undefined && n >= 2;
}

/** Whether a live object's alias is this resource's own mark (never true without a mark to compare). */
export function markedByThisResource(s: Subject, alias: string | undefined): boolean {
    return s.owner !== undefined && claimOf(alias, s.owner).by === "this-resource";
}

/** What `ip link del` says when the link or its namespace is already gone. */

/**
 * The delete of an interface a VethPair or Bridge made: another stack's (one that declared the
 * same name; `live` is the link as read, with its alias) is left alone with a warning, and
 * already gone is success.
 */
export async function deleteLink(s: Subject, link: { name: string; namespace: string }, live: { alias?: string | undefined } | undefined, del: readonly string[]): Promise<void> {
    const found = live && claimOf(live.alias, s.owner);
    if (found && !mayDelete(found)) {
        warn(s, leftAlone(found, `interface ${link.name} in ${link.namespace}`));
        return;
    }
    const r = await exec(s, del);
    if (r.exitCode !== 0 && !ipSays(r.stderr, "gone")) throw new NetnsError(s, shown(s, del), r.exitCode, r.stderr, commonHint(r.stderr));
}
