// Namespace: a network namespace with its loopback up (`ip netns add NAME`).
import { statSync } from "node:fs";
import { z } from "zod";
import { resourceClass, type ResourceClass } from "./dynamic";
import { adopt, adoptFrom, nsname } from "./fields";
import { defineKind, type KindDef, type ArgsOf, type SpecOf } from "./kind";
import { claimOf, formatMark, mayDelete, leftAlone, onExisting, type Claim } from "./owner";
import { exec, ipJson, mustRun, NetnsError, privileged, warn, type Subject } from "./run";

// The inputs, one doc comment each (kept apart and typed by name so that the published .d.ts keeps the comments).
const fields = {
    /** The namespace's name, as in `ip netns add NAME`: a file name under /run/netns (letters, digits, `_ . -`, up to 64). A change replaces it. */
    name: nsname,
    /** Take over a namespace that already exists instead of failing: one without an ownership mark, or marked by this stack. Destroy then deletes it. */
    adopt,
    /** `PROJECT/STACK`: take over a namespace marked by that other stack (implies adopt). Without it, another stack's namespace is refused. */
    adoptFrom,
};
const schema: z.ZodObject<typeof fields, z.core.$strict> = z.strictObject(fields);

/** The inputs of a Namespace after check (defaults applied): the provider's view. */
export type NamespaceSpec = SpecOf<typeof schema>;

export const argv = {
    add: (name: string) => ["ip", "netns", "add", name],
    /** Brings lo up and, with a mark, writes the namespace's ownership mark as lo's alias. */
    loUp: (name: string, mark?: string) => ["ip", "-n", name, "link", "set", "dev", "lo", "up", ...(mark === undefined ? [] : ["alias", mark])],
    /** lo, whose alias (`ifalias`) is the namespace's ownership mark. */
    lo: (name: string) => ["ip", "-n", name, "-j", "link", "show", "dev", "lo"],
    del: (name: string) => ["ip", "netns", "del", name],
};

const GONE = /No such file or directory|Cannot (remove|open) namespace/;

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

/** Whose the namespace is, by the mark in its lo's alias; undefined when it cannot be read (gone). */
async function claim(s: Subject, name: string): Promise<Claim | undefined> {
    const r = await ipJson<{ ifalias?: string }>(s, argv.lo(name));
    return r.exitCode === 0 ? claimOf(r.value[0]?.ifalias, s.owner) : undefined;
}

/** The Namespace kind: a network namespace with its loopback up. */
export const namespace: KindDef<"Namespace", typeof schema, {}> = defineKind({
    kind: "Namespace",
    schema,
    computed: {},
    namespaces: ["name"],
    claims: (on) => [
        on(["name", "adopt"], (a) => [
            { claim: `netns ${a.name}`, property: "name", what: `"${a.name}"`, why: "one stack cannot create two namespaces with one name" },
            { namespace: a.name, adopt: a.adopt === true },
        ]),
    ],
    diff: { replace: ["name"], update: [] },
    id: (a) => a.name,

    async create(s, a) {
        let add = await exec(s, argv.add(a.name));
        if (add.exitCode !== 0 && /File exists/.test(add.stderr) && namespaceFile(a.name) === "leftover") {
            // The empty file of an interrupted `ip netns add` holds nothing: remove it, add again.
            await mustRun(s, argv.del(a.name));
            add = await exec(s, argv.add(a.name));
        }
        if (add.exitCode !== 0) {
            const exists = /File exists/.test(add.stderr);
            // Whose it is decides: this resource's own (its create was lost) is taken back; an
            // unmarked one or this stack's with adopt; another stack's only with adoptFrom.
            const found = exists ? await claim(s, a.name) : undefined;
            const verdict = found ? onExisting(found, `namespace ${a.name}`, s.owner, a.adopt, a.adoptFrom,
                `a namespace named ${a.name} already exists: remove it with 'ip netns del ${a.name}', or set adopt: true to manage it from now on (destroy will then delete it)`) : undefined;
            if (!verdict?.take) {
                throw new NetnsError(s, privileged(argv.add(a.name)), add.exitCode, add.stderr, verdict?.hint ?? (exists
                    ? `a namespace named ${a.name} already exists but cannot be entered; remove it with 'ip netns del ${a.name}' if it is a leftover`
                    : "ip netns add failed; see stderr"));
            }
        }
        try {
            // lo up, and the mark: made here, adopted (then this stack's from now on) or taken back.
            await mustRun(s, argv.loUp(a.name, s.owner && formatMark(s.owner)));
        } catch (e) {
            if (add.exitCode === 0) await exec(s, argv.del(a.name)); // made here: leave nothing half-made
            throw e;
        }
        return { ...a };
    },

    async read(_s, o) {
        return namespaceExists(o.name) ? { ...o } : undefined;
    },

    async update(_s, _olds, news) {
        return { ...news };
    },

    async delete(s, o) {
        // Another stack's namespace (one that declared the same name) is left alone.
        const found = namespaceExists(o.name) ? await claim(s, o.name) : undefined;
        if (found && !mayDelete(found)) {
            warn(s, leftAlone(found, `namespace ${o.name}`));
            return;
        }
        const r = await exec(s, argv.del(o.name));
        if (r.exitCode !== 0 && !GONE.test(r.stderr)) {
            throw new NetnsError(s, privileged(argv.del(o.name)), r.exitCode, r.stderr, "the namespace could not be removed; a process may still hold it (see 'ip netns pids " + o.name + "')");
        }
    },
});

/** The arguments of a Namespace: each input of its schema, as a `pulumi.Input`. */
export type NamespaceArgs = ArgsOf<typeof schema>;

/** A network namespace, created with its loopback up. Every input is an output too. */
export const Namespace: ResourceClass<typeof namespace> = resourceClass(namespace);
export type Namespace = InstanceType<typeof Namespace>;

/** The definition under its earlier name. */
export const namespaceImpl = namespace;
