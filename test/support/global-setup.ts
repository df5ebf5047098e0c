// One unique prefix per test run for every name the tests create, and the final leak check:
// the run fails when a namespace with that prefix, or a new link in the host namespace, survives.
//
// The final leak check runs after Vitest wrote its JSON report, so its verdict is not in it:
// when PULUMI_NETNS_TEST_TEARDOWN_REPORT names a file (scripts/test.sh sets it), the verdict is
// written there too ("started" at set-up, then "passed" or "failed" with the message), and the
// closing line of npm test counts a failed or unfinished teardown as a failure.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { describeLeaks, hostLinks, hostSysctls, leaks, recordHostSysctls, removeNamespaces } from "./host";

declare module "vitest" {
    export interface ProvidedContext {
        runPrefix: string;
        hostLinksBefore: string[];
    }
}

export interface TeardownReport {
    state: "started" | "passed" | "failed" | "skipped";
    prefix: string;
    message?: string;
}

function note(r: TeardownReport): void {
    const file = process.env.PULUMI_NETNS_TEST_TEARDOWN_REPORT;
    if (file) writeFileSync(file, JSON.stringify(r));
}

/** The run's prefix: random, or PULUMI_NETNS_TEST_RUN_PREFIX (scripts/prove-leak-check.sh sets it to know the names it must remove). */
function runPrefixOf(env: NodeJS.ProcessEnv): string {
    const given = env.PULUMI_NETNS_TEST_RUN_PREFIX;
    if (given === undefined || given === "") return `nt${randomBytes(2).toString("hex")}-`;
    if (!/^nt[0-9a-f]{4}-$/.test(given)) throw new Error(`PULUMI_NETNS_TEST_RUN_PREFIX must look like nt1a2b- ("nt", four hex digits, "-"), not ${JSON.stringify(given)}`);
    return given;
}

export default async function setup(project: TestProject) {
    const runPrefix = runPrefixOf(process.env);
    // Only the unit layer selected: nothing touches the host, not even to read it.
    const unitOnly = (process.env.PULUMI_NETNS_TEST_LAYERS ?? "").split(/[\s,]+/).filter(Boolean).join(",") === "unit";
    const before = unitOnly ? [] : await hostLinks();
    project.provide("runPrefix", runPrefix);
    project.provide("hostLinksBefore", before);
    if (unitOnly) {
        note({ state: "skipped", prefix: runPrefix, message: "unit layer only: no leak check" });
        return;
    }
    recordHostSysctls(await hostSysctls()); // every leak check compares the host's settings with these
    note({ state: "started", prefix: runPrefix });
    return async () => {
        // The check first, then the clean-up, then the verdict.
        let problem: string | undefined;
        try {
            problem = describeLeaks(await leaks(runPrefix, before));
        } catch (e) {
            problem = `the leak check itself failed: ${(e as Error).message}`;
        }
        await removeNamespaces(runPrefix);
        if (problem) {
            const message = `leak check failed after the run: ${problem}`;
            note({ state: "failed", prefix: runPrefix, message });
            throw new Error(message);
        }
        note({ state: "passed", prefix: runPrefix });
        console.log(`leak check: no namespace with prefix ${runPrefix}, no new host link and no changed host setting survived the run`);
    };
}
