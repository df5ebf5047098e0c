// A namespace's ownership mark (the alias of its lo, owner.ts), read by the Namespace kind and by
// the kinds that live inside a namespace without a mark of their own (routes, rules, addresses,
// sysctls): whose the namespace is decides for them. Kept apart from namespace.ts so that the
// kinds can read it without importing each other.
import { claimOf, formatMark, leftAlone, mayDelete, parseMark, sameOwner, type Claim, type Owner } from "./owner";
import { ipJson, mustRun, NetnsError, warn, type Subject } from "../host/run";
import { ipRead } from "../host/reads";
import { relationsOf } from "../model/relations";

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

/**
 * The links whose alias is the mark of an object of `kind` (owner.ts), from its stored properties,
 * as its definition says (relations.ts): a namespace's lo, the interfaces it makes. Addresses,
 * routes, rules, sysctls have none: their namespace's mark speaks for them.
 */
export function markedLinks(kind: string, o: Record<string, unknown>): { namespace: string; dev: string }[] {
    const at = (ns: unknown, dev: unknown) => (typeof ns === "string" && typeof dev === "string" ? [{ namespace: ns, dev }] : []);
    const rel = relationsOf(kind);
    return [
        ...(rel.namespaceName === undefined ? [] : at(o[rel.namespaceName], "lo")),
        ...(rel.links ?? []).flatMap((l) => at(o[l.namespace], o[l.name])),
    ];
}

/**
 * After the stack was renamed (`pulumi stack rename`), rewrites the marks of what this resource
 * made from its former owner `from` to `s.owner`, so that the old name owns nothing: a new stack
 * of that name would take them back as its own. A mark of neither is left alone and fails the
 * update (another stack's object); an unmarked object (made before marks) stays unmarked.
 */
export async function moveMarks(s: Subject, kind: string, o: Record<string, unknown>, from: Owner): Promise<void> {
    if (!s.owner) return;
    const to = formatMark(s.owner);
    for (const l of markedLinks(kind, o)) {
        const show = ["ip", "-n", l.namespace, "-j", "link", "show", "dev", l.dev];
        const r = await ipJson<{ ifalias?: string }>(s, show);
        if (r.exitCode !== 0) throw new NetnsError(s, show, r.exitCode, r.stderr, `${l.dev} in ${l.namespace} is gone: run pulumi refresh, then up`);
        const alias = r.value[0]?.ifalias;
        const claim = claimOf(alias, { ...from, kind: s.owner.kind, name: s.owner.name });
        if (claim.by === "nobody" || alias === to || sameOwner(parseMark(alias), s.owner)) continue;
        if (claim.by === "other") {
            throw new NetnsError(s, show, r.exitCode, "", `${l.dev} in ${l.namespace} carries the mark ${JSON.stringify(alias)}, not one of stack ${from.project}/${from.stack} (this stack's former name): it is left alone; if it is yours, set its alias by hand (ip -n ${l.namespace} link set dev ${l.dev} alias "${to}")`);
        }
        await mustRun(s, ["ip", "-n", l.namespace, "link", "set", "dev", l.dev, "alias", to]);
    }
}

/**
 * Whether namespace `ns` carries this stack's mark: what is inside it is this stack's, so a
 * create that meets its exact object there takes it over (the namespace was taken back after
 * `pulumi state delete --target-dependents`, or a run died before recording what it made).
 */
export async function inOwnNamespace(s: Subject, ns: string): Promise<boolean> {
    const found = await namespaceClaim(s, ns);
    return found?.by === "this-resource" || found?.by === "this-stack";
}
