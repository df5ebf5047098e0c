// LinkShaping: what leaves one interface, shaped by the root queueing discipline of its egress.
//   tc -n NS qdisc add dev DEV root handle 4d: tbf rate R burst B latency L|limit N      (a rate limit)
//   tc -n NS qdisc add dev DEV root handle 4d: netem delay D [J] loss P%                (delay, jitter, loss)
//   tc -n NS qdisc add dev DEV parent 4d:1 handle 4e: tbf ...                             (both: tbf under netem)
//   tc -n NS -raw -j qdisc show dev DEV                                                    (read, drift)
//   tc -n NS qdisc change dev DEV ...  (update in place; another shape: del + add, the link is never deleted)
//   tc -n NS qdisc del dev DEV root                                                        (delete; gone is success)
// Egress only: a qdisc shapes what the interface sends. Each direction of a veth is shaped on its
// own end, by its own LinkShaping.
//
// Ownership. A qdisc has no alias or comment, so it carries no mark of its own. What this kind
// owns is the root qdisc with handle 4d: (77, the number this project's routes and rules carry)
// on a device whose link carries this stack's mark, or, for a link without a mark, whose
// namespace does. The handle alone proves nothing (anyone can choose 4d:); with the mark of the
// link or namespace it is the same proof a route's `proto 77` gives. A root qdisc of another kind
// or handle (someone's own shaping) is refused at create unless adopt: true, and left alone by
// delete; another stack's link is refused unless adoptFrom names that stack.
import { z } from "zod";
import { resourceClass, type ResourceClass } from "../engine/dynamic";
import { adopt, adoptFrom, ifindex, ifname, nsname, UNKNOWN } from "../engine/fields";
import { defineKind, type ArgsOf, type KindDef, type SpecOf, type StateOf, type StoredOf } from "../engine/kind";
import { commonHint, exec, mustRun, NetnsError, shown, warn, type Subject } from "../host/run";
import { ipRead } from "../host/reads";
import { namespaceExists } from "../host/netns";
import { namespaceClaim } from "../ownership/nsmark";
import { claimOf, leftAlone, mayDelete, onExisting, type Claim } from "../ownership/owner";

/** The root qdisc's handle: the kind's own (0x4d = 77, as ROUTE_PROTO). */
export const ROOT_HANDLE = "4d:";
/** The handle of the tbf under a netem root. */
export const CHILD_HANDLE = "4e:";

// ---- units, as tc reads them (tc-tbf(8), tc(8) "PARAMETERS"), always with a unit ----

const RATE_UNITS: Record<string, number> = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9, tbit: 1e12, bps: 8, kbps: 8e3, mbps: 8e6, gbps: 8e9 };
/** Sizes: tc's kb, mb, gb are binary (1024). */
const SIZE_UNITS: Record<string, number> = { b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };
const TIME_UNITS: Record<string, number> = { us: 1, usec: 1, ms: 1e3, msec: 1e3, s: 1e6, sec: 1e6 };

/** A rate in bits per second, from "10mbit", "1.5gbit", "125kbps"; undefined when it is not one. */
export function parseRate(text: string): number | undefined {
    const m = /^(\d+(?:\.\d+)?)([a-z]+)$/.exec(text);
    const unit = m ? RATE_UNITS[m[2]!] : undefined;
    if (!m || unit === undefined) return undefined;
    return Math.round(Number(m[1]) * unit);
}

/** A size in bytes, from 1500, "1500", "1500b", "32kb", "1mb"; undefined when it is not one. */
export function parseSize(v: number | string): number | undefined {
    if (typeof v === "number") return Number.isSafeInteger(v) ? v : undefined;
    const m = /^(\d+)([a-z]*)$/.exec(v);
    const unit = m ? (m[2] === "" ? 1 : SIZE_UNITS[m[2]!]) : undefined;
    if (!m || unit === undefined) return undefined;
    return Number(m[1]) * unit;
}

