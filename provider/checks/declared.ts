// Checks that need the whole stack, made in the program (the resource constructors), because the
// provider's `check` sees one resource at a time:
//
//   - no two resources of a stack claim the same kernel object: two Namespaces with one name,
//     two interfaces (veth ends, bridges) with one name in one namespace, the same Address on the
//     same interface twice, two Routes with one destination, table and metric, two Sysctls with
//     one key, two Rules with one priority and selectors. The kernel would refuse the second
//     (File exists) halfway through an `up`, or, for a sysctl, let the last writer win on every run;
//   - a Route's gateway is on a segment the stack connects that namespace to: some Address (or a
//     Route through a device alone) of the same namespace, declared in the same stack, has a
//     subnet that contains it. Decided only where it can be: for a namespace that a Namespace of
//     this stack creates (not adopted: an adopted one may hold addresses made elsewhere), for a
//     gateway that is not IPv6 link-local, and when every Address and Route of the stack had
//     known values.
//
// What each resource claims is said by its kind's definition (`claims`: facts computed from its
// inputs once they are known); this module only collects and compares them. Values that stay
// unknown during a preview are not checked. A conflict fails the program with an error logged
// against the resource that makes it, naming the property, without a stack trace. Duplicates are
// reported as soon as the second claim is known; gateways when the program has registered
// everything (the process's `beforeExit`, which the SDK lets run before it shuts down; `finish()`
// in tests).
//
// One StackChecks object per program run: the SDK keeps one resource monitor per run (the
// engine's client for a CLI run, a new one per Automation API inline run, a new mock per
// `pulumi.runtime.setMocks`), so the objects are kept in a WeakMap keyed by
// `pulumi.runtime.getMonitor()`. Two programs in one process never share claims, and nothing is
// module state but that map.
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { contains, formatCidr, parseCidr, parseIp, type Cidr, type Family } from "../model/net";
import { tiedToSegment } from "./ties";

/** What a resource tells the whole-stack checks, once the inputs it reads are known. */
export type Fact =
    /** It makes the kernel object `key`; `what` and `why` word the error for a second claimant. */
    | { claim: string; property: string; what: string; why: string }
    /** It creates this namespace (adopted or not). */
    | { namespace: string; adopt: boolean }
    /** It connects `namespace` to the subnet of `segment` (an address or network with its prefix). */
    | { segment: string; namespace: string; by: string; dev: string }
    /** It uses the gateway `gateway` in `namespace`, given by `property`. */
    | { gateway: string; namespace: string; property: string }
    /** It writes the sysctl `sysctl` (a key as given) in `namespace`, given by `property` (coupled keys: sysctlCoupling). */
    | { sysctl: string; namespace: string; property: string };

/** The facts of `facts` once the inputs `needs` are known (a kind's `claims`, built with `on`). */
export interface ClaimRule {
    needs: readonly string[];
    facts: (a: Record<string, unknown>, name: string) => Fact[];
}

/** Builds claim rules for a kind's definition: `claims: (on) => [on(["namespace", "name"], (a) => [...])]`. */
export function on(needs: readonly string[], facts: (a: never, name: string) => Fact[]): ClaimRule {
    return { needs, facts: facts as ClaimRule["facts"] };
}

interface Owner {
    resource: pulumi.Resource;
    kind: string;
    name: string;
    property: string;
}

export class StackChecks {
    private readonly claims = new Map<string, Owner>();
    /** Sysctl keys by coupled group (namespace, family, setting): see recordSysctl. */
    private readonly coupled = new Map<string, { owner: Owner; key: string; all: boolean }[]>();
    /** Namespaces this stack creates, and whether it adopts them. */
    private readonly namespaces = new Map<string, { adopt: boolean }>();
    /** The subnets each namespace is connected to, with who connects it. */
    private readonly segments = new Map<string, { net: Cidr; text: string; by: string; resource: pulumi.Resource; dev: string }[]>();
    private readonly gateways: { owner: Owner; namespace: string; via: string }[] = [];
    /** Claim rules whose values are not known (yet, or at all in this preview). */
    private unresolved = 0;
    private analyzed = false;
    /** Every error reported, as logged. */
    readonly failures: string[] = [];

    /**
     * Registers a resource's claim rules; each applies once the inputs it needs are known, and only
     * when each of them is valid by its field of `shape` (the kind's schema). An invalid input is
     * the provider's `check` to report, in one line naming the property; a rule never sees it.
     */
    declare(resource: pulumi.Resource, kind: string, name: string, rules: readonly ClaimRule[], args: Record<string, unknown>, shape: Readonly<Record<string, z.ZodType>>): void {
        for (const rule of rules) {
            this.unresolved++;
            pulumi.all(rule.needs.map((k) => args[k] as pulumi.Input<unknown>)).apply((values) => {
                this.unresolved--;
                if (rule.needs.some((k, i) => shape[k] !== undefined && !shape[k].safeParse(values[i]).success)) return undefined;
                const known = Object.fromEntries(rule.needs.map((k, i) => [k, values[i]]));
                for (const fact of rule.facts(known, name)) this.record(resource, kind, name, fact);
                return undefined;
            });
        }
    }

