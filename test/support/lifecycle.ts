// The end of every integration, end-to-end and reliability test file: one shared lifecycle, so
// that the leak check always runs before anything is removed, and a file fails when something
// leaked or a `pulumi destroy` failed.
//
// Use it in one line at the top of a test file (any layer):
//
//     const prefix = filePrefix("mytag");                        // test/support/prefix.ts
//     const life = fileLifecycle(prefix);                         // or fileLifecycle(prefix, { fixtures: [A, B] })
//     ...
//     life.stacks.push(await TestStack.create(...));             // every stack the file makes
//
// and nothing else: no afterAll of your own for clean-up or leak checks.
import { afterAll } from "vitest";
import { removeState } from "../e2e/harness";
import { describeLeaks, leaks, removeNamespaces, type LeakReport } from "./host";
import { hostLinksBefore } from "./prefix";

/** What the end of a file needs from a stack: test/e2e/harness.ts's TestStack. */
export interface Disposable {
    name: string;
    dispose(): Promise<void>;
}

export interface LifecycleOptions {
    /**
     * Namespaces (full names, under the prefix) that the file makes by hand on purpose, in a
     * beforeAll, and expects to exist at the end: they are not leaks. The clean-up removes them.
     */
    fixtures?: string[];
    /** More clean-up, after the stacks and the namespaces (temporary files, command logs). */
    cleanups?: (() => void | Promise<void>)[];
    /** A summary line printed at the end when the file passed its checks. */
    report?: () => string;
}

export interface Lifecycle {
    /** Push every stack the file makes: the clean-up destroys and removes each one. */
    stacks: Disposable[];
}

/** The host, as the end of a file sees it (a parameter so that the order can be unit tested). */
export interface EndHost {
    leaks(prefix: string): Promise<LeakReport>;
    removeNamespaces(prefix: string): Promise<string[]>;
    removeState(): void;
}

const realHost: EndHost = {
    leaks: (prefix) => leaks(prefix, hostLinksBefore()),
    removeNamespaces,
    removeState,
};

/**
 * The afterAll of fileLifecycle, on its own:
 *   1. the leak check, before anything is removed: namespaces with the prefix other than the
 *      fixtures, links in the host namespace that were not there when the run began, host
 *      settings that differ from the run's snapshot;
 *   2. the clean-up, which always runs in full: every stack destroyed and removed (a failed
 *      destroy is noted, the rest goes on), every namespace with the prefix deleted (leaked ones
 *      and fixtures), the e2e state directory and the `cleanups` removed;
 *   3. a throw naming everything that leaked and every failed destroy, if any.
 */
export async function endOfFile(prefix: string, stacks: Disposable[], options: LifecycleOptions = {}, host: EndHost = realHost): Promise<void> {
    const problems: string[] = [];
    const fixtures = new Set(options.fixtures ?? []);
    try {
        const found = await host.leaks(prefix);
        const leaked = describeLeaks({ ...found, namespaces: found.namespaces.filter((n) => !fixtures.has(n)) });
        if (leaked) problems.push(`leak check of the file's prefix ${prefix} (before any clean-up): ${leaked}`);
    } catch (e) {
        problems.push(`the leak check itself failed: ${(e as Error).message}`);
    }
    for (const s of stacks) {
        try {
            await s.dispose();
        } catch (e) {
            problems.push(`clean-up of stack ${s.name}: ${(e as Error).message}`);
        }
    }
    const cleanups: (() => void | Promise<void>)[] = [
        async () => { await host.removeNamespaces(prefix); },
        () => host.removeState(),
        ...(options.cleanups ?? []),
    ];
    for (const c of cleanups) {
        try {
            await c();
        } catch (e) {
            problems.push(`clean-up: ${(e as Error).message}`);
        }
    }
    if (problems.length) throw new Error(`end of file (prefix ${prefix}):\n- ${problems.join("\n- ")}`);
    if (options.report) console.log(options.report());
}

/**
 * Registers the file's end (endOfFile above) as its afterAll: leak check first, then the
 * clean-up, then the file fails with what leaked and what failed to destroy. Call it once, at the
 * top level of the file, before any describe.
 */
export function fileLifecycle(prefix: string, options: LifecycleOptions = {}): Lifecycle {
    const stacks: Disposable[] = [];
    afterAll(() => endOfFile(prefix, stacks, options), 900_000);
    return { stacks };
}
