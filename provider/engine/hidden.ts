// The hidden inputs the resource class adds for the provider, in the program, where what they say
// is known (dynamic.ts). Each is sent only when it has something to say: a stack without secrets
// and a run without --target store nothing new.
//   - `__secretInputs`: the names of the inputs given as secret Outputs. A dynamic provider gets
//     its inputs as plain values; the ID must not show a secret (secrets.ts).
//   - `__dependents`: in a run with --target and without --target-dependents only, the resources
//     of this program that depend on this one and are not targeted (targeted.ts).
import { cmdline, statFields } from "../host/procs";
import { basename } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { isTargeted, targetedRun, type TargetedRun } from "./targeted";

type Resource = pulumi.Resource;

/**
 * The argv of the `pulumi` CLI that runs this program: the program is started by the language
 * host, which the CLI starts (with a wrapper script or two between them), so the nearest
 * ancestor named `pulumi` in /proc. Undefined outside Linux or when there is none (mocks, a
 * plain script).
 */
export function cliArgv(): string[] | undefined {
    let pid = process.ppid;
    for (let depth = 0; depth < 8 && pid > 1; depth++) {
        const argv = cmdline(pid);
        if (!argv) return undefined;
        if (argv[0] && basename(argv[0]) === "pulumi") return argv;
        const f = statFields(pid);
        if (!f) return undefined;
        pid = Number(f[1]); // field 4: the parent
    }
    return undefined;
}

interface Entry { resource: Resource; kind: string; name: string; urn: string; deps: Set<Resource> }
interface Run { targeted: TargetedRun | undefined; entries: Entry[] }

// One record per program run, keyed by its resource monitor (as declared.ts and ties.ts do).
const runs = new WeakMap<object, Run>();
const NO_RUN = {};
function run(): Run {
    const key = (pulumi.runtime.getMonitor() as object | undefined) ?? NO_RUN;
    let r = runs.get(key);
    if (!r) {
        const argv = key === NO_RUN ? undefined : cliArgv();
        runs.set(key, (r = { targeted: argv ? targetedRun(argv) : undefined, entries: [] }));
    }
    return r;
}

/** The resources a resource depends on, as the engine counts them: its inputs' resources and its options. */
function dependencies(args: Record<string, unknown>, opts: pulumi.CustomResourceOptions): Set<Resource> {
    const deps = new Set<Resource>();
    const add = (v: unknown, depth: number) => {
        if (pulumi.Output.isInstance(v)) {
            for (const r of (v as unknown as { resources(): Set<Resource> }).resources()) deps.add(r);
        } else if (depth < 2 && typeof v === "object" && v !== null) {
            for (const x of Object.values(v)) add(x, depth + 1); // inline lists: [{ via: ... }]
        }
    };
    for (const v of Object.values(args)) add(v, 0);
    const listed = [opts.dependsOn, opts.replaceWith, opts.deletedWith, opts.parent].flat();
    for (const r of listed) if (pulumi.Resource.isInstance(r)) deps.add(r);
    return deps;
}

/** The names of the inputs given as secret Outputs, once known; undefined when none. */
async function secretInputs(args: Record<string, unknown>): Promise<string[] | undefined> {
    const named = await Promise.all(Object.entries(args).map(async ([k, v]) => (pulumi.Output.isInstance(v) && await pulumi.isSecret(v) ? k : undefined)));
    const secret = named.filter((k): k is string => k !== undefined);
    return secret.length ? secret : undefined;
}

/**
 * The hidden inputs of a resource of `kind` (given its options as they go to the engine), and
 * `record`, which the constructor calls with the constructed resource.
 */
export function hiddenInputs(kind: string, name: string, args: Record<string, unknown>, opts: pulumi.CustomResourceOptions): { inputs: Record<string, unknown>; record(resource: Resource): void } {
    const r = run();
    const inputs: Record<string, unknown> = {};
    if (Object.values(args).some((v) => pulumi.Output.isInstance(v))) inputs.__secretInputs = secretInputs(args);
    let self: (resource: Resource) => void = () => {};
    if (r.targeted && !r.targeted.dependents) {
        // Resolved once the program's synchronous part has constructed everything (two turns of
        // the event loop): resources constructed later, in callbacks, are not counted.
        inputs.__dependents = new Promise<Resource>((resolve) => { self = resolve; })
            .then((me) => new Promise<Resource>((resolve) => setImmediate(() => setImmediate(() => resolve(me)))))
            .then((me) => {
                const deps = r.entries.filter((e) => e.resource !== me && e.deps.has(me) && !isTargeted(e.urn, r.targeted!.targets)).map((e) => `${e.kind} "${e.name}"`);
                return deps.length ? deps : undefined;
            });
    }
    const type = `pulumi-nodejs:dynamic/netns:${kind}`;
    // The URN as the engine makes it for a resource without a parent (a child's is not matched: counted as untargeted).
    const urn = `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${type}::${name}`;
    const deps = r.targeted && !r.targeted.dependents ? dependencies(args, opts) : new Set<Resource>();
    return {
        inputs,
        record(resource) {
            if (r.targeted && !r.targeted.dependents) r.entries.push({ resource, kind, name, urn, deps });
            self(resource);
        },
    };
}
