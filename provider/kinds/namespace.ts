// Namespace: a network namespace with its loopback up (`ip netns add NAME`), and optionally its
// per-namespace sysctls (`sysctls`, inline.ts):
//   ip netns exec NAME sysctl -n KEY...             (the values before, kept in previousSysctls)
//   ip netns exec NAME sysctl -q -w KEY=VALUE...    (one process for all of them)
import { z } from "zod";
import { resourceClass, type ResourceClass } from "../engine/dynamic";
import { adopt, adoptFrom, nsname } from "../engine/fields";
import { defineKind, type KindDef, type ArgsOf, type SpecOf } from "../engine/kind";
import { formatMark, mayDelete, leftAlone, onExisting } from "../ownership/owner";
import { exec, mustRun, NetnsError, shown, warn, type Subject } from "../host/run";
import { ipSays } from "../host/tools";
import { loArgv, namespaceClaim } from "../ownership/nsmark";
import { namespaceExists, namespaceFile } from "../host/netns";
import { setSysctls, sysctlFacts, sysctlMap, sysctlValues } from "./inline";

const computed = {
    /** The value each key of sysctls had before this stack first set it; removing the key from sysctls writes it back. */
    previousSysctls: z.record(z.string(), z.string()),
};

function sysctlHint(name: string) {
    return (stderr: string): string | undefined => {
        if (/cannot stat|No such file or directory/.test(stderr)) return `a key of sysctls does not exist in ${name}'s /proc/sys on this kernel; check the spelling (interface keys need the interface first: use a Sysctl resource that depends on it)`;
        if (/Invalid argument/.test(stderr)) return "the kernel refused a value of sysctls";
        return undefined;
    };
}

/** Writes `news` over `olds` (both optional), restoring removed keys; returns the previous values kept. */
async function applySysctls(s: Subject, name: string, olds: Record<string, string> | undefined, news: Record<string, string> | undefined, previous: Record<string, string>): Promise<Record<string, string>> {
    const o = olds ?? {}, n = news ?? {};
    const restore = Object.fromEntries(Object.keys(o).filter((k) => !(k in n) && previous[k] !== undefined).map((k) => [k, previous[k]!]));
    const fresh = Object.keys(n).filter((k) => previous[k] === undefined);
    const before = await sysctlValues(s, name, fresh);
    const write = Object.fromEntries(Object.entries(n).filter(([k, v]) => o[k] !== v || before[k] !== undefined && before[k] !== v));
    await setSysctls(s, name, { ...restore, ...write }, sysctlHint(name));
    const kept = Object.fromEntries(Object.entries({ ...previous, ...before }).filter(([k]) => k in n));
    return kept;
}

// The inputs, one doc comment each (kept apart and typed by name so that the published .d.ts keeps the comments).
const fields = {
    /** The namespace's name, as in `ip netns add NAME`: a file name under /run/netns (letters, digits, `_ . -`, up to 64). A change replaces it. */
    name: nsname,
    /** Per-namespace sysctls, as in `ip netns exec NAME sysctl -w KEY=VALUE`: { "net.ipv4.ip_forward": "1" }, with the Sysctl kind's rules for keys and values. Adding, changing or removing a key updates the namespace in place; a removed key gets back the value it had before. Left out: none managed. */
    sysctls: sysctlMap.optional(),
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
    lo: loArgv,
    del: (name: string) => ["ip", "netns", "del", name],
    /** The processes whose network namespace it is (iproute2 compares each /proc/PID/ns/net). */
    pids: (name: string) => ["ip", "netns", "pids", name],
};

/**
 * Why the namespace must not lose its name while processes run inside: `ip netns del` only
 * unmounts and unlinks /run/netns/NAME, and the namespace lives on, unnamed, with its veth ends.
 */
function busyHint(name: string, pids: string[]): string {
    const [who, verb, it] = pids.length === 1 ? [`process ${pids[0]}`, "runs", "it"] : [`processes ${pids.join(", ")}`, "run", "them"];
    return `${who} still ${verb} in ${name}: deleting its name would leave the namespace alive, unnamed, with its interfaces; `
        + `stop ${it} (kill ${pids.join(" ")}, or end what started ${it}), then run the command again`;
}

