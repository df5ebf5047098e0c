// The lab's check before `up`: which namespaces the lesson needs, and whether any of them exists
// on the host and belongs to someone else. It stops before the engine starts, with the owner
// named, instead of a "File exists" from the middle of an update.
//
//   lesson program under pulumi.runtime.setMocks  ->  namespace names (with the prefix)
//   stat /run/netns/NAME                          ->  which exist (no process for the others)
//   the alias of its lo (provider/ownership/owner.ts)       ->  whose they are
//   unmarked: the states of the project's stacks  ->  a stack that predates the marks, or nobody
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { lessons } from "../stacks/lessons";
import { namespaceExists } from "../provider/host/netns";
import { nsname } from "../provider/engine/fields";
import { ipJson } from "../provider/host/run";
import { describeOwner, parseMark, sameOwner, type Mark, type Owner } from "../provider/ownership/owner";

export const PROJECT = "pulumi-netns";
const NAMESPACE = "pulumi-nodejs:dynamic/netns:Namespace";

/**
 * The namespace names a lesson declares, for a prefix and config: its program run under
 * Pulumi's mocks (no engine, no CLI), collecting every Namespace's `name` input.
 */
export async function lessonNamespaces(lesson: string, prefix: string, config: Record<string, string>): Promise<string[]> {
    const l = lessons[lesson];
    if (!l) throw new Error(`no lesson named "${lesson}"`);
    const names: string[] = [];
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries({ ...config, prefix }).map(([k, v]) => [`${PROJECT}:${k}`, v])));
    await pulumi.runtime.setMocks({
        newResource: (a) => {
            if (a.type === NAMESPACE && typeof a.inputs.name === "string") names.push(a.inputs.name);
            return { id: `${a.name}-mock`, state: a.inputs };
        },
        call: (a) => a.inputs,
    }, PROJECT, lesson, true);
    // The SDK takes a stack trace per resource (its source position, for the engine's display):
    // most of the time here, and nothing the mocks need. Without them the run is 3 to 8 times faster.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        l.define({ prefix, config: new pulumi.Config(PROJECT) });
        // Every registration has reached the mocks once the outstanding RPCs are done.
        await pulumi.runtime.disconnect();
    } finally {
        Error.stackTraceLimit = limit;
    }
    return [...new Set(names)].sort();
}

/** A stack's config as the lab keeps it: `Pulumi.STACK.yaml` beside Pulumi.yaml (plain values only). */
export function stackConfigFile(root: string, stack: string): Record<string, string> {
    const file = join(root, `Pulumi.${stack}.yaml`);
    if (!existsSync(file)) return {};
    const out: Record<string, string> = {};
    for (const line of readFileSync(file, "utf8").split("\n")) {
        const m = new RegExp(`^\\s+${PROJECT}:([A-Za-z][A-Za-z0-9_-]*):\\s*(.*)$`).exec(line);
        if (!m) continue;
        const raw = m[2]!.trim();
        out[m[1]!] = raw.startsWith('"') ? String(JSON.parse(raw)) : raw.replace(/^'(.*)'$/, "$1").replace(/''/g, "'");
    }
    return out;
}

/** The namespaces each stack of a file:// backend's project holds: stack -> (namespace -> resource name). */
export function namespacesInStates(backendUrl: string | undefined, project: string): Map<string, Map<string, string>> {
    const out = new Map<string, Map<string, string>>();
    if (!backendUrl?.startsWith("file://")) return out;
    const dir = join(backendUrl.slice("file://".length).replace(/\?.*$/, ""), ".pulumi", "stacks", project);
    if (!existsSync(dir)) return out;
    for (const f of readdirSync(dir)) {
        const m = /^(.+)\.json(\.gz)?$/.exec(f);
        if (!m) continue;
        try {
            const raw = readFileSync(join(dir, f));
            const text = m[2] ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
            const d = (JSON.parse(text) as { checkpoint?: { latest?: { resources?: { urn: string; type: string; id?: string }[] } } }).checkpoint?.latest;
            const held = new Map<string, string>();
            for (const r of d?.resources ?? []) if (r.type === NAMESPACE && r.id) held.set(r.id, r.urn.split("::").pop() ?? r.id);
            out.set(m[1]!, held);
        } catch {
            // An unreadable checkpoint decides nothing here; `pulumi up` reports it.
        }
    }
    return out;
}

