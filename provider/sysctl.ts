// Sysctl: one per-namespace kernel setting, such as net.ipv4.ip_forward in a router.
//   ip netns exec NS sysctl -n KEY           (read; also records the value found before create)
//   ip netns exec NS sysctl -w KEY=VALUE     (write)
// Only keys that belong to the network namespace are accepted (schemas.ts), and a namespace is
// always required: nothing here can change a setting of the host. Delete restores the value
// found before create.
import { z } from "zod";
import { sysctlCanonical } from "./declared";
import { resourceClass, type ResourceClass } from "./dynamic";
import { nsname, sysctlKey, sysctlValue, sysctlNormalize as normalize } from "./fields";
import { defineKind, type KindDef, type ArgsOf, type SpecOf } from "./kind";
import { exec, mustRun, NetnsError, privileged, commonHint, type Subject } from "./run";
import { namespaceExists } from "./namespace";
import { inAnotherStacksNamespace } from "./nsmark";

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

/** The inputs of a Sysctl after check: the provider's view. */
export type SysctlSpec = SpecOf<typeof schema>;

export const argv = {
    get: (a: Pick<SysctlSpec, "namespace" | "key">) => ["ip", "netns", "exec", a.namespace, "sysctl", "-n", a.key],
    set: (a: Pick<SysctlSpec, "namespace" | "key">, value: string) => ["ip", "netns", "exec", a.namespace, "sysctl", "-q", "-w", `${a.key}=${value}`],
};

export { normalize };

function hint(a: SysctlSpec, stderr: string): string | undefined {
    if (/cannot stat|No such file or directory/.test(stderr) && namespaceExists(a.namespace)) return `${a.key} does not exist in ${a.namespace}'s /proc/sys on this kernel; check the spelling (interface keys need the interface to exist first)`;
    if (/Invalid argument/.test(stderr)) return `the kernel refused the value "${a.value}" for ${a.key}`;
    return undefined;
}

async function get(s: Subject, a: SysctlSpec): Promise<string> {
    const r = await mustRun(s, argv.get(a), (e) => hint(a, e));
    return normalize(r.stdout);
}

/** The Sysctl kind: one per-namespace kernel setting. */
export const sysctl: KindDef<"Sysctl", typeof schema, typeof computed> = defineKind({
    kind: "Sysctl",
    schema,
    computed,
    namespaces: ["namespace"],
    claims: (on) => [
        on(["namespace", "key"], (a) => [{ claim: `sysctl ${a.namespace} ${sysctlCanonical(a.key)}`, property: "key",
            what: `${a.key} in namespace ${a.namespace}`, why: "two values for one setting would overwrite each other on every up" },
            { sysctl: a.key, namespace: a.namespace, property: "key" }]),
    ],
    diff: { replace: ["namespace", "key"], update: ["value"] },
    id: (a) => `${a.namespace}/${a.key}`,

    async create(s, a) {
        const previous = await get(s, a);
        if (previous !== normalize(a.value)) await mustRun(s, argv.set(a, a.value), (e) => hint(a, e));
        return { ...a, previous };
    },

    async read(s, o) {
        if (!namespaceExists(o.namespace)) return undefined;
        const r = await exec(s, argv.get(o));
        if (r.exitCode !== 0) {
            // Gone: the namespace, or the key (an interface key whose interface is gone). Any
            // other failure is no answer, not a deletion.
            if (!namespaceExists(o.namespace) || /cannot stat .*No such file or directory/.test(r.stderr)) return undefined;
            throw new NetnsError(s, privileged(argv.get(o)), r.exitCode, r.stderr, `could not read ${o.key} in ${o.namespace}, so its value is not known; ${commonHint(r.stderr)}`);
        }
        return { ...o, value: normalize(r.stdout) };
    },

    async update(s, olds, news) {
        await mustRun(s, argv.set(news, news.value), (e) => hint(news, e));
        return { ...news, previous: olds.previous };
    },

    async delete(s, o) {
        if (!namespaceExists(o.namespace) || typeof o.previous !== "string") return; // gone with its namespace
        if (await inAnotherStacksNamespace(s, o.namespace, `sysctl ${o.key} in ${o.namespace}`)) return;
        const r = await exec(s, argv.set(o, o.previous));
        // A key that no longer exists (an interface key whose interface is gone) is gone with it.
        if (r.exitCode !== 0 && namespaceExists(o.namespace) && !/cannot stat .*No such file or directory/.test(r.stderr)) {
            throw new NetnsError(s, privileged(argv.set(o, o.previous)), r.exitCode, r.stderr, hint(o, r.stderr) ?? commonHint(r.stderr));
        }
    },
});

/** The arguments of a Sysctl: each input of its schema, as a `pulumi.Input`. */
export type SysctlArgs = ArgsOf<typeof schema>;

/** A per-namespace sysctl. Delete restores the value found before create (output `previous`). Every input is an output too. */
export const Sysctl: ResourceClass<typeof sysctl> = resourceClass(sysctl);
export type Sysctl = InstanceType<typeof Sysctl>;

/** The definition under its earlier name. */
export const sysctlImpl = sysctl;
