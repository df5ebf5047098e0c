// Sysctl: one per-namespace kernel setting, such as net.ipv4.ip_forward in a router.
//   ip netns exec NS sysctl -n KEY           (read; also records the value found before create)
//   ip netns exec NS sysctl -w KEY=VALUE     (write)
// Only keys that belong to the network namespace are accepted (schemas.ts), and a namespace is
// always required: nothing here can change a setting of the host. Delete restores the value
// found before create.
import { z } from "zod";
import { sysctlCanonical, sysctlCoupling } from "../checks/declared";
import { resourceClass, type ResourceClass } from "../engine/dynamic";
import { nsname, sysctlKey, sysctlValue, sysctlNormalize as normalize } from "../engine/fields";
import { defineKind, type KindDef, type ArgsOf, type SpecOf } from "../engine/kind";
import { exec, NetnsError, shown, commonHint, type Result, type Subject } from "../host/run";
import { sysctlSays } from "../host/tools";
import { namespaceExists } from "../host/netns";
import { inAnotherStacksNamespace } from "../ownership/nsmark";

// The inputs, one doc comment each (kept apart and typed by name so that the published .d.ts keeps the comments).
const fields = {
    /** The namespace whose setting this is. Required: the host's settings are never changed. A change replaces it. */
    namespace: nsname,
    /** A per-namespace key: net.ipv4.*, net.ipv6.*, net.netfilter.*, net.core.somaxconn, net.core.xfrm_*, net.unix.max_dgram_qlen. A change replaces it. */
    key: sysctlKey,
    /** The value, as `sysctl -w KEY=VALUE` takes it: one line of printable text (multi-value keys with single spaces). Updated in place. */
    value: sysctlValue,
};
const schema: z.ZodObject<typeof fields, z.core.$strict> = z.strictObject(fields);

const computed = {
    /** The value found in the namespace before create; destroy writes it back. */
    previous: z.string(),
};

/**
 * The interface a per-interface sysctl key belongs to: net.ipv4.conf.DEV.KEY (or neigh, ipv6;
 * in the dotted form a '.' in DEV is written '/'), net/ipv4/conf/DEV/KEY.
 */
