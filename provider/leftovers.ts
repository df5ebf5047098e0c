// The leftover finder: the objects on the host that carry a stack's ownership mark
// (provider/ownership/owner.ts) but that the stack no longer has in its state, or whose stack no longer
// exists. They are what a lost state file, a `pulumi stack rm --force` or a crash under
// PULUMI_SKIP_CHECKPOINTS leave behind. Used by `pulumi-netns leftovers` (cli/main.ts) and
// `npm run lab -- leftovers` (lab/cli.ts).
//
//   host listing (ip -j)  ->  HostObject[]  --+
//                                             +-> findLeftovers() -> Leftover[] -> removeLeftover()
//   pulumi stack export   ->  StackState    --+
//
// What is judged, and by which mark:
// - a namespace, by the alias of its `lo`; removing it (`ip netns del`) removes everything in it;
// - a veth end or a bridge, by its own alias, when its namespace is not itself a leftover;
// - routes and rules (`proto 77`) belong to their namespace's owner: they are counted with their
//   namespace and go with it, never judged alone (a route's identity in the state depends on how
//   its `to` was written, so a live route could be mistaken for a leftover);
// - marked links in the host's own namespace are listed, never removed: the provider never makes
//   objects there, so a mark there was copied by hand.
// Anything unmarked, or whose alias is not exactly a mark (parseMark), is foreign: never listed,
// never touched. A stack is "missing" only when `pulumi stack ls --json` does not list it; a
// stack that is locked or being updated, or whose state cannot be read, decides nothing; what
// its pending operations name counts as recorded; an object that another stack of the backend
// records is no leftover (a renamed stack's objects keep the old name in their marks until its
// next `up`).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { exec, ipJson, type Subject } from "./host/run";
import { describeOwner, parseMark, ROUTE_PROTO, type Mark, type Owner } from "./ownership/owner";
import { isHostNamespace } from "./host/hostns";
import { pulumiCli, type PulumiRun } from "./host/pulumi";
import { kinds, type Kind } from "./kinds/registry";
import { allRelations, relationsOf } from "./model/relations";
import { validate } from "./kinds/schemas";

/** One marked object on the host. */
export interface HostObject {
    /** "Namespace"; a kind that makes interfaces (VethPair, Bridge: its definition's `links`); "Link" for another type of interface. */
    kind: Kind | "Link";
    /** The namespace it is in ("" for the host's own namespace); for a Namespace, its name. */
    namespace: string;
    /** The interface name; for a Namespace, its name. */
    name: string;
    /** The exact alias text (checked again just before removal). */
    alias: string;
    mark: Mark;
    /** For a namespace: what goes with it. */
    holds?: { links: number; routes: number; rules: number };
}

/** What a stack's state says, as far as leftovers go. */
export type StackState =
    | { status: "exists"; /** "Kind:id" of every resource and pending operation, and "Kind:ns/name" of every interface it makes ("VethPair:ns/peer" for peer ends). */ ids: Set<string> }
    | { status: "missing" }
    /** Locked, or being updated: what it records may change at any moment (`ids`: what it recorded when read). */
    | { status: "in-use"; error: string; ids?: Set<string> }
    | { status: "unreadable"; error: string };

export interface Leftover {
    object: HostObject;
    /** Why it is a leftover, in words. */
    reason: string;
    /** Why it must not be removed although it is a leftover, if so (it is listed, not removed). */
    keep?: string;
}

const ownerKey = (o: Owner) => `${o.project}/${o.stack}`;

// The interfaces each kind makes, as its definition says (kind.ts `links`): by the kernel's type
// of interface ("veth", "bridge"), the kind that makes it; by kind, the word for its interfaces.
// Read at each call: the registry above has loaded every kind by then (relations.ts).
const linkRules = () => allRelations().flatMap((d) => (d.links ?? []).map((l) => ({ kind: d.kind as Kind, ...l })));
const kindOfType = (type: string | undefined): Kind | "Link" => linkRules().find((l) => type !== undefined && [l.type].flat().includes(type))?.kind ?? "Link";
const typeOfKind = (kind: string): string => {
    const t = linkRules().find((l) => l.kind === kind)?.type ?? "link";
    return typeof t === "string" ? t : kind.toLowerCase(); // a kind of several types: its own word ("tunnel")
};