/** A time in microseconds, from "50ms", "500us", "1s", "0.5ms"; undefined when it is not one or not whole microseconds. */
export function parseTime(text: string): number | undefined {
    const m = /^(\d+(?:\.\d+)?)([a-z]+)$/.exec(text);
    const unit = m ? TIME_UNITS[m[2]!] : undefined;
    if (!m || unit === undefined) return undefined;
    const us = Number(m[1]) * unit;
    return Number.isInteger(Math.round(us * 1e6) / 1e6) ? Math.round(us) : undefined;
}

/** A loss in percent, from 1, 0.5, "1%", "0.5%". */
export function parseLoss(v: number | string): number | undefined {
    if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
    const m = /^(\d+(?:\.\d+)?)%$/.exec(v);
    return m ? Number(m[1]) : undefined;
}

// Bounds. The kernel keeps tbf's bucket as the time its burst takes at the rate, in 32-bit
// ticks of 64 ns (/proc/net/psched): a burst that takes more than about 274 s overflows (tc then
// installs a wrong, much smaller bucket, silently), and one under a tick or two rounds to nothing.
const RATE_MIN = 1e3; // 1kbit
const RATE_MAX = 1e11; // 100gbit
/** The least time a burst may take at the rate, in µs: 1 µs = 16 ticks, so rounding stays under 7%. */
const BURST_TIME_MIN_US = 1;
/** The most: well inside the 32-bit ticks (274 s). */
const BURST_TIME_MAX_US = 200e6;
const U32 = 2 ** 32 - 1;
const TIME_MAX_US = 60e6;

const unitText = (units: Record<string, number>) => Object.keys(units).join(", ");

const rate = z.string({ error: 'must be a string with a unit, such as "10mbit"' }).superRefine((s, ctx) => {
    if (s === UNKNOWN) return;
    const bits = parseRate(s);
    if (bits === undefined) ctx.addIssue({ code: "custom", message: `"${s}" is not a rate: a number and one of ${unitText(RATE_UNITS)} (tc's units: bit is bits per second, bps bytes per second), such as "10mbit"` });
    else if (bits < RATE_MIN || bits > RATE_MAX) ctx.addIssue({ code: "custom", message: `"${s}" is ${bits} bit/s, outside 1kbit to 100gbit` });
    else if (bits % 8 !== 0) ctx.addIssue({ code: "custom", message: `"${s}" is ${bits} bit/s, not a whole number of bytes per second (the kernel counts bytes)` });
});

const size = (what: string) => z.union([z.number(), z.string()], { error: `must be a size in bytes: a number, or a string such as "32kb"` }).superRefine((v, ctx) => {
    if (v === UNKNOWN) return;
    const n = parseSize(v);
    if (n === undefined) ctx.addIssue({ code: "custom", message: `${JSON.stringify(v)} is not a size: whole bytes, or a whole number and one of ${unitText(SIZE_UNITS)} (tc's: kb is 1024 bytes), such as "32kb"` });
    else if (n < 1 || n > U32) ctx.addIssue({ code: "custom", message: `${JSON.stringify(v)} is ${n} bytes: ${what} must be 1 to ${U32} bytes` });
});

const time = z.string({ error: 'must be a time with a unit, such as "50ms"' }).superRefine((s, ctx) => {
    if (s === UNKNOWN) return;
    const us = parseTime(s);
    if (us === undefined) ctx.addIssue({ code: "custom", message: `"${s}" is not a time: a number and one of ${unitText(TIME_UNITS)}, in whole microseconds, such as "50ms"` });
    else if (us > TIME_MAX_US) ctx.addIssue({ code: "custom", message: `"${s}" is longer than 60s` });
});

const loss = z.union([z.number(), z.string()], { error: 'must be a percentage: a number or a string such as "1%"' }).superRefine((v, ctx) => {
    if (v === UNKNOWN) return;
    const p = parseLoss(v);
    if (p === undefined) ctx.addIssue({ code: "custom", message: `${JSON.stringify(v)} is not a percentage such as 1 or "1%"` });
    else if (!(p > 0 && p <= 100)) ctx.addIssue({ code: "custom", message: `${JSON.stringify(v)} is outside (0, 100] percent` });
});