    /** Whether every registered rule has had its values (none unknown in this preview). */
    get settled(): boolean {
        return this.unresolved === 0;
    }

    private record(resource: pulumi.Resource, kind: string, name: string, f: Fact): void {
        if ("claim" in f) {
            const owner = { resource, kind, name, property: f.property };
            const first = this.claims.get(f.claim);
            if (!first) this.claims.set(f.claim, owner);
            // One resource, two names for one claim (a pair within one namespace is checked by the schema).
            else if (first.resource !== resource) this.fail(owner, `${f.what} is already used by ${first.kind} "${first.name}" (${first.property}): ${f.why}`);
        } else if ("namespace" in f && "adopt" in f) {
            this.namespaces.set(f.namespace, { adopt: f.adopt });
        } else if ("sysctl" in f) {
            this.recordSysctl({ resource, kind, name, property: f.property }, f.namespace, f.sysctl);
        } else if ("segment" in f) {
            const net = parseCidr(f.segment);
            if (!net) return;
            const list = this.segments.get(f.namespace) ?? [];
            list.push({ net: { ...net }, text: f.segment, by: f.by, resource, dev: f.dev });
            this.segments.set(f.namespace, list);
        } else {
            this.gateways.push({ owner: { resource, kind, name, property: f.property }, namespace: f.namespace, via: f.gateway });
        }
    }

    /**
     * A key that the kernel writes along with another of the stack (sysctlCoupling): writing
     * net.ipv4.conf.all.forwarding sets conf.default.forwarding and every conf.DEV.forwarding too,
     * so the two would overwrite each other, and each would record the other's write as the value
     * to restore. Refused, against the second one known.
     */
    private recordSysctl(owner: Owner, namespace: string, key: string): void {
        const c = sysctlCoupling(key);
        if (!c) return;
        const group = `${namespace} ${c.group}`;
        const seen = this.coupled.get(group) ?? [];
        // Two keys that are not `all` (default, eth0) are apart; the same key twice is a claim of its own.
        const other = seen.find((x) => x.all !== c.all && x.owner.resource !== owner.resource);
        if (other) {
            const [all, one] = c.all ? [key, other.key] : [other.key, key];
            this.fail(owner, `${key} in namespace ${namespace} is also written by ${other.owner.kind} "${other.owner.name}" (${other.owner.property}: ${other.key}): ` +
                `the kernel sets ${one} whenever ${all} is written, so the two would overwrite each other and destroy could not restore what was there before. Declare one of them`);
            return;
        }
        seen.push({ owner, key, all: c.all });
        this.coupled.set(group, seen);
    }

    /**
     * A Route tied to nothing. ties.ts replaces a Route along with the Address (and link) that puts
     * its namespace on the gateway's segment, when it can tell which one that is when the Route is
     * constructed. When it cannot (plain strings and no dependency, an Address constructed after the
     * Route or from computed values), replacing that link or Address would make the kernel delete
     * the route while the engine keeps it in the state: say so at preview, against the Route, with
     * what to add.
     */
    private warnUntied(g: { owner: Owner; namespace: string; via: string }): void {
        const ip = parseIp(g.via);
        if (!ip) return;
        const on = (this.segments.get(g.namespace) ?? []).filter((s) => contains(s.net, ip));
        // An inline route (VethPair `routes`) whose own link carries an address on the segment goes with that link.
        if (on.length === 0 || on.some((s) => s.resource === g.owner.resource) || tiedToSegment(g.owner.resource, on.map((s) => s.resource))) return;
        const where = on.map((s) => `${s.by} (${s.text} on ${s.dev})`).join(", ");
        const devs = [...new Set(on.map((s) => s.dev))].join(", ");
        void pulumi.log.warn(`${g.owner.kind} "${g.owner.name}": via ${g.via} is on the segment of ${where} in namespace ${g.namespace}, but nothing ties the route to it: ` +
            `when that Address or its link (${devs}) is replaced, the kernel deletes the route and the engine keeps it in the state as if it were there. ` +
            `Add dependsOn: [${on.map((s) => s.by).join(" or ")}] to the route's options, or give it dev from the link's output (dev: link.name)`, g.owner.resource);
    }

    private fail(owner: Owner, message: string): void {
        // Logged against the resource, without a stack trace; exit code 32 is the SDK's own "failed
        // after logging a message for the user": the language host then fails the preview or update
        // without adding anything. (An unhandled error thrown once the program's main module has
        // finished would be printed with its stack.)
        const text = `${owner.kind} "${owner.name}": property ${owner.property} ${message}`;
        this.failures.push(text);
        void pulumi.log.error(text, owner.resource);
        process.exitCode = 32;
    }