/** Where an object is, in words: `namespace ns1`, `veth ns1-veth0 in ns1`. */
export function describeObject(o: HostObject): string {
    if (o.kind === "Namespace") return `namespace ${o.name}`;
    return `${typeOfKind(o.kind)} ${o.name} in ${o.namespace || "the host namespace"}`;
}

interface LinkJson { ifname: string; ifalias?: string; linkinfo?: { info_kind?: string } }

/**
 * The marked objects of one namespace's listings (`ip -n NS -j -d link show`, and the number of
 * its proto-77 routes and rules). `ns` is "" for the host namespace.
 */
export function objectsOfNamespace(ns: string, links: LinkJson[], routes = 0, rules = 0): HostObject[] {
    const out: HostObject[] = [];
    let nsMark: HostObject | undefined;
    for (const l of links) {
        const mark = parseMark(l.ifalias);
        if (!mark || !l.ifalias) continue;
        if (l.ifname === "lo" && ns !== "") {
            nsMark = { kind: "Namespace", namespace: ns, name: ns, alias: l.ifalias, mark };
            continue;
        }
        const k = l.linkinfo?.info_kind;
        out.push({ kind: kindOfType(k), namespace: ns, name: l.ifname, alias: l.ifalias, mark });
    }
    if (nsMark) {
        nsMark.holds = { links: links.filter((l) => l.ifname !== "lo").length, routes, rules };
        out.unshift(nsMark);
    }
    return out;
}

interface StateResource { type: string; id?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }
export interface ExportedDeployment {
    resources?: StateResource[];
    pending_operations?: { type?: string; resource: StateResource }[];
}

/**
 * The index of an exported deployment (`pulumi stack export`): its resources, and what its pending
 * operations name (a create that was running when its CLI died has no ID yet: its ID is computed
 * from its inputs, as create does; the object may exist).
 */
export function stateIds(deployment: ExportedDeployment | undefined): Set<string> {
    const ids = new Set<string>();
    const add = (r: StateResource) => {
        const kind = /^pulumi-nodejs:dynamic\/netns:([A-Za-z]+)$/.exec(r.type)?.[1];
        if (!kind) return;
        let id = r.id;
        if (!id && kind in kinds) {
            const { inputs } = validate(kind as Kind, r.inputs ?? {});
            if (inputs) id = (kinds[kind as Kind].id as (a: unknown) => string)(inputs);
        }
        if (!id) return;
        ids.add(`${kind}:${id}`);
        // Every interface it makes (a VethPair's peer end too), as the leftover finder names them.
        for (const o of [r.outputs ?? {}, r.inputs ?? {}]) {
            for (const l of relationsOf(kind).links ?? []) {
                const [ns, name] = [o[l.namespace], o[l.name]];
                if (typeof ns === "string" && typeof name === "string") ids.add(`${kind}:${ns}/${name}`);
            }
        }
    };
    for (const r of deployment?.resources ?? []) add(r);
    for (const op of deployment?.pending_operations ?? []) if (op?.resource) add(op.resource);
    return ids;
}

/**
 * The leftovers among `objects`, given the state of each owner stack (keyed `project/stack`).
 * An owner without an entry, or whose state is in use or unreadable, decides nothing: its objects
 * are kept. `others` holds the other stacks of the backend (keyed likewise): an object one of them
 * records is no leftover, and while one of them cannot be read, nothing is removed (it may record
 * it); without `others`, the leftovers found are only candidates.
 */
