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
import { z } from "zod";
import { canonical, familyOf } from "../checks/declared";
import { resourceClass, type ResourceClass } from "../engine/dynamic";
import { adopt, nsname, UNKNOWN } from "../engine/fields";
import { defineKind, type KindDef, type ArgsOf, type SpecOf } from "../engine/kind";
import { exec, mustRun, NetnsError, shown, commonHint, type Subject } from "../host/run";
import { ipSays } from "../host/tools";
import { ROUTE_PROTO } from "../ownership/owner";
import { inAnotherStacksNamespace, inOwnNamespace } from "../ownership/nsmark";
import { ipRead } from "../host/reads";
import { bits, formatCidr, hostMask, isNetworkAddress, parseCidr, parseIp } from "../model/net";

/** A rule selector (`from`, `to`): "all" or a network with its prefix and no host bits. */
const selector = z.string({ error: "must be a string" }).superRefine((s, ctx) => {
    if (s === "all") return;
    const c = parseCidr(s);
    if (!c) {
        ctx.addIssue({ code: "custom", message: `"${s}" is neither "all" nor a network such as 192.168.1.0/28 or 2001:db8:1::/64` });
    } else if (!isNetworkAddress(c)) {
        ctx.addIssue({ code: "custom", message: `"${s}" has host bits set; a rule matches a network, such as ${formatCidr({ ...c, value: c.value & ~hostMask(c) })}` });
    }
});

const TABLE = 'must be "main" or a table number from 1 to 4294967295';
const ruleTable = z.union([
    z.literal("main"),
    z.number().int("must be a whole table number").min(1, TABLE).max(4294967295, TABLE)
        .refine((n) => n !== 254, '254 is the main table: write "main"')
        .refine((n) => n !== 255, "255 is the kernel's local table, which the rule at priority 0 already looks up")
        .refine((n) => n !== 253, "253 is the kernel's default table; use a table of your own"),
], { error: TABLE });

// The inputs, one doc comment each (kept apart and typed by name so that the published .d.ts keeps the comments).
const fields = {
    /** The namespace whose routing policy this is. A change replaces the rule. */
    namespace: nsname,
    /** Where the rule sits in the search order, as in `priority N`: lower first. 1 to 4294967295; one managed rule per priority and namespace. A change replaces the rule. */
    priority: z.number({ error: "must be a number" }).int("must be an integer")
        .min(1, "0 is the priority of the kernel's local rule, which must stay first; use 1 to 4294967295")
        .max(4294967295, "is above 4294967295"),
    /** Source network the rule matches, as in `from PREFIX`: "all" (the default) or a network such as 192.168.1.0/28. A change replaces the rule. */
    from: selector.default("all"),
    /** Destination network the rule matches, as in `to PREFIX`: "all" (the default) or a network. A change replaces the rule. */
    to: selector.default("all"),
    /** The routing table to look the packet up in, as in `lookup TABLE`: "main" or a number. Updated in place. */
    lookup: ruleTable.optional(),
    /** Instead of a lookup, end the search: "unreachable", "prohibit" or "blackhole". Updated in place. */
    type: z.enum(["unreachable", "prohibit", "blackhole"], { error: 'must be "unreachable", "prohibit" or "blackhole"; leave it out for a rule that looks up a table' }).optional(),
    /** Accept an identical rule that is already there instead of failing. */
    adopt,
};
const schema: z.ZodObject<typeof fields, z.core.$strict> = z.strictObject(fields).superRefine((v, ctx) => {
    if (v.lookup === undefined && v.type === undefined) {
        ctx.addIssue({ code: "custom", path: ["lookup"], message: 'a rule needs an action: a table to look up (lookup: 100 or "main"), or a type (unreachable, prohibit, blackhole)' });
    } else if (v.lookup !== undefined && v.type !== undefined) {
        ctx.addIssue({ code: "custom", path: ["type"], message: `a rule of type ${v.type} looks nothing up: leave out either lookup or type` });
    }
    const fam = (s: string) => (s === "all" || s === UNKNOWN ? undefined : parseCidr(s)?.family);
    const from = fam(v.from), to = fam(v.to);
    if (from && to && from !== to) ctx.addIssue({ code: "custom", path: ["to"], message: `is IPv${to} but from (${v.from}) is IPv${from}: a rule matches one family` });
});

/** The inputs of a Rule after check (defaults applied): the provider's view. */
export type RuleSpec = SpecOf<typeof schema>;