    /** Every gateway against the segments, once the program has registered all its resources. */
    finish(): void {
        if (this.analyzed) return;
        this.analyzed = true;
        unfinished.delete(this);
        if (this.unresolved > 0) return; // some Address or Route is unknown: no gateway is decidable
        for (const g of this.gateways) {
            this.warnUntied(g);
            const ns = this.namespaces.get(g.namespace);
            if (!ns || ns.adopt) continue;
            const ip = parseIp(g.via);
            if (!ip) continue; // the schema reports it
            if (ip.family === 6 && (ip.value >> 118n) === 0x3fan) continue; // fe80::/10: on every link
            const nets = this.segments.get(g.namespace) ?? [];
            if (nets.some((s) => contains(s.net, ip))) continue;
            const have = nets.length ? `its segments in this stack: ${nets.map((s) => `${s.text} (${s.by})`).join(", ")}` : "this stack puts no address in it";
            this.fail(g.owner, `${g.via} is on no connected segment of namespace ${g.namespace} (${have}): the kernel would refuse this gateway. Add an Address in the gateway's subnet to ${g.namespace}, or fix via`);
        }
    }
}

const runs = new WeakMap<object, StackChecks>();
/** The key for resources made outside any Pulumi run (no monitor: plain scripts, some tests). */
const NO_RUN = {};
/** The runs whose gateways are still to be judged, at the latest when the process is about to exit. */
const unfinished = new Set<StackChecks>();
let hooked = false;

/** The checks of the current program run, made on first use. */
export function stackChecks(): StackChecks {
    const key = (pulumi.runtime.getMonitor() as object | undefined) ?? NO_RUN;
    let checks = runs.get(key);
    if (!checks) {
        runs.set(key, (checks = new StackChecks()));
        unfinished.add(checks);
        if (!hooked) {
            hooked = true;
            process.on("beforeExit", () => { for (const c of [...unfinished]) c.finish(); });
        }
    }
    return checks;
}

// ---------------------------------------------------------------------------------------------
// Helpers for the kinds' claim rules.

/** An interface name in a namespace: veth ends and bridges share the namespace's name space. */
export function interfaceClaim(namespace: string, dev: string, property: string): Fact {
    return { claim: `link ${namespace} ${dev}`, property, what: `"${dev}" in namespace ${namespace}`, why: "two interfaces in one namespace need different names" };
}

/** The family of the first of these texts that is an address or a network. */
export function familyOf(...texts: (string | undefined)[]): Family | undefined {
    for (const t of texts) {
        if (t === undefined || t === "default" || t === "all") continue;
        const f = (parseCidr(t) ?? parseIp(t))?.family;
        if (f) return f;
    }
    return undefined;
}

/** A network or address with its prefix in one spelling (2001:db8:0::1/64 and 2001:db8::1/64 are one). */
export function canonical(cidr: string): string {
    const c = parseCidr(cidr);
    return c ? formatCidr(c) : cidr;
}

/**
 * A sysctl key in one spelling: the slash form with each component as the kernel names it
 * (`net.ipv4.conf.eth0/1.rp_filter` and `net/ipv4/conf/eth0.1/rp_filter` are one: sysctl(8)
 * reads a key whose first separator is '.' with '.' and '/' swapped), and `net.ipv4.ip_forward`
 * as `net/ipv4/conf/all/forwarding`, which is the same kernel value (the kernel's ip_forward
 * handler reads and writes conf.all.forwarding).
 */
export function sysctlCanonical(key: string): string {
    const first = key.search(/[./]/);
    const path = first >= 0 && key[first] === "/" ? key : key.replace(/[./]/g, (c) => (c === "." ? "/" : "."));
    return path === "net/ipv4/ip_forward" ? "net/ipv4/conf/all/forwarding" : path;
}

/**
 * The settings the kernel copies from `all` to `default` and every interface when `all` is
 * written: IPv4 and IPv6 forwarding, IPv6 disable_ipv6. A key of one of them gives its group (per
 * family and setting) and whether it is the `all` key; any other key, undefined.
 */
export function sysctlCoupling(key: string): { group: string; all: boolean } | undefined {
    const m = /^net\/(ipv4|ipv6)\/conf\/([^/]+)\/(forwarding|disable_ipv6)$/.exec(sysctlCanonical(key));
    if (!m || (m[1] === "ipv4" && m[3] !== "forwarding")) return undefined;
    return { group: `${m[1]} ${m[3]}`, all: m[2] === "all" };
}

/**
 * A route destination in one spelling: "default", 0.0.0.0/0 and ::/0 are one destination to the
 * kernel (per family), so all three are "default"; any other network is canonical().
 */
export function routeDestination(to: string): string {
    if (to === "default") return "default";
    const c = parseCidr(to);
    return c && c.prefix === 0 ? "default" : canonical(to);
}