export function findLeftovers(objects: HostObject[], states: Map<string, StackState>, others?: Map<string, StackState>): Leftover[] {
    const leftovers: Leftover[] = [];
    const gone = new Set<string>(); // namespaces that are leftovers: their links go with them
    const idOf = (o: HostObject) => o.kind === "Namespace" ? `Namespace:${o.name}` : `${o.kind}:${o.namespace}/${o.name}`;
    const all = [...states, ...(others ?? [])];
    const recordedElsewhere = (o: HostObject) => all.some(([k, s]) => k !== ownerKey(o.mark) && (s.status === "exists" || s.status === "in-use") && s.ids?.has(idOf(o)));
    const verdict = (o: HostObject): string | undefined => {
        const s = states.get(ownerKey(o.mark));
        if (!s || s.status === "unreadable" || s.status === "in-use") return undefined;
        if (recordedElsewhere(o)) return undefined;
        if (s.status === "missing") return `its stack ${ownerKey(o.mark)} does not exist (no state in this backend)`;
        if (s.ids.has(idOf(o))) return undefined;
        return `stack ${ownerKey(o.mark)} has no ${o.kind === "Link" ? "resource" : o.kind} ${o.kind === "Namespace" ? o.name : `${o.namespace}/${o.name}`} in its state`;
    };
    const unjudged = (o: HostObject) => all.filter(([k, s]) => k !== ownerKey(o.mark) && s.status === "unreadable").map(([k]) => k);
    const othersKeep = (o: HostObject) => {
        const u = unjudged(o);
        return u.length ? `stack(s) ${u.join(", ")} of this backend cannot be read, and may record it` : undefined;
    };
    for (const o of objects.filter((x) => x.kind === "Namespace")) {
        const reason = verdict(o);
        if (!reason) continue;
        // Removing a namespace removes what is in it: not when another stack's live link is there.
        const foreign = objects.filter((x) => x.kind !== "Namespace" && x.namespace === o.name && ownerKey(x.mark) !== ownerKey(o.mark) && !verdict(x));
        const keep = foreign.length ? `it holds ${foreign.map((x) => `${describeObject(x)} of ${describeOwner(x.mark)}`).join(", ")}, which is not a leftover` : othersKeep(o);
        leftovers.push({ object: o, reason, ...(keep ? { keep } : {}) });
        if (!keep) gone.add(o.name);
    }
    for (const o of objects.filter((x) => x.kind !== "Namespace" && !gone.has(x.namespace))) {
        const reason = verdict(o);
        if (!reason) continue;
        const keep = o.namespace === "" ? "it is in the host's own namespace, where the provider never makes objects: the mark was copied by hand; remove it by hand if it is yours" : othersKeep(o);
        leftovers.push({ object: o, reason, ...(keep ? { keep } : {}) });
    }
    return leftovers;
}

/** One line per leftover: the object, its owner, why. */
export function formatLeftover(l: Leftover): string {
    const o = l.object;
    const holds = o.holds && (o.holds.links || o.holds.routes || o.holds.rules)
        ? ` (with ${o.holds.links} link(s), ${o.holds.routes} route(s) and ${o.holds.rules} rule(s) proto 77 in it)` : "";
    return `${describeObject(o)}${holds}: marked by ${describeOwner(o.mark)}; ${l.reason}` + (l.keep ? `; kept: ${l.keep}` : "");
}

// ---------------------------------------------------------------------------------------------
// The host and the states.

const subject = (name: string, op: Subject["op"] = "read"): Subject => ({ kind: "Leftovers", name, op });

/** The marked objects on the host: every namespace whose name starts with `prefix`, and the host namespace's own links. */
export async function scanHost(prefix = ""): Promise<HostObject[]> {
    const list = await ipJson<{ name: string }>(subject("netns list"), ["ip", "-j", "netns", "list"]);
    const names = list.value.map((n) => n.name).filter((n) => n.startsWith(prefix)).sort();
    const host = await ipJson<LinkJson>(subject("host links"), ["ip", "-j", "-d", "link", "show"]);
    const out = objectsOfNamespace("", host.value);
    const one = async (ns: string): Promise<HostObject[]> => {
        if (await isHostNamespace(ns)) return []; // a name bound to the host's namespace: its links are the host's, listed above
        const links = await ipJson<LinkJson>(subject(ns), ["ip", "-n", ns, "-j", "-d", "link", "show"]);
        if (links.exitCode !== 0) return []; // gone meanwhile, or not a namespace (an empty file)
        if (!links.value.some((l) => parseMark(l.ifalias))) return [];
        // `ip rule show protocol 77` does not filter in every iproute2 (6.1 lists all): filter here.
        const count = async (argv: string[]) => (await ipJson<{ protocol?: string | number }>(subject(ns), argv)).value
            .filter((x) => argv.includes("route") || String(x.protocol) === String(ROUTE_PROTO)).length;
        const [r4, r6, q4, q6] = await Promise.all([
            count(["ip", "-n", ns, "-j", "-4", "route", "show", "table", "all", "proto", String(ROUTE_PROTO)]),
            count(["ip", "-n", ns, "-j", "-6", "route", "show", "table", "all", "proto", String(ROUTE_PROTO)]),
            count(["ip", "-n", ns, "-j", "-4", "rule", "show"]),
            count(["ip", "-n", ns, "-j", "-6", "rule", "show"]),
        ]);
        return objectsOfNamespace(ns, links.value, r4 + r6, q4 + q6);
    };
    // A few namespaces at a time: each costs a handful of short `ip` runs.
    for (let i = 0; i < names.length; i += 8) out.push(...(await Promise.all(names.slice(i, i + 8).map(one))).flat());
    return out;
}