export function interfaceOfKey(key: unknown): string | undefined {
    if (typeof key !== "string") return undefined;
    const slashed = key.startsWith("net/");
    const parts = slashed ? key.split("/") : key.split(".");
    if (parts.length !== 5 || parts[0] !== "net" || !/^ipv[46]$/.test(parts[1]!) || !/^(conf|neigh)$/.test(parts[2]!)) return undefined;
    return slashed ? parts[3] : parts[3]!.replace(/\//g, ".");
}

/** The inputs of a Sysctl after check: the provider's view. */
export type SysctlSpec = SpecOf<typeof schema>;

export const argv = {
    get: (a: Pick<SysctlSpec, "namespace" | "key">) => ["ip", "netns", "exec", a.namespace, "sysctl", "-n", a.key],
    set: (a: Pick<SysctlSpec, "namespace" | "key">, value: string) => ["ip", "netns", "exec", a.namespace, "sysctl", "-q", "-w", `${a.key}=${value}`],
};

export { normalize };

/** `present`: whether the namespace exists (a missing key in a missing namespace is the namespace's problem). */
function hint(a: SysctlSpec, stderr: string, present = true): string | undefined {
    if (/cannot stat|No such file or directory/.test(stderr) && present) return `${a.key} does not exist in ${a.namespace}'s /proc/sys on this kernel; check the spelling (interface keys need the interface to exist first)`;
    if (/Invalid argument/.test(stderr)) return `the kernel refused the value "${a.value}" for ${a.key}`;
    return undefined;
}

/** Runs a sysctl that must succeed; a failure's hint asks first whether the namespace is there. */
async function mustSysctl(s: Subject, a: SysctlSpec, command: string[]): Promise<Result> {
    const r = await exec(s, command);
    if (r.exitCode === 0) return r;
    const present = await namespaceExists(a.namespace, s);
    throw new NetnsError(s, shown(s, command), r.exitCode, r.stderr, hint(a, r.stderr, present) ?? commonHint(r.stderr));
}

async function get(s: Subject, a: SysctlSpec): Promise<string> {
    const r = await mustSysctl(s, a, argv.get(a));
    return normalize(r.stdout);
}

// Writers in one namespace, in this provider process (the engine runs creates and deletes in
// parallel): each read-then-write (create records `previous`, then writes; delete writes it back)
// runs alone, one after the other per namespace.
const queues = new Map<string, Promise<unknown>>();
function serialized<T>(ns: string, fn: () => Promise<T>): Promise<T> {
    const run = (queues.get(ns) ?? Promise.resolve()).then(fn, fn);
    const tail = run.then(() => undefined, () => undefined);
    queues.set(ns, tail);
    void tail.then(() => { if (queues.get(ns) === tail) queues.delete(ns); });
    return run;
}

// Coupled keys (declared.ts sysctlCoupling): a write of net.ipv4.conf.all.forwarding sets
// conf.default.forwarding and every conf.DEV.forwarding too. Before this process first writes an
// `all` key, it notes the value of each key of its group (one `sysctl -a -r`), with the value the
// write leaves there: a Sysctl of such a key created afterwards records as `previous` the value
// from before, not the all key's write, as long as the key still holds what that write left; and
// the delete of the all key, which makes the kernel write its previous value to all of them,
// writes each one's noted value back after it. The whole-stack checks refuse both keys in one
// stack when they can see them; this keeps it right when they cannot (keys known only at create,
// two programs). Kept per process: recovery after a crash sees the values the crashed run left.
const untouched = new Map<string, Map<string, { before: string; after: string }>>();

const groupArgv = (ns: string, key: string): string[] | undefined => {
    const c = sysctlCoupling(key);
    if (!c?.all) return undefined;
    const [family, setting] = c.group.split(" ") as [string, string];
    return ["ip", "netns", "exec", ns, "sysctl", "-a", "-r", `^net\\.${family}\\.conf\\.[^.]+\\.${setting}$`];
};

/** The values of the keys an `all` key's write also sets (none for another key), by canonical key. */
async function groupValues(s: Subject, ns: string, key: string): Promise<Map<string, string>> {
    const cmd = groupArgv(ns, key);
    const out = new Map<string, string>();
    if (!cmd) return out;
    const r = await exec(s, cmd);
    for (const line of r.exitCode === 0 ? r.stdout.split("\n") : []) {
        const m = /^(\S+) = (.*)$/.exec(line.trim());
        if (m && sysctlCanonical(m[1]!) !== sysctlCanonical(key)) out.set(sysctlCanonical(m[1]!), normalize(m[2]!));
    }
    return out;
}

/** Writes an `all` key, noting first (once per process) what the keys it also sets held. */
async function writeAll(s: Subject, a: SysctlSpec, value: string): Promise<void> {
    const before = await groupValues(s, a.namespace, a.key);
    await mustSysctl(s, a, argv.set(a, value));
    if (before.size === 0) return;
    const after = await groupValues(s, a.namespace, a.key);
    const noted = untouched.get(a.namespace) ?? new Map<string, { before: string; after: string }>();
    for (const [k, v] of before) noted.set(k, { before: noted.get(k)?.before ?? v, after: after.get(k) ?? value });
    untouched.set(a.namespace, noted);
}

/** The value a key had before this process's `all` write set it, while it still holds what that write left. */
function noted(ns: string, key: string, now: string): string | undefined {
    const n = untouched.get(ns)?.get(sysctlCanonical(key));
    return n && n.after === now ? n.before : undefined;
}

/** The Sysctl kind: one per-namespace kernel setting. */
export const sysctl: KindDef<"Sysctl", typeof schema, typeof computed> = defineKind({
    kind: "Sysctl",
    schema,
    computed,
    namespaces: ["namespace"],
    deletedWith: "namespace",
    // A per-interface key goes with its interface, and the new one starts from the defaults.
    ties: { devs: [{ dev: (a) => interfaceOfKey(a.key), namespace: "namespace" }] },
    claims: (on) => [
        on(["namespace", "key"], (a) => [{ claim: `sysctl ${a.namespace} ${sysctlCanonical(a.key)}`, property: "key",
            what: `${a.key} in namespace ${a.namespace}`, why: "two values for one setting would overwrite each other on every up" },
            { sysctl: a.key, namespace: a.namespace, property: "key" }]),
    ],
    diff: { replace: ["namespace", "key"], update: ["value"] },
    id: (a) => `${a.namespace}/${a.key}`,

    create: (s, a) => serialized(a.namespace, async () => {
        const now = await get(s, a);
        const previous = noted(a.namespace, a.key, now) ?? now;
        if (now !== normalize(a.value)) await writeAll(s, a, a.value);
        return { ...a, previous };
    }),

    async read(s, o) {
        if (!(await namespaceExists(o.namespace, s))) return undefined;
        const r = await exec(s, argv.get(o));
        if (r.exitCode !== 0) {
            // Gone: the namespace, or the key (an interface key whose interface is gone). Any
            // other failure is no answer, not a deletion.
            if (!(await namespaceExists(o.namespace, s)) || sysctlSays(r.stderr, "gone")) return undefined;
            throw new NetnsError(s, shown(s, argv.get(o)), r.exitCode, r.stderr, `could not read ${o.key} in ${o.namespace}, so its value is not known; ${commonHint(r.stderr)}`);
        }
        return { ...o, value: normalize(r.stdout) };
    },

    update: (s, olds, news) => serialized(news.namespace, async () => {
        await writeAll(s, news, news.value);
        return { ...news, previous: olds.previous };
    }),

    delete: (s, o) => serialized(o.namespace, async () => {
        if (!(await namespaceExists(o.namespace, s)) || typeof o.previous !== "string") return; // gone with its namespace
        if (await inAnotherStacksNamespace(s, o.namespace, `sysctl ${o.key} in ${o.namespace}`)) return;
        const r = await exec(s, argv.set(o, o.previous));
        // A key that no longer exists (an interface key whose interface is gone) is gone with it.
        if (r.exitCode !== 0 && (await namespaceExists(o.namespace, s)) && !sysctlSays(r.stderr, "gone")) {
            throw new NetnsError(s, shown(s, argv.set(o, o.previous)), r.exitCode, r.stderr, hint(o, r.stderr, true) ?? commonHint(r.stderr));
        }
        // An all key's restore wrote its value to the keys of its group too: give each the value it had before.
        const back = [...(untouched.get(o.namespace) ?? [])].filter(([k]) => sysctlCoupling(k)?.group === sysctlCoupling(o.key)?.group && sysctlCoupling(o.key)?.all);
        if (r.exitCode === 0 && back.length > 0) {
            const set = ["ip", "netns", "exec", o.namespace, "sysctl", "-q", "-e", "-w", ...back.map(([k, v]) => `${k}=${v.before}`)];
            await mustSysctl(s, o, set);
            for (const [k] of back) untouched.get(o.namespace)!.delete(k);
        }
    }),
});

/** The arguments of a Sysctl: each input of its schema, as a `pulumi.Input`. */
export type SysctlArgs = ArgsOf<typeof schema>;

/** A per-namespace sysctl. Delete restores the value found before create (output `previous`). Every input is an output too. */
export const Sysctl: ResourceClass<typeof sysctl> = resourceClass(sysctl);
export type Sysctl = InstanceType<typeof Sysctl>;

/** The definition under its earlier name. */
export const sysctlImpl = sysctl;
