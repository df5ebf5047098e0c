// Convergence, and teardown after every lesson: for each lesson in the registry (stacks/lessons.ts,
// read when the file is collected, so a new lesson is covered without a change here), through the
// real CLI:
//   up; the lesson's checks pass; `preview --expect-no-changes` passes;
//   a second `up` runs no command that changes the system (the provider logs every argv it runs
//   with a `mutating` flag to PULUMI_NETNS_COMMAND_LOG, inherited from the CLI's environment);
//   an `up --refresh` (every resource read back from the host) changes nothing either;
//   destroy leaves no namespace with the lesson's prefix, no new link in the host namespace and
//   no changed host setting.
import { describe, expect, it } from "vitest";
import { filePrefix } from "../support/prefix";
import {
    expectChecksPass, expectNoLeaks, exportState, fileLifecycle, lessonChecks, lessonNames, lessonStack, lessonTag,
    mutations, namespacesWith, newCommandLog, readCommandLog,
} from "./support";

const prefix = filePrefix("conv");
const { stacks, sysctlsBefore } = fileLifecycle(prefix);


describe("every lesson converges, and destroy leaves nothing", () => {
    it.each(lessonNames())("%s: up, checks, no-change preview, a second up and an up --refresh run no mutating command, destroy", async (lesson) => {
        const tag = lessonTag(lesson);
        const nsPrefix = `${prefix}${tag}-`;
        const stack = await lessonStack(`${prefix}${tag}`, lesson, nsPrefix);
        stacks.push(stack);

        const first = newCommandLog(`${tag}-up1`);
        await stack.up([], { PULUMI_NETNS_COMMAND_LOG: first });
        const made = mutations(first).length;
        expect(made, "the first up logged the commands that built the lesson").toBeGreaterThan(0);
        const checks = await expectChecksPass(lesson, lessonChecks(lesson, nsPrefix));
        await stack.expectNoChanges();

        const second = newCommandLog(`${tag}-up2`);
        await stack.up([], { PULUMI_NETNS_COMMAND_LOG: second });
        expect(mutations(second), "the second up changed the system").toEqual([]);

        const third = newCommandLog(`${tag}-up3`);
        await stack.up(["--refresh"], { PULUMI_NETNS_COMMAND_LOG: third });
        expect(mutations(third), "up --refresh changed the system").toEqual([]);
        // up --refresh read every resource back from the host: at least one read command per
        // resource of each kind that is read through `ip` (a namespace is read with a stat alone).
        const logged = readCommandLog(third);
        const reads = logged.length;
        const stored = (await exportState(stack)).resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/netns:"))
            .map((r) => r.type.split(":").pop()!).filter((k) => k !== "Namespace");
        for (const kind of new Set(stored)) {
            const want = stored.filter((k) => k === kind).length;
            expect(logged.filter((c) => c.kind === kind && c.op === "read").length, `up --refresh read every ${kind} of ${lesson}`).toBeGreaterThanOrEqual(want);
        }
        expect(reads).toBeGreaterThanOrEqual(stored.length);
        await stack.expectNoChanges();
        await expectChecksPass(`${lesson} after the second up`, lessonChecks(lesson, nsPrefix));

        await stack.destroy();
        expect(await namespacesWith(nsPrefix)).toEqual([]);
        await expectNoLeaks(nsPrefix, sysctlsBefore());
        console.log(`[reliability] convergence ${lesson}: first up ${made} mutating commands, ${checks} checks pass; second up 0 mutating; up --refresh ${reads} commands, 0 mutating; destroy: no leak`);
    }, 900_000);
});
