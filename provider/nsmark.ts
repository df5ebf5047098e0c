// A namespace's ownership mark (the alias of its lo, owner.ts), read by the Namespace kind and by
// the kinds that live inside a namespace without a mark of their own (routes, rules, addresses,
// sysctls): whose the namespace is decides for them. Kept apart from namespace.ts so that the
// kinds can read it without importing each other.
import { claimOf, leftAlone, mayDelete, type Claim } from "./owner";
import { warn, type Subject } from "./run";
import { ipRead } from "./reads";

export const loArgv = (name: string) => ["ip", "-n", name, "-j", "link", "show", "dev", "lo"];

/**
 * Whose the namespace is, by the mark in its lo's alias; undefined when the namespace is gone.
 * A read that fails otherwise throws (reads.ts): whose it is stays unknown, so nothing in it may
 * be deleted.
 */
export async function namespaceClaim(s: Subject, name: string): Promise<Claim | undefined> {
    const r = await ipRead<{ ifalias?: string }>(s, loArgv(name), { namespace: name, device: "lo", what: `the ownership mark of namespace ${name} (lo's alias)` });
    return r === undefined ? undefined : claimOf(r[0]?.ifalias, s.owner);
}

/**
 * Whether delete must leave an object inside namespace `ns` in place because the namespace is
 * another stack's (two stacks that declared the same route must not remove each other's); warns
 * when so. `what` names the object ("route 192.0.2.0/24 in ns1").
 */
export async function inAnotherStacksNamespace(s: Subject, ns: string, what: string): Promise<boolean> {
    const found = await namespaceClaim(s, ns);
    if (!found || mayDelete(found)) return false;
    warn(s, leftAlone(found, `${what}, whose namespace ${ns}`));
    return true;
}