export interface Conflict {
    namespace: string;
    /** The mark on it, when it has one. */
    mark?: Mark;
    /** For an unmarked namespace: the stack whose state holds it (made before the marks). */
    heldBy?: { stack: string; resource: string };
    message: string;
}

const destroyHint = (stack: string) => (lessons[stack] ? `npm run lab -- destroy ${stack}` : `pulumi destroy --stack ${stack}`);

/**
 * The namespaces of `names` that exist and are not this stack's. `states` is consulted only for
 * unmarked namespaces (objects made before the provider wrote marks).
 */
export async function conflicts(names: string[], me: Owner, lesson: string, states: () => Map<string, Map<string, string>>): Promise<Conflict[]> {
    const out: Conflict[] = [];
    const retry = `run this one under a prefix (npm run lab -- up ${lesson} prefix=b-)`;
    for (const ns of names) {
        if (!(await namespaceExists(ns))) continue;
        const lo = await ipJson<{ ifalias?: string }>({ kind: "Namespace", name: ns, op: "check" }, ["ip", "-n", ns, "-j", "link", "show", "dev", "lo"]);
        const alias = lo.value[0]?.ifalias;
        const mark = parseMark(alias);
        if (mark) {
            if (sameOwner(mark, me)) continue;
            const hint = mark.project === PROJECT ? destroyHint(mark.stack) : `pulumi destroy --stack ${mark.stack}, in project ${mark.project}`;
            out.push({ namespace: ns, mark, message: `${ns} belongs to ${describeOwner(mark)}: destroy that stack first (${hint}), or ${retry}` });
            continue;
        }
        const held = [...states()].find(([, m]) => m.has(ns));
        if (held && held[0] === me.stack) continue; // ours, made before the marks
        if (held) {
            out.push({ namespace: ns, heldBy: { stack: held[0], resource: held[1].get(ns)! }, message: `${ns} belongs to stack ${PROJECT}/${held[0]} (Namespace ${held[1].get(ns)}): destroy that stack first (${destroyHint(held[0])}), or ${retry}` });
            continue;
        }
        const what = alias ? `its lo alias "${alias}" is not a mark of this project` : "it carries no ownership mark";
        out.push({ namespace: ns, message: `${ns} exists and was made by hand or by another tool (${what}): remove it if it is yours (sudo ip netns del ${ns}), or ${retry}` });
    }
    return out;
}

/**
 * The whole pre-check of `npm run lab -- up LESSON` for stack `stack`: the conflicts, each with
 * its message ([] when the lesson can go ahead), and what it cost.
 */
export async function precheck(root: string, lesson: string, stack: string, settings: Record<string, string>, backendUrl = process.env.PULUMI_BACKEND_URL): Promise<{ names: string[]; conflicts: Conflict[]; ms: number }> {
    const t0 = performance.now();
    const config = { ...stackConfigFile(root, stack), ...settings };
    const names = await lessonNamespaces(lesson, config.prefix ?? "", config);
    // A prefix that makes a name the Namespace kind refuses (too long, a '/'): said here, before the engine.
    const bad = names.flatMap((n) => {
        const r = nsname.safeParse(n);
        return r.success ? [] : [{ namespace: n, message: `prefix=${JSON.stringify(config.prefix ?? "")} makes the namespace name "${n}", which ${r.error.issues[0]?.message ?? "is not a namespace name"}: choose a shorter prefix of letters, digits, '_', '.' and '-'` }];
    });
    if (bad.length) return { names, conflicts: bad, ms: performance.now() - t0 };
    let states: Map<string, Map<string, string>> | undefined;
    const found = await conflicts(names, { project: PROJECT, stack }, lesson, () => (states ??= namespacesInStates(backendUrl, PROJECT)));
    return { names, conflicts: found, ms: performance.now() - t0 };
}