// The inputs, one doc comment each (kept apart and typed by name so that the published .d.ts keeps the comments).
const fields = {
    /** The namespace of the interface. Pass `pair.namespace` (or the Namespace's name) so the shaping waits for it. A change replaces the shaping. */
    namespace: nsname,
    /** The interface whose egress is shaped, as in `tc qdisc add dev DEV`. Pass `pair.name` or `pair.peerName` so it waits for the link. A change replaces the shaping (the link itself is never touched). */
    dev: ifname,
    /** tbf: the rate what leaves `dev` is limited to, with tc's unit: "10mbit", "1gbit", "125kbps" (bit = bits/s, bps = bytes/s). 1kbit to 100gbit. Needs burst, and latency or limit. Updated in place (`tc qdisc change`). */
    rate: rate.optional(),
    /** tbf: the bucket, in bytes or with tc's unit ("32kb" = 32768 bytes). Give at least the link's MTU plus 14 (a larger frame is dropped); it must take 1 µs to 200 s to send at the rate. Updated in place. */
    burst: size("burst").optional(),
    /** tbf: the longest a packet may wait in the queue ("50ms"); tc turns it into limit = rate × latency + burst. Give this or limit, not both. Updated in place. */
    latency: time.optional(),
    /** tbf: the queue's size in bytes (or "64kb"). Give this or latency, not both. Updated in place. */
    limit: size("limit").optional(),
    /** netem: the delay added to every packet ("20ms"). Needs a kernel with CONFIG_NET_SCH_NETEM (not the one CI runs on: there create fails with one line saying so). Updated in place. */
    delay: time.optional(),
    /** netem: the jitter around delay ("5ms"); needs delay. Updated in place. */
    jitter: time.optional(),
    /** netem: the share of packets dropped at random, in percent: 1, 0.5 or "1%" (more than 0, at most 100). Updated in place. */
    loss: loss.optional(),
    /** Take over a root qdisc that is already on `dev` (one of another kind or handle: someone's own shaping) instead of refusing; destroy then removes it too. Also needed when neither the link nor its namespace carries an ownership mark. */
    adopt,
    /** `PROJECT/STACK`: shape a link (or a link in a namespace) marked by that other stack. Without it, another stack's link is refused. */
    adoptFrom,
};

type Raw = { [K in keyof typeof fields]?: unknown };
const known = (...v: unknown[]) => v.every((x) => x !== UNKNOWN);

/** The cross-field rules, apart so that unit tests can name them. */
function crossCheck(v: Raw, ctx: z.RefinementCtx): void {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    const tbf = v.rate !== undefined || v.burst !== undefined || v.latency !== undefined || v.limit !== undefined;
    const netem = v.delay !== undefined || v.jitter !== undefined || v.loss !== undefined;
    if (!tbf && !netem) issue("rate", "nothing to shape: give rate (with burst, and latency or limit) for a rate limit, and/or delay, jitter or loss");
    if (tbf) {
        if (v.rate === undefined) issue("rate", "burst, latency and limit belong to a rate limit: give rate too");
        if (v.burst === undefined) issue("burst", "a rate limit needs burst, the bucket in bytes (at least the link's MTU plus 14), such as \"32kb\"");
        if (v.latency === undefined && v.limit === undefined) issue("latency", "a rate limit needs latency (such as \"50ms\") or limit (bytes)");
        if (v.latency !== undefined && v.limit !== undefined) issue("limit", "give latency or limit, not both (tc computes the one from the other)");
    }
    if (v.jitter !== undefined && v.delay === undefined) issue("jitter", "jitter varies the delay: give delay too");
    if (!known(v.rate, v.burst, v.latency)) return;
    const bits = typeof v.rate === "string" ? parseRate(v.rate) : undefined;
    const bytes = typeof v.burst === "number" || typeof v.burst === "string" ? parseSize(v.burst) : undefined;
    if (bits === undefined || bytes === undefined || bits < RATE_MIN || bits > RATE_MAX) return;
    const us = (bytes * 8 * 1e6) / bits;
    if (us < BURST_TIME_MIN_US) issue("burst", `${bytes} bytes take ${us.toFixed(3)} µs at ${v.rate}: the kernel keeps the bucket as time in 64 ns ticks, so it would round to almost nothing; give at least ${Math.ceil((bits * BURST_TIME_MIN_US) / 8e6)} bytes`);
    if (us > BURST_TIME_MAX_US) issue("burst", `${bytes} bytes take ${Math.round(us / 1e6)} s at ${v.rate}: more than 200 s overflows the kernel's 32-bit bucket time (tc would install a much smaller one); give a smaller burst or a higher rate`);
    const lat = typeof v.latency === "string" ? parseTime(v.latency) : undefined;
    if (lat !== undefined && (bits / 8) * lat / 1e6 + bytes > U32) issue("latency", `rate × latency + burst is more than ${U32} bytes, the largest queue tbf holds`);
}

