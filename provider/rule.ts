// Rule: one routing policy rule, which routing table a packet is looked up in.
//   ip -n NS -4 rule add from FROM [to TO] priority N lookup TABLE
//   ip -n NS -4 rule add from FROM [to TO] priority N unreachable|prohibit|blackhole
// The kernel tries the rules in priority order: the first whose table has a matching route wins;
// a table without one passes the packet on to the next rule; a rule of type unreachable,
// prohibit or blackhole ends the search there (the sender gets ICMP net unreachable,
// administratively prohibited, or nothing).
//
// A rule is known by its namespace, priority and selectors (from, to): those replace it. Its
// action (lookup or type) changes in place: the new rule is added at the same priority, then the
// old one removed. Rules with equal priority apply in the order they were added, so the old
// rule keeps deciding until it is gone; there is no moment without either.
// Give every managed rule its own priority in a namespace: it is how read finds the rule again.
import * as pulumi from "@pulumi/pulumi";
import { NetnsResource } from "./dynamic";
import { declareRule } from "./declared";
import type { KindImpl } from "./kind";
import { exec, ipJson, NetnsError, privileged, commonHint, type Subject } from "./run";
import { namespaceExists } from "./namespace";
import { bits, parseCidr, parseIp } from "./net";
import type { RuleArgs } from "./schemas";

type Identity = Pick<RuleArgs, "namespace" | "priority" | "from" | "to">;
type Action = Pick<RuleArgs, "lookup" | "type">;

/** IPv6 when either selector is IPv6; IPv4 otherwise (also for from all to all). */
export function family(r: Pick<RuleArgs, "from" | "to">): "-4" | "-6" {
    const fam = (s: string) => (s === "all" ? undefined : parseCidr(s)?.family);
    return (fam(r.from) ?? fam(r.to)) === 6 ? "-6" : "-4";
}

function spec(r: Identity & Action): string[] {
    return ["from", r.from, ...(r.to === "all" ? [] : ["to", r.to]), "priority", String(r.priority),
        ...(r.type !== undefined ? [r.type] : ["lookup", String(r.lookup)])];
}

export const argv = {
    add: (r: Identity & Action) => ["ip", "-n", r.namespace, family(r), "rule", "add", ...spec(r)],
    del: (r: Identity & Action) => ["ip", "-n", r.namespace, family(r), "rule", "del", ...spec(r)],
    show: (r: Identity) => ["ip", "-n", r.namespace, "-j", family(r), "rule", "show", "priority", String(r.priority)],
};

/** What `ip -j rule show` prints for one rule. */
export interface RuleJson {
    priority: number;
    src: string;
    srclen?: number;
    dst?: string;
    dstlen?: number;
    table?: string;
    action?: string;
}

const GONE = /No such file or directory|Cannot open network namespace/;

/** Whether a selector input ("all" or a network) is what `ip -j` printed (address, length). */
export function sameSelector(input: string, addr: string | undefined, len: number | undefined): boolean {
    const want = input === "all" ? undefined : parseCidr(input);
    if (addr === undefined || addr === "all") return want === undefined || want.prefix === 0;
    const got = parseIp(addr);
    if (!want || !got || got.family !== want.family) return false;
    return got.value === want.value && (len ?? bits(got.family)) === want.prefix;
}

/** The action of a live rule, in the input's words. */
export function liveAction(x: RuleJson): Action {
    if (x.action !== undefined) return { lookup: undefined, type: x.action as RuleArgs["type"] };
    const t = x.table ?? "main";
    return { lookup: /^\d+$/.test(t) ? Number(t) : (t as RuleArgs["lookup"]), type: undefined };
}

function sameAction(a: Action, b: Action): boolean {
    return a.type === b.type && (a.type !== undefined || String(a.lookup) === String(b.lookup));
}

/** The rules at this priority with these selectors (usually one). Undefined when the namespace is gone. */
async function candidates(s: Subject, r: Identity): Promise<RuleJson[] | undefined> {
    const res = await ipJson<RuleJson>(s, argv.show(r));
    if (res.exitCode !== 0) {
        if (!namespaceExists(r.namespace)) return undefined;
        throw new NetnsError(s, privileged(argv.show(r)), res.exitCode, res.stderr, commonHint(res.stderr));
    }
    return res.value.filter((x) => x.priority === r.priority && sameSelector(r.from, x.src, x.srclen) && sameSelector(r.to, x.dst, x.dstlen));
}

function describe(r: Identity & Action): string {
    return `${r.priority}: from ${r.from}${r.to === "all" ? "" : ` to ${r.to}`} ${r.type ?? `lookup ${r.lookup}`}`;
}