/** The Namespace kind: a network namespace with its loopback up. */
export const namespace: KindDef<"Namespace", typeof schema, typeof computed> = defineKind({
    kind: "Namespace",
    schema,
    computed,
    namespaces: ["name"],
    // It is the namespace `name`: its mark is its lo's alias, and what lives in it goes with it.
    namespaceName: "name",
    claims: (on) => [
        on(["name", "adopt"], (a) => [
            { claim: `netns ${a.name}`, property: "name", what: `"${a.name}"`, why: "one stack cannot create two namespaces with one name" },
            { namespace: a.name, adopt: a.adopt === true },
        ]),
        on(["name", "sysctls"], (a) => sysctlFacts(a.name, a.sysctls)),
    ],
    // A sysctls map left out manages nothing: the values it set are written back.
    diff: { replace: ["name"], update: ["sysctls"], clear: ["sysctls"] },
    id: (a) => a.name,

    async create(s, a) {
        let add = await exec(s, argv.add(a.name));
        if (add.exitCode !== 0 && ipSays(add.stderr, "exists") && (await namespaceFile(a.name, s)) === "leftover") {
            // The empty file of an interrupted `ip netns add` holds nothing: remove it, add again.
            await mustRun(s, argv.del(a.name));
            add = await exec(s, argv.add(a.name));
        }
        if (add.exitCode !== 0) {
            const exists = ipSays(add.stderr, "exists");
            // Whose it is decides: this resource's own (its create was lost) is taken back; an
            // unmarked one or this stack's with adopt; another stack's only with adoptFrom.
            const found = exists ? await namespaceClaim(s, a.name) : undefined;
            const verdict = found ? onExisting(found, `namespace ${a.name}`, s.owner, a.adopt, a.adoptFrom,
                `a namespace named ${a.name} already exists: remove it with 'ip netns del ${a.name}', or set adopt: true to manage it from now on (destroy will then delete it)`) : undefined;
            if (!verdict?.take) {
                throw new NetnsError(s, shown(s, argv.add(a.name)), add.exitCode, add.stderr, verdict?.hint ?? (exists
                    ? `a namespace named ${a.name} already exists but cannot be entered; remove it with 'ip netns del ${a.name}' if it is a leftover`
                    : "ip netns add failed; see stderr"));
            }
        }
        let previousSysctls: Record<string, string>;
        try {
            // lo up, and the mark: made here, adopted (then this stack's from now on) or taken back.
            await mustRun(s, argv.loUp(a.name, s.owner && formatMark(s.owner)));
            previousSysctls = await applySysctls(s, a.name, undefined, a.sysctls, {});
        } catch (e) {
            if (add.exitCode === 0) await exec(s, argv.del(a.name)); // made here: leave nothing half-made
            throw e;
        }
        return { ...a, previousSysctls };
    },

    async read(s, o) {
        if (!(await namespaceExists(o.name, s))) return undefined;
        if (o.sysctls === undefined) return { ...o };
        // The live values under the input names: one changed by hand is drift, and the next up writes it again.
        return { ...o, sysctls: await sysctlValues(s, o.name, Object.keys(o.sysctls)) };
    },

    async update(s, olds, news) {
        const previousSysctls = await applySysctls(s, news.name, olds.sysctls, news.sysctls, olds.previousSysctls ?? {});
        return { ...news, previousSysctls };
    },

    async delete(s, o) {
        // Another stack's namespace (one that declared the same name) is left alone.
        const found = (await namespaceExists(o.name, s)) ? await namespaceClaim(s, o.name) : undefined;
        if (found && !mayDelete(found)) {
            warn(s, leftAlone(found, `namespace ${o.name}`));
            return;
        }
        if (await namespaceExists(o.name, s)) {
            // Processes inside keep the namespace and its links alive after its name is gone: refuse.
            const p = await exec(s, argv.pids(o.name));
            if (p.exitCode !== 0 && (await namespaceFile(o.name, s)) !== "absent") throw new NetnsError(s, shown(s, argv.pids(o.name)), p.exitCode, p.stderr, "could not list the processes inside the namespace; run the command above by hand to see more");
            const pids = p.exitCode === 0 ? p.stdout.split(/\s+/).filter((x) => /^[0-9]+$/.test(x)) : [];
            if (pids.length) throw new NetnsError(s, shown(s, argv.pids(o.name)), undefined, "", busyHint(o.name, pids));
        }
        const r = await exec(s, argv.del(o.name));
        // Gone is the file absent, whatever ip said: "Cannot remove namespace file" also means EBUSY, EPERM or EROFS.
        if (r.exitCode !== 0 && (await namespaceFile(o.name, s)) !== "absent") {
            throw new NetnsError(s, shown(s, argv.del(o.name)), r.exitCode, r.stderr, `/run/netns/${o.name} is still there: the namespace was not removed (a second mount on the file, a read-only /run, or no permission); `
                + `see stderr, fix that, then run the command again`);
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