const schema: z.ZodObject<typeof fields, z.core.$strict> = z.strictObject(fields).superRefine(crossCheck);

const computed = {
    /** The interface index of `dev`: the same before and after an update (the link is never replaced to change its shaping). */
    ifindex,
    /** The qdiscs installed, root first: "tbf", "netem" or "netem+tbf". */
    qdisc: z.string(),
    /** The rate the kernel holds, in bytes per second (as `tc -j` reports it); 0 without a rate limit. */
    rateBytes: z.number(),
};

/** The inputs of a LinkShaping after check: the provider's view. */
export type LinkShapingSpec = SpecOf<typeof schema>;
type State = StateOf<typeof schema, typeof computed>;
type Stored = StoredOf<typeof schema, typeof computed>;
type Where = Pick<LinkShapingSpec, "namespace" | "dev">;

const hasTbf = (a: LinkShapingSpec) => a.rate !== undefined;
const hasNetem = (a: LinkShapingSpec) => a.delay !== undefined || a.jitter !== undefined || a.loss !== undefined;
/** Which qdiscs the inputs make, root first. */
export function shape(a: LinkShapingSpec): "tbf" | "netem" | "netem+tbf" {
    return hasNetem(a) ? (hasTbf(a) ? "netem+tbf" : "netem") : "tbf";
}

/** tbf's parameters in tc's words, from the checked inputs (canonical units: bit, bytes, us). */
export function tbfWords(a: LinkShapingSpec): string[] {
    return ["tbf", "rate", `${parseRate(a.rate!)}bit`, "burst", String(parseSize(a.burst!)),
        ...(a.latency !== undefined ? ["latency", `${parseTime(a.latency)}us`] : ["limit", String(parseSize(a.limit!))])];
}

/** netem's parameters in tc's words. */
export function netemWords(a: LinkShapingSpec): string[] {
    return ["netem",
        ...(a.delay !== undefined ? ["delay", `${parseTime(a.delay)}us`, ...(a.jitter !== undefined ? [`${parseTime(a.jitter)}us`] : [])] : []),
        ...(a.loss !== undefined ? ["loss", `${parseLoss(a.loss)}%`] : [])];
}

type Verb = "add" | "change" | "replace";
const tc = (a: Where, ...rest: string[]) => ["tc", "-n", a.namespace, ...rest];

export const argv = {
    /** The commands that install (add), change or replace the shaping, in order: root first. */
    install: (a: LinkShapingSpec, verb: Verb): string[][] => {
        const root = (words: string[]) => tc(a, "qdisc", verb, "dev", a.dev, "root", "handle", ROOT_HANDLE, ...words);
        switch (shape(a)) {
            case "tbf": return [root(tbfWords(a))];
            case "netem": return [root(netemWords(a))];
            case "netem+tbf": return [root(netemWords(a)), tc(a, "qdisc", verb === "replace" ? "add" : verb, "dev", a.dev, "parent", `${ROOT_HANDLE}1`, "handle", CHILD_HANDLE, ...tbfWords(a))];
        }
    },
    /** The qdiscs of dev, with the raw values (limit, which plain -j leaves out). */
    show: (a: Where) => tc(a, "-raw", "-j", "qdisc", "show", "dev", a.dev),
    del: (a: Where) => tc(a, "qdisc", "del", "dev", a.dev, "root"),
    link: (a: Where) => ["ip", "-n", a.namespace, "-j", "link", "show", "dev", a.dev],
};