function hint(r: RuleArgs, stderr: string): string | undefined {
    if (/File exists/.test(stderr)) return `the rule "${describe(r)}" already exists in ${r.namespace}; remove it ('ip -n ${r.namespace} rule del ${spec(r).join(" ")}') or set adopt: true`;
    if (/Invalid (source|dst|destination)|Invalid argument/.test(stderr)) return "the kernel refused the selectors; from and to must be networks of the same family";
    return undefined;
}

export const ruleImpl: KindImpl<"Rule"> = {
    kind: "Rule",
    diff: { replace: ["namespace", "priority", "from", "to"], update: ["lookup", "type"] },
    id: (r) => `${r.namespace}/${r.priority} from ${r.from} to ${r.to}`,

    async create(s, r) {
        const res = await exec(s, argv.add(r));
        if (res.exitCode !== 0 && !(r.adopt && /File exists/.test(res.stderr))) {
            throw new NetnsError(s, privileged(argv.add(r)), res.exitCode, res.stderr, hint(r, res.stderr) ?? commonHint(res.stderr));
        }
        return { ...r };
    },

    async read(s, o) {
        const found = await candidates(s, o);
        if (!found || found.length === 0) return undefined;
        if (found.some((x) => sameAction(liveAction(x), o))) return { ...o };
        // Someone changed what the rule does: report the live action under the input names
        // (leaving out the one that does not apply: the engine cannot store an undefined value).
        const { lookup: _l, type: _t, ...rest } = o;
        const live = liveAction(found[0]!);
        return { ...rest, ...(live.type !== undefined ? { type: live.type } : { lookup: live.lookup }) } as typeof o;
    },

    async update(s, olds, news) {
        // Make before break: add the new rule at the same priority (it applies after the old one),
        // then remove the old. When the old cannot be removed, remove the new one again.
        const add = await exec(s, argv.add(news));
        const existed = add.exitCode !== 0 && /File exists/.test(add.stderr);
        if (add.exitCode !== 0 && !existed) {
            throw new NetnsError(s, privileged(argv.add(news)), add.exitCode, add.stderr, hint(news, add.stderr) ?? commonHint(add.stderr));
        }
        if (!sameAction(olds, news)) {
            const del = await exec(s, argv.del(olds));
            if (del.exitCode !== 0 && !GONE.test(del.stderr)) {
                if (!existed) await exec(s, argv.del(news));
                throw new NetnsError(s, privileged(argv.del(olds)), del.exitCode, del.stderr, commonHint(del.stderr));
            }
        }
        return { ...news };
    },

    async delete(s, o) {
        const r = await exec(s, argv.del(o));
        if (r.exitCode !== 0 && !GONE.test(r.stderr)) {
            throw new NetnsError(s, privileged(argv.del(o)), r.exitCode, r.stderr, commonHint(r.stderr));
        }
    },
};

export interface RuleInputs {
    /** The namespace whose routing policy this is. */
    namespace: pulumi.Input<string>;
    /** Where the rule sits in the search order, as in `priority N`: lower first. 1 to 4294967295; unique per namespace. */
    priority: pulumi.Input<number>;
    /** Source network the rule matches, as in `from PREFIX`: "all" (the default) or a network such as 192.168.1.0/28. */
    from?: pulumi.Input<string>;
    /** Destination network the rule matches, as in `to PREFIX`: "all" (the default) or a network. */
    to?: pulumi.Input<string>;
    /** The routing table to look the packet up in, as in `lookup TABLE`: "main" or a number. Updated in place. */
    lookup?: pulumi.Input<"main" | number>;
    /** Instead of a lookup, end the search: "unreachable", "prohibit" or "blackhole". Updated in place. */
    type?: pulumi.Input<"unreachable" | "prohibit" | "blackhole">;
    /** Accept an identical rule that is already there instead of failing. */
    adopt?: pulumi.Input<boolean>;
}

/** A routing policy rule: which table the packets it matches are looked up in. */
export class Rule extends NetnsResource {
    declare public readonly namespace: pulumi.Output<string>;
    declare public readonly priority: pulumi.Output<number>;
    declare public readonly lookup: pulumi.Output<"main" | number | undefined>;

    constructor(name: string, args: RuleInputs, opts?: pulumi.CustomResourceOptions) {
        super("Rule", name, { resourceName: name, ...args }, opts);
        declareRule(this, name, args); // whole-stack checks: duplicates, gateways (declared.ts)
    }
}