type Identity = Pick<RuleSpec, "namespace" | "priority" | "from" | "to">;
type Action = Pick<RuleSpec, "lookup" | "type">;

/** IPv6 when either selector is IPv6; IPv4 otherwise (also for from all to all). */
export function family(r: Pick<RuleSpec, "from" | "to">): "-4" | "-6" {
    const fam = (s: string) => (s === "all" ? undefined : parseCidr(s)?.family);
    return (fam(r.from) ?? fam(r.to)) === 6 ? "-6" : "-4";
}

function spec(r: Identity & Action): string[] {
    return ["from", r.from, ...(r.to === "all" ? [] : ["to", r.to]), "priority", String(r.priority),
        ...(r.type !== undefined ? [r.type] : ["lookup", String(r.lookup)])];
}

// A made rule carries the project's protocol number (owner.ts). Read takes for this Rule the
// rules of its priority and selectors with the mark; only when there is none, those without it
// (this Rule changed by hand: a rule replaced at its priority carries no mark), reported as drift.
// Del names the mark, so that a hand-made twin (same priority, selectors and action, no mark) is
// never removed in its place; update removes the old rule by the mark when it has one. A state
// from before the marks (no owner, rules made with proto boot) is removed without it, as then.
export const argv = {
    add: (r: Identity & Action) => ["ip", "-n", r.namespace, family(r), "rule", "add", ...spec(r), "protocol", String(ROUTE_PROTO)],
    /** `protocol`: the one to remove (ours, or a twin being adopted); none removes the first that matches. */
    del: (r: Identity & Action, protocol?: string) => ["ip", "-n", r.namespace, family(r), "rule", "del", ...spec(r), ...(protocol === undefined ? [] : ["protocol", protocol])],
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
    /** The protocol: "77" for ours (owner.ts), "boot" for one made by hand. */
    protocol?: string;
}

/** The protocol del names for this resource's own rule: the mark, for every rule made since the marks (the resource passes its stack). */
const ours = (s: Subject): string | undefined => (s.owner !== undefined ? String(ROUTE_PROTO) : undefined);

/** Of the rules at this priority and selectors, the ones that stand for this Rule: the marked ones, else (changed by hand) the others. */
function mine(s: Subject, found: RuleJson[]): RuleJson[] {
    const mark = ours(s);
    const marked = mark === undefined ? [] : found.filter((x) => String(x.protocol) === mark);
    return marked.length > 0 ? marked : found;
}


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
    if (x.action !== undefined) return { lookup: undefined, type: x.action as RuleSpec["type"] };
    const t = x.table ?? "main";
    return { lookup: /^\d+$/.test(t) ? Number(t) : (t as RuleSpec["lookup"]), type: undefined };
}

function sameAction(a: Action, b: Action): boolean {
    return a.type === b.type && (a.type !== undefined || String(a.lookup) === String(b.lookup));
}

/** The rules at this priority with these selectors (usually one), whatever their protocol. Undefined when the namespace is gone. */
async function candidates(s: Subject, r: Identity): Promise<RuleJson[] | undefined> {
    const res = await ipRead<RuleJson>(s, argv.show(r), { namespace: r.namespace, what: `the rules at priority ${r.priority} in ${r.namespace}` });
    return res?.filter((x) => x.priority === r.priority && sameSelector(r.from, x.src, x.srclen) && sameSelector(r.to, x.dst, x.dstlen));
}

function describe(r: Identity & Action): string {
    return `${r.priority}: from ${r.from}${r.to === "all" ? "" : ` to ${r.to}`} ${r.type ?? `lookup ${r.lookup}`}`;
}

function hint(r: RuleSpec, stderr: string): string | undefined {
    if (ipSays(stderr, "exists")) return `the rule "${describe(r)}" already exists in ${r.namespace}; remove it ('ip -n ${r.namespace} rule del ${spec(r).join(" ")}') or set adopt: true`;
    if (/Invalid (source|dst|destination)|Invalid argument/.test(stderr)) return "the kernel refused the selectors; from and to must be networks of the same family";
    return undefined;
}