/** One qdisc as `tc -j qdisc show` prints it. */
export interface QdiscJson {
    kind: string;
    handle: string;
    root?: boolean;
    parent?: string;
    options?: {
        rate?: number; burst?: number; lat?: number; limit?: number;
        delay?: { delay?: number; jitter?: number };
        "loss-random"?: { loss?: number };
    };
}

/** What the kernel holds, in canonical units. */
export interface LiveShaping {
    /** The root qdisc's kind and handle ("noqueue" and "0:" for the kernel's default). */
    root: { kind: string; handle: string };
    qdisc: string;
    tbf?: { rateBytes: number; burst: number; latencyUs?: number | undefined; limit?: number | undefined } | undefined;
    netem?: { delayUs?: number | undefined; jitterUs?: number | undefined; loss?: number | undefined } | undefined;
}

/** Reads the output of `tc -raw -j qdisc show dev DEV` (pure: unit-tested on tc's JSON). */
export function parseQdiscs(list: readonly QdiscJson[]): LiveShaping {
    // A device that is down lists no root qdisc at all (the kernel's noop): the default.
    const root = list.find((q) => q.root === true) ?? { kind: "noop", handle: "0:" };
    const tbfOf = (q: QdiscJson | undefined) => q?.kind === "tbf" && q.options ? {
        rateBytes: q.options.rate ?? 0, burst: q.options.burst ?? 0, latencyUs: q.options.lat, limit: q.options.limit,
    } : undefined;
    const netemOf = (q: QdiscJson) => {
        const d = q.options?.delay;
        const l = q.options?.["loss-random"]?.loss;
        // tc prints the delay and jitter in seconds and the loss in percent.
        return { delayUs: d?.delay !== undefined ? Math.round(d.delay * 1e6) : undefined, jitterUs: d?.jitter ? Math.round(d.jitter * 1e6) : undefined, loss: l };
    };
    if (root.kind === "netem") {
        const child = list.find((q) => q.parent === `${root.handle}1` && q.kind === "tbf");
        return { root: { kind: root.kind, handle: root.handle }, qdisc: child ? "netem+tbf" : "netem", netem: netemOf(root), tbf: tbfOf(child) };
    }
    return { root: { kind: root.kind, handle: root.handle }, qdisc: root.kind, tbf: tbfOf(root) };
}

/** Whether a value read back is the one asked for: the kernel rounds sizes through 64 ns ticks. */
const near = (live: number, want: number, slack: number) => Math.abs(live - want) <= Math.max(slack, want * 0.01);

/**
 * The inputs as the kernel holds them: each input that still means what it says is kept as
 * written; one that the kernel no longer holds is replaced by the live value (so refresh shows it
 * and the next up changes it back).
 */
