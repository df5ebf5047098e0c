// Sysctl: one per-namespace kernel setting, such as net.ipv4.ip_forward in a router.
//   ip netns exec NS sysctl -n KEY           (read; also records the value found before create)
//   ip netns exec NS sysctl -w KEY=VALUE     (write)
// Only keys that belong to the network namespace are accepted (schemas.ts), and a namespace is
// always required: nothing here can change a setting of the host. Delete restores the value
// found before create.
import * as pulumi from "@pulumi/pulumi";
import { NetnsResource } from "./dynamic";
import { declareSysctl } from "./declared";
import type { KindImpl } from "./kind";
import { exec, mustRun, NetnsError, privileged, commonHint, type Subject } from "./run";
import { namespaceExists } from "./namespace";
import type { SysctlArgs } from "./schemas";

export const argv = {
    get: (a: Pick<SysctlArgs, "namespace" | "key">) => ["ip", "netns", "exec", a.namespace, "sysctl", "-n", a.key],
    set: (a: Pick<SysctlArgs, "namespace" | "key">, value: string) => ["ip", "netns", "exec", a.namespace, "sysctl", "-q", "-w", `${a.key}=${value}`],
};

/** sysctl prints multi-value keys with tabs; inputs use single spaces. */
export function normalize(v: string): string {
    return v.trim().split(/\s+/).join(" ");
}

function hint(a: SysctlArgs, stderr: string): string | undefined {
    if (/cannot stat|No such file or directory/.test(stderr) && namespaceExists(a.namespace)) return `${a.key} does not exist in ${a.namespace}'s /proc/sys on this kernel; check the spelling (interface keys need the interface to exist first)`;
    if (/Invalid argument/.test(stderr)) return `the kernel refused the value "${a.value}" for ${a.key}`;
    return undefined;
}

async function get(s: Subject, a: SysctlArgs): Promise<string> {
    const r = await mustRun(s, argv.get(a), (e) => hint(a, e));
    return normalize(r.stdout);
}

export const sysctlImpl: KindImpl<"Sysctl"> = {
    kind: "Sysctl",
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
        if (r.exitCode !== 0) return undefined;
        return { ...o, value: normalize(r.stdout) };
    },

    async update(s, olds, news) {
        await mustRun(s, argv.set(news, news.value), (e) => hint(news, e));
        return { ...news, previous: olds.previous };
    },

    async delete(s, o) {
        if (!namespaceExists(o.namespace) || typeof o.previous !== "string") return; // gone with its namespace
        const r = await exec(s, argv.set(o, o.previous));
        // A key that no longer exists (an interface key whose interface is gone) is gone with it.
        if (r.exitCode !== 0 && namespaceExists(o.namespace) && !/cannot stat .*No such file or directory/.test(r.stderr)) {
            throw new NetnsError(s, privileged(argv.set(o, o.previous)), r.exitCode, r.stderr, hint(o, r.stderr) ?? commonHint(r.stderr));
        }
    },
};

export interface SysctlInputs {
    /** The namespace whose setting this is. Required: the host's settings are never changed. */
    namespace: pulumi.Input<string>;
    /** A per-namespace key: net.ipv4.*, net.ipv6.*, net.netfilter.*, net.core.somaxconn, ... */
    key: pulumi.Input<string>;
    /** The value, as `sysctl -w KEY=VALUE` takes it. Updated in place. */
    value: pulumi.Input<string>;
}

/** A per-namespace sysctl. Delete restores the value found before create. */
export class Sysctl extends NetnsResource {
    declare public readonly value: pulumi.Output<string>;
    declare public readonly previous: pulumi.Output<string>;

    constructor(name: string, args: SysctlInputs, opts?: pulumi.CustomResourceOptions) {
        super("Sysctl", name, { resourceName: name, previous: undefined, ...args }, opts);
        declareSysctl(this, name, args); // whole-stack checks: duplicates, gateways (declared.ts)
    }
}