/** How `pulumi stack export` is asked for another project's stack, in the backend of `env`. */
export function stackRef(o: Owner, backendUrl: string | undefined, org?: string): string {
    if (org) return `${org}/${o.project}/${o.stack}`;
    // A self-managed backend (file://, s3://, ...) names every stack organization/PROJECT/STACK;
    // Pulumi Cloud takes PROJECT/STACK in the user's default organization.
    const cloud = !backendUrl || /^https?:\/\//.test(backendUrl);
    return cloud ? `${o.project}/${o.stack}` : `organization/${o.project}/${o.stack}`;
}

/** Runs `pulumi ARGS` outside any project; the tests pass a fake. */
export type { PulumiRun };

/** One entry of `pulumi stack ls --all --json`. */
export interface ListedStack {
    /** `organization/PROJECT/STACK` (self-managed), `ORG/PROJECT/STACK` (Pulumi Cloud), `STACK` (a store without projects). */
    name: string;
    /** Pulumi Cloud only: an update is running. */
    updateInProgress?: boolean;
}

/** The backend the states are read from: its URL and every stack it lists. */
export interface Backend {
    url: string;
    listed: ListedStack[];
    run: PulumiRun;
}

/** The owner a listed name stands for (`project` is "" in a store without projects). */
export function listedOwner(name: string): Owner {
    const parts = name.split("/");
    return { project: parts.length >= 2 ? parts[parts.length - 2]! : "", stack: parts[parts.length - 1]! };
}

/** The listed stacks that are `o` (a store without projects matches on the stack alone). */
export function listedAs(o: Owner, listed: ListedStack[]): ListedStack[] {
    return listed.filter((l) => { const x = listedOwner(l.name); return x.stack === o.stack && (x.project === "" || x.project === o.project); });
}

/** The directory of a file:// backend (`file://~/x` is in the home directory), or undefined for another backend. */
export function fileBackendDir(url: string): string | undefined {
    if (!url.startsWith("file://")) return undefined;
    const path = url.slice("file://".length).replace(/\?.*$/, "");
    return path === "~" || path.startsWith("~/") ? join(homedir(), path.slice(1)) : path;
}

/**
 * The lock files of a listed stack in a file:// backend, as the engine writes them while an
 * update, refresh or destroy runs, and leaves behind when its CLI dies:
 * `.pulumi/locks/organization/PROJECT/STACK/LOCKID.json` (`.pulumi/locks/STACK/` without projects).
 */
export function lockFiles(dir: string, name: string): { file: string; pid?: number; hostname?: string }[] {
    const parts = name.split("/");
    const where = join(dir, ".pulumi", "locks", ...(parts.length === 2 ? ["organization", ...parts] : parts));
    if (!existsSync(where)) return [];
    return readdirSync(where).filter((f) => f.endsWith(".json")).map((f) => {
        const file = join(where, f);
        try {
            const l = JSON.parse(readFileSync(file, "utf8")) as { pid?: number; hostname?: string };
            return { file, pid: l.pid, hostname: l.hostname };
        } catch {
            return { file }; // being written: a lock all the same
        }
    });
}