export function asInputs<T extends LinkShapingSpec>(a: T, live: LiveShaping): T {
    const out = { ...a };
    const wantShape = shape(a);
    if (live.qdisc !== wantShape) {
        // Another shape of qdiscs than the inputs make: the parts that are missing read as absent.
        if (!live.tbf) { out.rate = undefined; out.burst = undefined; out.latency = undefined; out.limit = undefined; }
        if (!live.netem) { out.delay = undefined; out.jitter = undefined; out.loss = undefined; }
    }
    if (live.tbf && hasTbf(a)) {
        const t = live.tbf;
        const bytesPerSec = parseRate(a.rate!)! / 8;
        if (!near(t.rateBytes, bytesPerSec, 1)) out.rate = `${t.rateBytes * 8}bit`;
        const burst = parseSize(a.burst!)!;
        // One tick of slack (64 ns at the rate) plus a byte, or 1%.
        if (!near(t.burst, burst, (t.rateBytes * 64) / 1e9 + 2)) out.burst = t.burst;
        if (a.latency !== undefined) {
            const lat = parseTime(a.latency)!;
            const wantLimit = Math.floor((bytesPerSec * lat) / 1e6 + burst);
            if (t.limit !== undefined ? !near(t.limit, wantLimit, 2) : t.latencyUs !== undefined && !near(t.latencyUs, lat, 2)) {
                if (t.latencyUs !== undefined) out.latency = `${t.latencyUs}us`;
                else { out.latency = undefined; out.limit = t.limit; }
            }
        } else if (t.limit !== undefined && !near(t.limit, parseSize(a.limit!)!, 0)) {
            out.limit = t.limit;
        }
    }
    if (live.netem && hasNetem(a)) {
        const n = live.netem;
        const us = (v: string | undefined) => (v === undefined ? undefined : parseTime(v));
        if ((n.delayUs ?? 0) !== (us(a.delay) ?? 0) && !near(n.delayUs ?? 0, us(a.delay) ?? 0, 2)) out.delay = n.delayUs ? `${n.delayUs}us` : undefined;
        if ((n.jitterUs ?? 0) !== (us(a.jitter) ?? 0) && !near(n.jitterUs ?? 0, us(a.jitter) ?? 0, 2)) out.jitter = n.jitterUs ? `${n.jitterUs}us` : undefined;
        const want = a.loss === undefined ? 0 : parseLoss(a.loss)!;
        if (Math.abs((n.loss ?? 0) - want) > 0.001) out.loss = n.loss ? n.loss : undefined;
    }
    return out;
}

/** What a tc failure means, said once (the kernel's words: KERNEL.md). */
export function hint(a: LinkShapingSpec, stderr: string): string {
    if (/Specified qdisc kind is unknown/.test(stderr)) {
        return hasNetem(a)
            ? "this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM is not set; there are no modules to load): delay, jitter and loss need a kernel that has it; a rate limit alone (rate, burst, latency or limit) works with tbf"
            : "this kernel has no tbf qdisc (CONFIG_NET_SCH_TBF is not set): a rate limit needs a kernel that has it";
    }
    if (/Cannot find device/.test(stderr)) return `there is no interface ${a.dev} in ${a.namespace}: create it first and pass its name as an output (pair.name) so Pulumi orders the two`;
    if (/Exclusivity flag on|File exists/.test(stderr)) return `${a.dev} in ${a.namespace} already has a root qdisc; run pulumi refresh, or set adopt: true to take it over`;
    return commonHint(stderr);
}

/** The one line a create on a kernel without netem fails with (the message's hint, pinned by tests). */
export const NO_NETEM = "this kernel has no netem qdisc";

interface LinkJson { ifindex: number; ifalias?: string }

/** The device (its ifindex and whose it is), or undefined when it or its namespace is gone. */
async function device(s: Subject, a: Where): Promise<{ ifindex: number; claim: Claim; by: "link" | "namespace" } | undefined> {
    const l = (await ipRead<LinkJson>(s, argv.link(a), { namespace: a.namespace, device: a.dev, what: `interface ${a.dev} in ${a.namespace}` }))?.[0];
    if (!l) return undefined;
    const claim = claimOf(l.ifalias, s.owner);
    if (claim.by !== "nobody") return { ifindex: l.ifindex, claim, by: "link" };
    return { ifindex: l.ifindex, claim: (await namespaceClaim(s, a.namespace)) ?? { by: "nobody" }, by: "namespace" };
}

