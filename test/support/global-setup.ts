// One unique prefix per test run for every name the tests create, and the final leak check:
// the run fails when a namespace with that prefix, or a new link in the host namespace, survives.
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { describeLeaks, hostLinks, hostSysctls, leaks, recordHostSysctls, removeNamespaces } from "./host";

declare module "vitest" {
    export interface ProvidedContext {
        runPrefix: string;
        hostLinksBefore: string[];
    }
}

export default async function setup(project: TestProject) {
    const runPrefix = `nt${randomBytes(2).toString("hex")}-`;
    const unitOnly = process.env.PULUMI_NETNS_TEST_LAYERS === "unit";
    const before = unitOnly ? [] : await hostLinks();
    project.provide("runPrefix", runPrefix);
    project.provide("hostLinksBefore", before);
    if (unitOnly) return;
    recordHostSysctls(await hostSysctls()); // every leak check compares the host's settings with these
    return async () => {
        const report = await leaks(runPrefix, before);
        await removeNamespaces(runPrefix);
        const problem = describeLeaks(report);
        if (problem) throw new Error(`leak check failed after the run: ${problem}`);
        console.log(`leak check: no namespace with prefix ${runPrefix}, no new host link and no changed host setting survived the run`);
    };
}