/** Why a listed stack is in use (locked, or being updated), or undefined when it is not; throws when that cannot be seen. */
export function inUse(backend: Backend, l: ListedStack): string | undefined {
    if (l.updateInProgress) return "an update of it is in progress (pulumi stack ls)";
    const dir = fileBackendDir(backend.url);
    if (dir !== undefined) {
        const held = lockFiles(dir, l.name);
        if (!held.length) return undefined;
        return `it is locked by a run of the CLI (${held.map((h) => `${h.file}${h.pid !== undefined ? `: pid ${h.pid} on ${h.hostname ?? "?"}` : ""}`).join("; ")}): let that run finish; after a crash, recover the stack first (pulumi cancel, or the recovery)`;
    }
    if (/^https?:\/\//.test(backend.url)) return undefined; // Pulumi Cloud says updateInProgress
    throw new Error(`whether an update of it is running cannot be seen in the backend ${backend.url} (the finder reads the locks of a file:// backend and Pulumi Cloud's updateInProgress)`);
}

const defaultRun = pulumiCli;

/**
 * The backend (`backendUrl`, else PULUMI_BACKEND_URL, else the CLI's login: `pulumi whoami --json`)
 * and its stacks (`pulumi stack ls --all --json`, of `org` when given); throws when it cannot be listed.
 */
export async function openBackend(opts: { backendUrl?: string; org?: string; run?: PulumiRun } = {}): Promise<Backend> {
    const run = opts.run ?? defaultRun(opts.backendUrl ? { PULUMI_BACKEND_URL: opts.backendUrl } : {});
    const failed = (args: string[], r: { exitCode: number; stderr: string }) =>
        new Error(`pulumi ${args.join(" ")} failed (exit ${r.exitCode}): ${r.stderr.trim().split("\n")[0] ?? ""}; no object is judged without the list of stacks`);
    let url = opts.backendUrl ?? process.env.PULUMI_BACKEND_URL;
    if (!url) {
        const args = ["whoami", "--json"];
        const r = await run(args);
        if (r.exitCode !== 0) throw failed(args, r);
        url = (JSON.parse(r.stdout) as { url?: string }).url;
        if (!url) throw new Error("pulumi whoami --json names no backend URL; pass --backend URL");
    }
    const args = ["stack", "ls", "--all", "--json", ...(opts.org ? ["--organization", opts.org] : [])];
    const r = await run(args);
    if (r.exitCode !== 0) throw failed(args, r);
    let listed: unknown;
    try { listed = JSON.parse(r.stdout); } catch { listed = undefined; }
    if (!Array.isArray(listed) || !listed.every((l) => typeof (l as ListedStack)?.name === "string")) throw new Error(`pulumi ${args.join(" ")} printed no list of stacks`);
    return { url, listed: listed as ListedStack[], run };
}

/** The state of one listed stack: in use, or what it records (resources and pending operations). */
async function judgeListed(backend: Backend, l: ListedStack): Promise<StackState> {
    let before: string | undefined;
    try {
        before = inUse(backend, l);
    } catch (e) {
        return { status: "unreadable", error: (e as Error).message };
    }
    const args = ["stack", "export", "--stack", l.name];
    const r = await backend.run(args);
    if (r.exitCode !== 0) return before ? { status: "in-use", error: before } : { status: "unreadable", error: `pulumi ${args.join(" ")} failed (exit ${r.exitCode}): ${r.stderr.trim().split("\n")[0] ?? ""}` };
    let ids: Set<string>;
    try {
        ids = stateIds((JSON.parse(r.stdout) as { deployment?: ExportedDeployment }).deployment);
    } catch {
        return before ? { status: "in-use", error: before } : { status: "unreadable", error: `pulumi ${args.join(" ")} printed no JSON` };
    }
    // A run that started while the state was read: what it records is not in this export.
    const busy = before ?? inUse(backend, l);
    return busy ? { status: "in-use", error: busy, ids } : { status: "exists", ids };
}

/** Merges the states of several listed stacks that are one owner (Pulumi Cloud: one name in two organizations). */
function merged(states: StackState[]): StackState {
    if (!states.length) return { status: "missing" };
    const ids = new Set(states.flatMap((s) => (s.status === "exists" || s.status === "in-use" ? [...(s.ids ?? [])] : [])));
    const worse = states.find((s) => s.status === "in-use") ?? states.find((s) => s.status === "unreadable");
    if (worse?.status === "in-use") return { ...worse, ids };
    return worse ?? { status: "exists", ids };
}

/**
 * The state of each owner stack: "missing" only when the backend's list of stacks does not hold
 * it; "in-use" while it is locked or being updated; else what its state records.
 */
export async function readStates(owners: Owner[], backend: Backend): Promise<Map<string, StackState>> {
    const out = new Map<string, StackState>();
    for (const o of owners) {
        const key = ownerKey(o);
        if (out.has(key)) continue;
        const states: StackState[] = [];
        for (const l of listedAs(o, backend.listed)) states.push(await judgeListed(backend, l));
        out.set(key, merged(states));
    }
    return out;
}

/** The state of every other stack of the backend (keyed by its listed name): an object one of them records is no leftover. */
export async function readOtherStates(owners: Owner[], backend: Backend): Promise<Map<string, StackState>> {
    const out = new Map<string, StackState>();
    for (const l of backend.listed) {
        if (owners.some((o) => listedAs(o, [l]).length)) continue;
        out.set(l.name, await judgeListed(backend, l));
    }
    return out;
}

/**
 * Removes one leftover (`ip netns del NS`, `ip -n NS link del dev NAME`) after reading its mark
 * again: an object whose alias changed meanwhile is left alone. Returns what it did, in words.
 */
export async function removeLeftover(l: Leftover): Promise<string> {
    const o = l.object;
    if (l.keep) return `kept ${describeObject(o)}: ${l.keep}`;
    const ns = o.kind === "Namespace" ? o.name : o.namespace;
    const dev = o.kind === "Namespace" ? "lo" : o.name;
    // A name re-bound to the host's own namespace since the listing (hostns.ts): never touched.
    if (ns !== "" && (await isHostNamespace(ns))) return `kept ${describeObject(o)}: /run/netns/${ns} is the host's own network namespace; pulumi-netns never acts on the host's network`;
    const now = await ipJson<LinkJson>(subject(ns), ["ip", "-n", ns, "-j", "link", "show", "dev", dev]);
    if (now.exitCode !== 0) return `already gone: ${describeObject(o)}`;
    if (now.value[0]?.ifalias !== o.alias) return `kept ${describeObject(o)}: its mark changed since the listing`;
    const argv = o.kind === "Namespace" ? ["ip", "netns", "del", ns] : ["ip", "-n", ns, "link", "del", "dev", dev];
    const r = await exec(subject(o.name, "delete"), argv);
    if (r.exitCode !== 0) throw new Error(`could not remove ${describeObject(o)}\n  command: ${argv.join(" ")}\n  stderr:  ${r.stderr.trim()}\n  hint:    run the command by hand to see more`);
    return `removed ${describeObject(o)} (${argv.join(" ")})`;
}

/** The owners whose state decides about `objects`. */
export function ownersOf(objects: HostObject[]): Owner[] {
    const seen = new Map<string, Owner>();
    for (const o of objects) seen.set(ownerKey(o.mark), { project: o.mark.project, stack: o.mark.stack });
    return [...seen.values()];
}

export interface LeftoverOptions {
    /** Only namespaces whose name starts with this (default: all). */
    prefix?: string;
    /** Only objects marked by this project (default: all). */
    project?: string;
    /** The backend whose state decides (default: PULUMI_BACKEND_URL, else the CLI's login). */
    backendUrl?: string;
    /** The organization of the stacks (default: `organization` for a self-managed backend, the default one for Pulumi Cloud). */
    org?: string;
    /** Remove them (the confirmation); otherwise only list. */
    remove: boolean;
}

/** What the command uses of the host and the CLI; the tests pass fakes. */
export interface LeftoverDeps {
    scan?: (prefix: string) => Promise<HostObject[]>;
    run?: PulumiRun;
    remove?: (l: Leftover) => Promise<string>;
}

/**
 * The whole command: list (and with `remove`, remove) the leftovers. Lines go to `out`, problems
 * to `err`. Exit code: 0 when no leftover remains, 1 when some remain (listed, kept, or a state
 * could not be read).
 */
export async function leftoversCommand(o: LeftoverOptions, out: (l: string) => void = console.log, err: (l: string) => void = console.error, deps: LeftoverDeps = {}): Promise<number> {
    const objects = (await (deps.scan ?? scanHost)(o.prefix ?? "")).filter((x) => o.project === undefined || x.mark.project === o.project);
    const owners = ownersOf(objects);
    const backend = await openBackend({ backendUrl: o.backendUrl, org: o.org, run: deps.run });
    const states = await readStates(owners, backend);
    let remaining = 0;
    for (const [owner, s] of states) {
        if (s.status !== "unreadable" && s.status !== "in-use") continue;
        remaining++;
        err(`cannot judge the objects of stack ${owner}: ${s.error}`);
    }
    // Only when something looks left over: the other stacks of the backend, one of which may record it.
    let found = findLeftovers(objects, states);
    if (found.length) found = findLeftovers(objects, states, await readOtherStates(owners, backend));
    if (!found.length) {
        out(`no leftovers: ${objects.length} marked object(s) on the host, each in its stack's state${remaining ? " (except those above)" : ""}`);
        return remaining ? 1 : 0;
    }
    for (const l of found) out(formatLeftover(l));
    if (!o.remove) {
        out(`${found.length} leftover(s); run again with --remove to remove them (unmarked objects are never touched)`);
        return 1;
    }
    for (const l of found) {
        // A run of the owner that started since its state was read: leave its objects alone.
        let busy: string | undefined;
        try {
            busy = listedAs(l.object.mark, backend.listed).map((x) => inUse(backend, x)).find(Boolean);
        } catch (e) {
            busy = (e as Error).message;
        }
        const why = l.keep ?? busy;
        const did = why ? `kept ${describeObject(l.object)}: ${why}` : await (deps.remove ?? removeLeftover)(l);
        if (did.startsWith("kept")) remaining++;
        out(did);
    }
    return remaining ? 1 : 0;
}

/** Parses `leftovers` flags: --remove (the confirmation), --prefix P, --project P, --backend URL, --org ORG. */
export function parseLeftoverArgs(argv: string[], usage: string): LeftoverOptions {
    const o: LeftoverOptions = { remove: false };
    for (let i = 0; i < argv.length; i++) {
        const f = argv[i]!;
        const [flag, inline] = f.startsWith("--") && f.includes("=") ? [f.slice(0, f.indexOf("=")), f.slice(f.indexOf("=") + 1)] : [f, undefined];
        const take = () => {
            const v = inline ?? argv[++i];
            if (v === undefined || (inline === undefined && v.startsWith("-"))) throw new Error(`${flag} needs a value (${usage})`);
            return v;
        };
        switch (flag) {
            case "--remove": o.remove = true; break;
            case "--prefix": o.prefix = take(); break;
            case "--project": o.project = take(); break;
            case "--backend": o.backendUrl = take(); break;
            case "--org": o.org = take(); break;
            default: throw new Error(`unknown argument "${f}" (${usage})`);
        }
    }
    return o;
}

/** Every namespace on the host whose `lo` carries a mark, with the mark: one `ip` run per namespace. */
export async function namespaceMarks(prefix = ""): Promise<{ namespace: string; mark: Mark }[]> {
    const list = await ipJson<{ name: string }>(subject("netns list"), ["ip", "-j", "netns", "list"]);
    // A name bound to the host's own namespace is never one to take over (hostns.ts).
    const names: string[] = [];
    for (const n of list.value.map((x) => x.name)) if (n.startsWith(prefix) && !(await isHostNamespace(n))) names.push(n);
    const out: { namespace: string; mark: Mark }[] = [];
    for (let i = 0; i < names.length; i += 8) {
        const found = await Promise.all(names.slice(i, i + 8).map(async (ns) => {
            const lo = await ipJson<LinkJson>(subject(ns), ["ip", "-n", ns, "-j", "link", "show", "dev", "lo"]);
            const mark = parseMark(lo.value[0]?.ifalias);
            return mark ? [{ namespace: ns, mark }] : [];
        }));
        out.push(...found.flat());
    }
    return out;
}