/** The qdiscs of dev, or undefined when the device or its namespace is gone. */
async function qdiscs(s: Subject, a: Where): Promise<LiveShaping | undefined> {
    const r = await exec(s, argv.show(a));
    if (r.exitCode !== 0) {
        if (!(await namespaceExists(a.namespace, s)) || /Cannot find device/.test(r.stderr)) return undefined;
        throw new NetnsError(s, shown(s, argv.show(a)), r.exitCode, r.stderr, `could not read the qdiscs of ${a.dev} in ${a.namespace}, so whether the shaping exists is not known; ${commonHint(r.stderr)}`);
    }
    const text = r.stdout.trim();
    try {
        return parseQdiscs(text ? (JSON.parse(text) as QdiscJson[]) : []);
    } catch {
        throw new NetnsError(s, shown(s, argv.show(a)), 0, r.stderr, `tc printed no JSON for ${a.dev} in ${a.namespace} (stdout: ${text.slice(0, 200)}); is this iproute2 older than 4.13 (no -j)?`);
    }
}

/** Whether a root qdisc is the kernel's default (no handle): nobody's shaping. */
const isDefault = (root: { handle: string }) => root.handle === "0:";
const isOurs = (root: { handle: string }) => root.handle === ROOT_HANDLE;

async function read<T extends Stored>(s: Subject, a: T): Promise<(T & State) | undefined> {
    const dev = await device(s, a);
    if (!dev) return undefined;
    const live = await qdiscs(s, a);
    // Gone with its device, removed by hand (the default is back), or replaced by someone's own.
    if (!live || !isOurs(live.root)) return undefined;
    return { ...asInputs(a, live), ifindex: dev.ifindex, qdisc: live.qdisc, rateBytes: live.tbf?.rateBytes ?? 0 };
}

async function installAll(s: Subject, a: LinkShapingSpec, verb: Verb): Promise<void> {
    for (const cmd of argv.install(a, verb)) await mustRun(s, cmd, (e) => hint(a, e));
}

/**
 * Another shape of qdiscs under the kind's own handle: the kernel replaces a qdisc by one of
 * another kind only under another handle ("Invalid qdisc name: must match existing qdisc"), so
 * the root is deleted and the new one added (the link stays). When the add fails, the previous
 * shaping (`back`) is added again before the error is thrown, so a failed update changes nothing.
 */
async function reshape(s: Subject, a: LinkShapingSpec, back: LinkShapingSpec | undefined): Promise<void> {
    await mustRun(s, argv.del(a), (e) => hint(a, e));
    try {
        await installAll(s, a, "add");
    } catch (e) {
        await exec(s, argv.del(a));
        if (back) for (const cmd of argv.install(back, "add")) if ((await exec(s, cmd)).exitCode !== 0) break;
        throw e;
    }
}