/** The Rule kind: a routing policy rule. */
export const rule: KindDef<"Rule", typeof schema, {}> = defineKind({
    kind: "Rule",
    schema,
    computed: {},
    namespaces: ["namespace"],
    deletedWith: "namespace",
    claims: (on) => [
        on(["namespace", "priority", "from", "to"], (a) => {
            const fam = familyOf(a.from, a.to) ?? 4;
            const sel = (s: string | undefined) => (s === undefined || s === "all" ? "all" : canonical(s));
            return [{ claim: `rule ${a.namespace} -${fam} ${a.priority} from ${sel(a.from)} to ${sel(a.to)}`, property: "priority",
                what: `${a.priority} (from ${sel(a.from)} to ${sel(a.to)}) in namespace ${a.namespace}`, why: "the kernel refuses a second identical rule" }];
        }),
    ],
    diff: { replace: ["namespace", "priority", "from", "to"], update: ["lookup", "type"] },
    id: (r) => `${r.namespace}/${r.priority} from ${r.from} to ${r.to}`,

    async create(s, r) {
        // The kernel tells rules apart by their protocol too: a hand-made twin (proto boot) would
        // not stop the add of ours (proto 77). So an identical rule is looked for first.
        const same = (await candidates(s, r))?.find((x) => sameAction(liveAction(x), r));
        if (same) {
            // Taken over with adopt, or when its namespace is this stack's (issue 21 item 12).
            if (!r.adopt && !(await inOwnNamespace(s, r.namespace))) throw new NetnsError(s, shown(s, argv.show(r)), undefined, "", hint(r, "File exists")!);
            const mark = ours(s);
            if (mark === undefined || String(same.protocol) === mark) return { ...r };
            // Adopted: ours from now on, so it carries the mark. The kernel cannot change a rule's
            // protocol: ours is added at the same priority, then the twin removed by its protocol
            // (one of none, as `ip rule add` makes it, is the first that matches: the twin, for
            // the kernel puts ours after the rules of its priority).
            await mustRun(s, argv.add(r), (e) => hint(r, e));
            const twin = argv.del(r, same.protocol === undefined ? undefined : String(same.protocol));
            const del = await exec(s, twin);
            if (del.exitCode !== 0 && !ipSays(del.stderr, "gone")) {
                await exec(s, argv.del(r, mark));
                throw new NetnsError(s, shown(s, twin), del.exitCode, del.stderr, commonHint(del.stderr));
            }
            return { ...r };
        }
        const res = await exec(s, argv.add(r));
        if (res.exitCode !== 0 && !(r.adopt && ipSays(res.stderr, "exists"))) {
            throw new NetnsError(s, shown(s, argv.add(r)), res.exitCode, res.stderr, hint(r, res.stderr) ?? commonHint(res.stderr));
        }
        return { ...r };
    },

    async read(s, o) {
        const all = await candidates(s, o);
        const found = all && mine(s, all);
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
        const existed = add.exitCode !== 0 && ipSays(add.stderr, "exists");
        if (add.exitCode !== 0 && !existed) {
            throw new NetnsError(s, shown(s, argv.add(news)), add.exitCode, add.stderr, hint(news, add.stderr) ?? commonHint(add.stderr));
        }
        if (!sameAction(olds, news)) {
            // The old rule by the mark when the one read as this Rule has it; else it was changed by
            // hand (no mark), and its action names it.
            const old = (await candidates(s, olds))?.find((x) => sameAction(liveAction(x), olds) && String(x.protocol) === ours(s));
            const oldArgv = argv.del(olds, old ? ours(s) : undefined);
            const del = await exec(s, oldArgv);
            if (del.exitCode !== 0 && !ipSays(del.stderr, "gone")) {
                if (!existed) await exec(s, argv.del(news, String(ROUTE_PROTO)));
                throw new NetnsError(s, shown(s, oldArgv), del.exitCode, del.stderr, commonHint(del.stderr));
            }
        }
        return { ...news };
    },

    async delete(s, o) {
        if (await inAnotherStacksNamespace(s, o.namespace, `rule ${o.priority} in ${o.namespace}`)) return;
        const r = await exec(s, argv.del(o, ours(s)));
        if (r.exitCode !== 0 && !ipSays(r.stderr, "gone")) {
            throw new NetnsError(s, shown(s, argv.del(o, ours(s))), r.exitCode, r.stderr, commonHint(r.stderr));
        }
    },
});

/** The arguments of a Rule: each input of its schema, as a `pulumi.Input`. */
export type RuleArgs = ArgsOf<typeof schema>;

/** A routing policy rule: which table the packets it matches are looked up in. Every input is an output too. */
export const Rule: ResourceClass<typeof rule> = resourceClass(rule);
export type Rule = InstanceType<typeof Rule>;

/** The definition under its earlier name. */
export const ruleImpl = rule;
