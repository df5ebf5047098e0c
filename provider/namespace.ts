// Namespace: a network namespace with its loopback up (`ip netns add NAME`).
import { statSync } from "node:fs";
import { z } from "zod";
import { resourceClass, type ResourceClass } from "./dynamic";
import { adopt, nsname } from "./fields";
import { defineKind, type KindDef, type ArgsOf, type SpecOf } from "./kind";
import { exec, mustRun, NetnsError, privileged } from "./run";

// The inputs, one doc comment each (kept apart and typed by name so that the published .d.ts keeps the comments).
const fields = {
    /** The namespace's name, as in `ip netns add NAME`: a file name under /run/netns (letters, digits, `_ . -`, up to 64). A change replaces it. */
    name: nsname,
    /** Take over a namespace that already exists instead of failing. Destroy then deletes it. */
    adopt,
};
const schema: z.ZodObject<typeof fields, z.core.$strict> = z.strictObject(fields);

/** The inputs of a Namespace after check (defaults applied): the provider's view. */
export type NamespaceSpec = SpecOf<typeof schema>;

export const argv = {
    add: (name: string) => ["ip", "netns", "add", name],
    loUp: (name: string) => ["ip", "-n", name, "link", "set", "dev", "lo", "up"],
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
            if (!(/File exists/.test(add.stderr) && a.adopt)) {
                throw new NetnsError(s, privileged(argv.add(a.name)), add.exitCode, add.stderr, /File exists/.test(add.stderr)
                    ? `a namespace named ${a.name} already exists (made by hand or by another stack): remove it with 'ip netns del ${a.name}', or set adopt: true to manage it from now on (destroy will then delete it)`
                    : "ip netns add failed; see stderr");
            }
        }
        try {
            await mustRun(s, argv.loUp(a.name));
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