/** The LinkShaping kind: the egress qdisc of one interface (tbf, netem, or netem with tbf under it). */
export const linkShaping: KindDef<"LinkShaping", typeof schema, typeof computed> = defineKind({
    kind: "LinkShaping",
    schema,
    computed,
    namespaces: ["namespace"],
    deletedWith: "namespace",
    // The kernel deletes an interface's qdiscs with it.
    ties: { devs: [{ dev: "dev", namespace: "namespace" }], dependsOn: ["link"] },
    claims: (on) => [
        on(["namespace", "dev"], (a) => [{ claim: `qdisc root ${a.namespace} ${a.dev}`, property: "dev",
            what: `the root qdisc of "${a.dev}" in namespace ${a.namespace}`, why: "an interface has one root qdisc: give it one LinkShaping" }]),
    ],
    diff: { replace: ["namespace", "dev"], update: ["rate", "burst", "latency", "limit", "delay", "jitter", "loss"], clear: ["rate", "burst", "latency", "limit", "delay", "jitter", "loss"] },
    id: (a) => `${a.namespace}/${a.dev}/root`,

    async create(s, a) {
        const dev = await device(s, a);
        if (!dev) throw new NetnsError(s, shown(s, argv.link(a)), undefined, "", hint(a, "Cannot find device"));
        // Whose the link is (its mark, else its namespace's): another stack's is refused, an unmarked one needs adopt.
        if (dev.claim.by === "other" || dev.claim.by === "nobody") {
            const what = dev.by === "link" ? `interface ${a.dev} in ${a.namespace}` : `interface ${a.dev} (no mark of its own) in namespace ${a.namespace}`;
            const unmarked = `neither ${a.dev} nor namespace ${a.namespace} carries an ownership mark, so nothing says its shaping is this stack's to make: set adopt: true to shape it anyway`;
            const v = onExisting(dev.claim, what, s.owner, a.adopt, a.adoptFrom, unmarked);
            if (!v.take) throw new NetnsError(s, shown(s, argv.link(a)), undefined, "", v.hint);
        }
        const live = await qdiscs(s, a);
        if (!live) throw new NetnsError(s, shown(s, argv.show(a)), undefined, "", hint(a, "Cannot find device"));
        // The kernel's default root: add. This kind's own (a create whose record was lost) or
        // someone's own shaping taken over with adopt: replace, never deleting the link.
        let verb: Verb | "reshape" = "add";
        if (!isDefault(live.root)) {
            if (!isOurs(live.root) && !a.adopt && a.adoptFrom === undefined) {
                throw new NetnsError(s, shown(s, argv.show(a)), undefined, "",
                    `${a.dev} in ${a.namespace} already has a root qdisc of its own (${live.root.kind}, handle ${live.root.handle}) that this stack did not make: a qdisc carries no ownership mark, so it is left alone; remove it (tc -n ${a.namespace} qdisc del dev ${a.dev} root) or set adopt: true to replace it (destroy then removes it)`);
            }
            // Someone's own (another handle): replaced in one step. This kind's own: made again.
            verb = isOurs(live.root) ? "reshape" : "replace";
        }
        try {
            if (verb === "reshape") await reshape(s, a, undefined);
            else await installAll(s, a, verb);
        } catch (e) {
            // All or nothing: a root made here (a netem+tbf whose tbf failed) is removed.
            if (verb === "add") await exec(s, argv.del(a));
            throw e;
        }
        const out = await read(s, a);
        if (!out) throw new NetnsError(s, shown(s, argv.show(a)), undefined, "", "the qdisc vanished right after it was added; is another tool changing qdiscs?");
        return out;
    },

    read: (s, o) => read(s, o),

    async update(s, olds, news) {
        // The same qdiscs: tc qdisc change. Another shape (a netem added or dropped): the root
        // made again (reshape); the link stays, its ifindex is kept.
        if (shape(olds) === shape(news)) await installAll(s, news, "change");
        else await reshape(s, news, olds);
        const out = await read(s, news);
        if (!out) throw new NetnsError(s, shown(s, argv.show(news)), undefined, "", "the shaping is gone; run pulumi refresh, then pulumi up to create it again");
        return out;
    },

    async delete(s, o) {
        const dev = await device(s, o);
        if (!dev) return; // gone with its link or namespace
        if (!mayDelete(dev.claim) && o.adoptFrom === undefined) {
            warn(s, leftAlone(dev.claim, `the root qdisc of ${o.dev} in ${o.namespace}`));
            return;
        }
        const live = await qdiscs(s, o);
        if (!live || isDefault(live.root)) return; // already gone
        if (!isOurs(live.root)) {
            warn(s, `the root qdisc of ${o.dev} in ${o.namespace} is no longer this kind's (${live.root.kind}, handle ${live.root.handle}): someone replaced it; left in place, and dropped from this stack's state`);
            return;
        }
        const r = await exec(s, argv.del(o));
        if (r.exitCode !== 0 && !/Cannot find device|Cannot open network namespace|No such file or directory|handle of zero/.test(r.stderr)) {
            throw new NetnsError(s, shown(s, argv.del(o)), r.exitCode, r.stderr, commonHint(r.stderr));
        }
    },
});

/** The arguments of a LinkShaping: each input of its schema, as a `pulumi.Input`. */
export type LinkShapingArgs = ArgsOf<typeof schema>;

/** The egress shaping of one interface: a rate limit (tbf) and/or delay, jitter and loss (netem). Every input is an output too, with the interface's ifindex. */
export const LinkShaping: ResourceClass<typeof linkShaping> = resourceClass(linkShaping);
export type LinkShaping = InstanceType<typeof LinkShaping>;
