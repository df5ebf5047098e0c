// Targeted updates (`pulumi up --target URN`) of a change that replaces.
//
// Every replacement here is delete-before-replace (ties.ts: a kernel object's name is unique).
// The engine deletes the dependents of a resource replaced that way before the resource itself,
// and re-creates only those it targets: with `--target` alone, a renamed Namespace's Addresses,
// veths and routes are deleted and left out of the run, or made again from their old inputs in a
// namespace that no longer exists ("Cannot open network namespace"), and the network is broken.
// With `--target-dependents` the engine targets them too, and the same run replaces them properly.
//
// So such a change is refused at check, in `preview` as in `up`, before any step: the program
// reads the CLI's command line (targetedRun), and in a run with `--target` and without
// `--target-dependents` gives each resource the hidden input `__dependents`, the resources of
// the program that depend on it and are not targeted (dynamic.ts, hidden.ts). A resource that
// has such dependents and whose change replaces it fails its check with what to add.
import { decide, type DiffSpec } from "./diff";

/** What the CLI's command line says about targets, read from its argv. */
export interface TargetedRun {
    /** The `--target` / `-t` values (URNs, maybe with `*` globs). */
    targets: string[];
    /** Whether `--target-dependents` is on. */
    dependents: boolean;
}

/**
 * The targets of a `pulumi` command line (its argv, the program name first), or undefined when it
 * targets nothing. Read from any command that runs the program: `up` and `preview` (refresh and
 * destroy run no check).
 */
export function targetedRun(argv: readonly string[]): TargetedRun | undefined {
    const args = argv.slice(1);
    const targets: string[] = [];
    let dependents = false;
    for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        if (a === "--target" || a === "-t") { if (args[i + 1] !== undefined) targets.push(args[++i]!); continue; }
        if (a.startsWith("--target=")) { targets.push(a.slice("--target=".length)); continue; }
        if (a.startsWith("-t=")) { targets.push(a.slice(3)); continue; }
        if (a === "--target-dependents" || a === "--target-dependents=true") dependents = true;
        if (a === "--target-dependents=false") dependents = false;
    }
    return targets.length ? { targets, dependents } : undefined;
}

/** Whether a URN is one of the targets (`*` matches anything, as the CLI's globs do at least). */
export function isTargeted(urn: string, targets: readonly string[]): boolean {
    return targets.some((t) => {
        if (!t.includes("*")) return t === urn;
        const re = new RegExp(`^${t.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
        return re.test(urn);
    });
}

/**
 * Check failures for a targeted change that replaces a resource with untargeted dependents:
 * `dependents` is the hidden input (absent outside such runs), `olds` the stored inputs.
 */
export function targetedFailures(kind: string, spec: DiffSpec, olds: Record<string, unknown>, news: Record<string, unknown>, dependents: unknown): { property: string; reason: string }[] {
    const deps = Array.isArray(dependents) ? dependents.filter((d): d is string => typeof d === "string") : [];
    if (deps.length === 0 || !olds || Object.keys(olds).length === 0) return [];
    const { replaces } = decide(spec, olds, news);
    if (replaces.length === 0) return [];
    return [{
        property: replaces[0]!,
        reason: `changes, which replaces this ${kind} (delete, then create), and ${deps.join(", ")} depend${deps.length === 1 ? "s" : ""} on it: ` +
            `with --target and without --target-dependents the engine deletes ${deps.length === 1 ? "it" : "them"} first and does not make ${deps.length === 1 ? "it" : "them"} again properly, which breaks the network. ` +
            `Add --target-dependents (or run without --target); docs/reference.md, Targeted operations`,
    }];
}
